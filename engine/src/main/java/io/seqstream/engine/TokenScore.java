package io.seqstream.engine;

/**
 * How well the model predicted one observed token.
 *
 * @param rank 1 for the model's most likely token
 * @param topTokens ids of the top-k predictions, most likely first
 * @param topProbabilities their probabilities
 * @param anomaly the observed token is not among the top-g predictions (DeepLog)
 */
public record TokenScore(int tokenId, double probability, double surprisal, int rank, int[] topTokens,
                         float[] topProbabilities, boolean anomaly) {
    private static final int[] NONE = new int[0];
    private static final float[] NO_PROBABILITIES = new float[0];

    /**
     * Scores token {@code observed} against the distribution in {@code probs[offset .. offset+vocab)}.
     * Ties count in the token's favour: its rank is one plus the number of strictly likelier tokens. With
     * {@code k = 0} no top-k is kept (empty arrays) and the scan only counts likelier tokens.
     */
    public static TokenScore of(float[] probs, int offset, int vocab, int observed, int k, int g) {
        float p = probs[offset + observed];
        if (k <= 0) {
            // no top-k: one comparison per token for the rank, nothing else
            int better = 0;
            for (int j = offset, end = offset + vocab; j < end; j++) {
                if (probs[j] > p) {
                    better++;
                }
            }
            int rank = better + 1;
            return new TokenScore(observed, p, -Math.log(Math.max(p, Double.MIN_NORMAL)), rank, NONE, NO_PROBABILITIES,
                    rank > g);
        }
        int better = 0;
        int kk = Math.min(k, vocab);
        int[] topIds = new int[kk];
        float[] topP = new float[kk];
        int filled = 0;
        for (int j = 0; j < vocab; j++) {
            float q = probs[offset + j];
            if (q > p) {
                better++;
            }
            if (filled < kk || q > topP[kk - 1]) {
                int pos = Math.min(filled, kk - 1);
                while (pos > 0 && topP[pos - 1] < q) {
                    topP[pos] = topP[pos - 1];
                    topIds[pos] = topIds[pos - 1];
                    pos--;
                }
                topP[pos] = q;
                topIds[pos] = j;
                if (filled < kk) {
                    filled++;
                }
            }
        }
        int rank = better + 1;
        double surprisal = -Math.log(Math.max(p, Double.MIN_NORMAL));
        return new TokenScore(observed, p, surprisal, rank, topIds, topP, rank > g);
    }
}
