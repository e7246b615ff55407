package io.seqstream.training;

/**
 * Early stopping on validation loss: remembers the best (lowest) epoch and says when {@code patience}
 * consecutive epochs have brought no lower loss. Only a strictly lower loss counts as an improvement; NaN
 * never does.
 */
final class EarlyStopping {
    private final int patience;
    private int epochs;
    private int bestEpoch;
    private double bestLoss = Double.POSITIVE_INFINITY;

    EarlyStopping(int patience) {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be >= 1, got " + patience);
        }
        this.patience = patience;
    }

    /** Records the next epoch's validation loss; true if it is the best so far. */
    boolean record(double loss) {
        epochs++;
        if (loss < bestLoss) {
            bestLoss = loss;
            bestEpoch = epochs;
            return true;
        }
        return false;
    }

    /** True once {@code patience} epochs in a row have not improved on the best. */
    boolean shouldStop() {
        return epochs - bestEpoch >= patience;
    }

    /** 1-based epoch of the best loss, 0 before any improvement. */
    int bestEpoch() {
        return bestEpoch;
    }

    double bestLoss() {
        return bestLoss;
    }
}
