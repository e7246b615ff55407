package io.seqstream.training;

import io.seqstream.model.LoadedModel;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The evaluation gate a new version passes before it is published to the scorers: the candidate and the active
 * version are {@link #evaluate evaluated} on the same held-out sequences and {@link #compare compared} with
 * configured margins. The figures are those the trainer reports for its validation split ({@link Evaluator}
 * computes both), so a model evaluated on its own validation split gets its manifest's {@code validation_loss}.
 */
public final class EvaluationGate {
    /** Sequences evaluated together; only speed depends on it. */
    static final int BATCH_SIZE = 32;

    private EvaluationGate() {
    }

    /**
     * Scores {@code sequences} with {@code model}: each sequence of raw tokens is mapped through the model's
     * vocabulary ({@code <unk>} for unseen tokens) and scored as {@code <s> tokens… <e>}, as training does. The
     * model's shared network is not touched; a private copy does the work.
     *
     * @throws IllegalArgumentException if there are no sequences or {@code k < 1}
     */
    public static ModelEvaluation evaluate(LoadedModel model, List<List<String>> sequences, int k) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("Nothing to evaluate " + model.label() + " on: no sequences");
        }
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        }
        MultiLayerNetwork network = model.newNetworkCopy();
        try {
            SequenceBatches batches = SequenceBatches.ofTokens(model.vocabulary(), sequences, BATCH_SIZE,
                    network.getLayerWiseConfigurations().getDataType());
            Evaluator.Evaluation evaluation = Evaluator.evaluate(network, batches, k);
            return new ModelEvaluation(model.label(), evaluation.loss(), evaluation.topKAccuracy(), k,
                    evaluation.tokens());
        } finally {
            network.close();
        }
    }

    /**
     * Passes when {@code candidate.loss <= active.loss * (1 + lossMargin)} and
     * {@code candidate.topKAccuracy >= active.topKAccuracy - accuracyMargin}. A candidate with a NaN figure
     * fails.
     *
     * @param lossMargin     the relative loss increase allowed, e.g. 0.02 for 2%
     * @param accuracyMargin the absolute top-k accuracy drop allowed, e.g. 0.01 for one percentage point
     * @throws IllegalArgumentException if the margins are negative or the evaluations used different k
     */
    public static GateResult compare(ModelEvaluation candidate, ModelEvaluation active, double lossMargin,
                                     double accuracyMargin) {
        if (!(lossMargin >= 0) || !(accuracyMargin >= 0)) {
            throw new IllegalArgumentException("Gate margins must be >= 0, got loss " + lossMargin + " and accuracy "
                    + accuracyMargin);
        }
        if (candidate.k() != active.k()) {
            throw new IllegalArgumentException("Cannot compare top-" + candidate.k() + " accuracy of "
                    + candidate.model() + " with top-" + active.k() + " accuracy of " + active.model());
        }
        boolean lossOk = candidate.loss() <= active.loss() * (1 + lossMargin);
        boolean accuracyOk = candidate.topKAccuracy() >= active.topKAccuracy() - accuracyMargin;
        double lossChange = (candidate.loss() - active.loss()) / active.loss();
        double accuracyChange = candidate.topKAccuracy() - active.topKAccuracy();
        String reason = String.format(Locale.ROOT,
                "loss %.3f vs active %.3f (%+.1f%% %s %.1f%% allowed); "
                        + "top-%d accuracy %.2f%% vs active %.2f%% (%+.2f points, %s %.2f points allowed)",
                candidate.loss(), active.loss(), 100 * lossChange, lossOk ? "<=" : ">", 100 * lossMargin,
                candidate.k(), 100 * candidate.topKAccuracy(), 100 * active.topKAccuracy(), 100 * accuracyChange,
                accuracyOk ? "a drop of up to" : "more than the drop of", 100 * accuracyMargin);
        return new GateResult(lossOk && accuracyOk, reason);
    }
}
