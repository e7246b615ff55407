package io.seqstream.engine;

import java.util.List;

/**
 * Plain Java below a batch size where the GEMM path's fixed per-call cost (tens of ND4J ops) outweighs its
 * faster arithmetic, ND4J GEMMs above it. The crossover is set from the model's size: the bigger the model,
 * the sooner BLAS pays off.
 */
final class AutoStepEngine extends WeightsStepEngine {
    /**
     * Work (FLOPs) of one batch up to which plain Java is used: {@code seqstream bench} on 2 cores put the small
     * model's crossover between batch 1 and 8, the large one's at 1.
     */
    static final long JAVA_MAX_FLOPS_PER_BATCH = 1_000_000L;

    private final JavaStepEngine java;
    private final Nd4jStepEngine nd4j;
    private final int javaMaxBatch;

    AutoStepEngine(ModelWeights weights, int historyTokens, Kernels kernels) {
        super(weights, historyTokens);
        this.java = new JavaStepEngine(weights, historyTokens, kernels);
        this.nd4j = new Nd4jStepEngine(weights, historyTokens, kernels);
        this.javaMaxBatch = (int) Math.max(1, JAVA_MAX_FLOPS_PER_BATCH / weights.flopsPerEvent());
    }

    @Override
    public float[] step(List<KeyState> states) {
        return states.size() <= javaMaxBatch ? java.step(states) : nd4j.step(states);
    }

    @Override
    public void close() {
        java.close();
        nd4j.close();
    }
}
