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
        int kk = Math.max(0, Math.min(k, vocab));
        int[] topIds = new int[kk];
        float[] topP = new float[kk];
        float p = probs[offset + observed];
        int rank = Kernels.best().countAboveAndTopK(probs, offset, vocab, p, topIds, topP) + 1;
        double surprisal = -Math.log(Math.max(p, Double.MIN_NORMAL));
        return new TokenScore(observed, p, surprisal, rank, topIds, topP, rank > g);
    }

    /**
     * {@link #of} against logits whose {@code log Σ e^logit} is {@code logNormalizer}: ranks on the logits (the
     * probabilities' order) and turns only the observed token's and the top k's into probabilities.
     */
    static TokenScore ofLogits(float[] logits, int offset, int vocab, int observed, int k, int g,
                               double logNormalizer, Kernels kernels) {
        int kk = Math.max(0, Math.min(k, vocab));
        int[] topIds = new int[kk];
        float[] topP = new float[kk];
        float logit = logits[offset + observed];
        int rank = kernels.countAboveAndTopK(logits, offset, vocab, logit, topIds, topP) + 1;
        for (int i = 0; i < kk; i++) {
            topP[i] = (float) Math.exp(topP[i] - logNormalizer);
        }
        double surprisal = logNormalizer - logit;
        return new TokenScore(observed, Math.exp(-surprisal), surprisal, rank, topIds, topP, rank > g);
    }
}
