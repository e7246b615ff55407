package io.seqstream.engine;

/**
 * One step's next-token logits for a batch of keys, row-major (row {@code i}, of one value per vocabulary token,
 * belongs to the i-th stepped state), with each row's log-normalizer {@code log Σ e^logit}: a token's probability is
 * {@code e^(logit − normalizer)}. Scoring an observed token needs its probability, its rank and the top k, which
 * this gives from one pass over the row ({@link #score}), never the normalized vector; {@link #toProbabilities()}
 * makes that vector for callers that want every probability.
 *
 * <p>An engine's reusable buffer: read it before the engine steps again. Not thread-safe.
 */
public final class Logits {
    private final int vocab;
    private final Kernels kernels;
    private float[] values = new float[0];
    private double[] normalizers = new double[0];
    private int rows;
    private boolean normalized;

    Logits(int vocab, Kernels kernels) {
        this.vocab = vocab;
        this.kernels = kernels;
    }

    /** Makes room for {@code rows} rows and returns the array the engine writes their logits to, row-major. */
    float[] prepare(int rows) {
        if (values.length < rows * vocab) {
            values = new float[rows * vocab];
            normalizers = new double[rows];
        }
        this.rows = rows;
        this.normalized = false;
        return values;
    }

    /** Once the engine has written the logits: each row's normalizer. */
    Logits normalize() {
        for (int r = 0; r < rows; r++) {
            normalizers[r] = kernels.logSumExp(values, r * vocab, vocab);
        }
        return this;
    }

    /** The probability the model gave token {@code token} in row {@code row}. */
    public double probability(int row, int token) {
        requireLogits();
        return Math.exp(values[row * vocab + token] - normalizers[row]);
    }

    /**
     * Scores observed token {@code observed} against row {@code row} as {@link TokenScore#of} does against
     * probabilities, ranking on the logits (the same order) in one pass; the surprisal is
     * {@code normalizer − logit}, exact even where the probability underflows a float.
     */
    public TokenScore score(int row, int observed, int k, int g) {
        requireLogits();
        return TokenScore.ofLogits(values, row * vocab, vocab, observed, k, g, normalizers[row], kernels);
    }

    /**
     * Turns every row into its probabilities, in place, and returns the array (row {@code i} at offset
     * {@code i} times the vocabulary's size; the array may be longer than the rows). After it the logits are gone:
     * {@link #score} and {@link #probability} refuse.
     */
    public float[] toProbabilities() {
        requireLogits();
        kernels.softmaxRows(values, 0, rows, vocab);
        normalized = true;
        return values;
    }

    private void requireLogits() {
        if (normalized) {
            throw new IllegalStateException("These logits were turned into probabilities: step again to score");
        }
    }
}
