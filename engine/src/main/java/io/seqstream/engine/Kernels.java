package io.seqstream.engine;

import org.slf4j.LoggerFactory;

/**
 * The element-wise and matrix-vector arithmetic of a step that runs on the Java heap: the LSTM cell, the softmax's
 * normalizer, the scan of a row for a token's rank and the top k, and a row-major matrix-vector product. Two
 * implementations with the same contract: {@link VectorKernels} on the JDK's Vector API (SIMD, with vectorized
 * {@code exp}), used when the JVM was started with {@code --add-modules jdk.incubator.vector} (the
 * {@code seqstream} launcher, the image and the tests do), and {@link ScalarKernels}, plain loops, otherwise.
 * Stateless and thread-safe.
 */
interface Kernels {
    /** The module that holds the Vector API (an incubator module in Java 17). */
    String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * The LSTM cell over {@code n} units at once. {@code gates} holds, from {@code offset}, four blocks of
     * {@code n} pre-activations in DL4J's order (block input, forget, output, input gate); {@code cell} holds c and
     * is updated in place; h = o ⊙ tanh(c) is written to {@code hidden} (a different array of at least {@code n}).
     */
    void lstmCell(float[] gates, int offset, float[] cell, float[] hidden, int n);

    /** {@code out[i] = tanh(in[offset + i])} for {@code i < n} (the simple RNN's activation). */
    void tanh(float[] in, int offset, float[] out, int n);

    /**
     * {@code log Σ_j e^{values[offset + j]}} over {@code n} values, with the maximum taken out first so that nothing
     * overflows: the log of the softmax's normalizer, which turns a logit into a log-probability by subtraction.
     */
    double logSumExp(float[] values, int offset, int n);

    /**
     * A scan of {@code n} values from {@code offset} for a token's rank and the top k: returns how many values
     * are strictly greater than {@code observed}, and fills {@code topIds} and {@code topValues} (both of length
     * k ≤ n) with the k greatest values' indices (from 0) and values, greatest first, ties in index order.
     */
    int countAboveAndTopK(float[] values, int offset, int n, float observed, int[] topIds, float[] topValues);

    /** Softmax, in place, of {@code rows} consecutive rows of {@code cols} values starting at {@code offset}. */
    void softmaxRows(float[] values, int offset, int rows, int cols);

    /**
     * {@code y[yOffset + j] += Σ_k x[xOffset + k] · m[k · cols + j]} for {@code j < cols}, {@code k < rows}: a
     * vector times a row-major {@code rows × cols} matrix, accumulated.
     */
    void accumulateVectorTimesMatrix(float[] x, int xOffset, float[] m, int rows, int cols, float[] y, int yOffset);

    /** What it runs on, for logs and the bench: {@code "vector (256-bit)"} or {@code "scalar"}. */
    String describe();

    /** The Vector API kernels where the module is present, the scalar ones otherwise. */
    static Kernels best() {
        return Holder.BEST;
    }

    /** Whether this JVM can run {@link VectorKernels}. */
    static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The best kernels, picked once per JVM. */
    final class Holder {
        static final Kernels BEST = pick();

        private Holder() {
        }

        private static Kernels pick() {
            if (!vectorAvailable()) {
                LoggerFactory.getLogger(Kernels.class).info("Step kernels: scalar (start the JVM with --add-modules {} "
                        + "for SIMD kernels, several times faster)", VECTOR_MODULE);
                return new ScalarKernels();
            }
            try {
                // By name, so that this class links on a JVM without the module.
                Kernels kernels = (Kernels) Class.forName("io.seqstream.engine.VectorKernels")
                        .getDeclaredConstructor().newInstance();
                LoggerFactory.getLogger(Kernels.class).debug("Step kernels: {}", kernels.describe());
                return kernels;
            } catch (ReflectiveOperationException | LinkageError e) {
                LoggerFactory.getLogger(Kernels.class).warn("Step kernels: scalar, the Vector API failed to load", e);
                return new ScalarKernels();
            }
        }
    }
}
