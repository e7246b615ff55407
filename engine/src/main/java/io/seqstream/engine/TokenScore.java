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

    /**
     * Scores token {@code observed} against the distribution in {@code probs[offset .. offset+vocab)}.
     * Ties count in the token's favour: its rank is one plus the number of strictly likelier tokens. With
     * {@code k = 0} no top-k is kept (empty arrays) and the scan only counts likelier tokens.
     */
    public static TokenScore of(float[] probs, int offset, int vocab, int observed, int k, int g) {
        float p = probs[offset + observed];
        int better = 0;
        int kk = Math.max(0, Math.min(k, vocab));
        int[] topIds = new int[kk];
        float[] topP = new float[kk];
        int filled = 0;
        for (int j = 0; j < vocab; j++) {
            float q = probs[offset + j];
            if (q > p) {
                better++;
            }
            if (kk > 0 && (filled < kk || q > topP[kk - 1])) {
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
