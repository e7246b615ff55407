package io.seqstream.engine;

import java.util.List;

/**
 * The heap engine ({@link JavaStepEngine}) for batches of a few keys, where the GEMM path's fixed per-call cost
 * (bulk copies in and out of native memory, OpenBLAS waking its threads) outweighs its faster arithmetic, and
 * OpenBLAS GEMMs ({@link Nd4jStepEngine}) above.
 */
final class AutoStepEngine extends WeightsStepEngine {
    /**
     * The largest batch stepped by the heap engine: {@code seqstream bench} on 2 cores with the SIMD kernels put both
     * models' crossover between 8 and 64 keys (the README's run, per event: small model 11.5 µs on the heap against
     * 13.9 µs with GEMMs at B=8, 8.4 against 6.3 at B=64; large 187 against 236 µs at B=8, 203 against 85 at B=64).
     */
    static final int JAVA_MAX_BATCH = 8;

    private final JavaStepEngine java;
    private final Nd4jStepEngine nd4j;

    AutoStepEngine(ModelWeights weights, int historyTokens, Kernels kernels) {
        super(weights, historyTokens);
        this.java = new JavaStepEngine(weights, historyTokens, kernels);
        this.nd4j = new Nd4jStepEngine(weights, historyTokens, kernels);
    }

    @Override
    public Logits stepLogits(List<KeyState> states) {
        return states.size() <= JAVA_MAX_BATCH ? java.stepLogits(states) : nd4j.stepLogits(states);
    }

    @Override
    public void advance(List<KeyState> states) {
        if (states.size() <= JAVA_MAX_BATCH) {
            java.advance(states);
        } else {
            nd4j.advance(states);
        }
    }

    @Override
    public void close() {
        java.close();
        nd4j.close();
    }
}
