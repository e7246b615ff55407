package io.seqstream.engine;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the JDK's Vector API: the element-wise math in the machine's widest float lanes, with the
 * JDK's vectorized {@code exp} (Intel's SVML on x86), about 30× faster per element than {@link Math#exp} here.
 * Loaded by name only when {@code jdk.incubator.vector} is in the boot layer ({@link Kernels#best()}); tails
 * shorter than a vector fall back to {@link ScalarKernels}' formulas.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void lstmCell(float[] gates, int offset, float[] cell, float[] hidden, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector z = tanh(FloatVector.fromArray(S, gates, offset + i));
            FloatVector f = sigmoid(FloatVector.fromArray(S, gates, offset + n + i));
            FloatVector o = sigmoid(FloatVector.fromArray(S, gates, offset + 2 * n + i));
            FloatVector in = sigmoid(FloatVector.fromArray(S, gates, offset + 3 * n + i));
            FloatVector c = f.mul(FloatVector.fromArray(S, cell, i)).add(in.mul(z));
            c.intoArray(cell, i);
            o.mul(tanh(c)).intoArray(hidden, i);
        }
        ScalarKernels.lstmCellFrom(i, gates, offset, cell, hidden, n);
    }

    @Override
    public void tanh(float[] in, int offset, float[] out, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            tanh(FloatVector.fromArray(S, in, offset + i)).intoArray(out, i);
        }
        ScalarKernels.tanhFrom(i, in, offset, out, n);
    }

    @Override
    public double logSumExp(float[] values, int offset, int n) {
        int bound = offset + S.loopBound(n);
        float max = max(values, offset, n);
        FloatVector sums = FloatVector.zero(S);
        int j = offset;
        for (; j < bound; j += L) {
            sums = sums.add(FloatVector.fromArray(S, values, j).sub(max).lanewise(VectorOperators.EXP));
        }
        return ScalarKernels.logSumExpFrom(j, values, offset, n, max, sums.reduceLanes(VectorOperators.ADD));
    }

    @Override
    public void softmaxRows(float[] values, int offset, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int start = offset + r * cols;
            int end = start + cols;
            int bound = start + S.loopBound(cols);
            float max = max(values, start, cols);
            FloatVector sums = FloatVector.zero(S);
            int j = start;
            for (; j < bound; j += L) {
                FloatVector e = FloatVector.fromArray(S, values, j).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(values, j);
                sums = sums.add(e);
            }
            double sum = sums.reduceLanes(VectorOperators.ADD);
            for (; j < end; j++) {
                float e = (float) Math.exp(values[j] - max);
                values[j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (j = start; j < bound; j += L) {
                FloatVector.fromArray(S, values, j).mul(inv).intoArray(values, j);
            }
            for (; j < end; j++) {
                values[j] *= inv;
            }
        }
    }

    /**
     * Two passes without a branch per value. The first counts the values above the observed one and keeps each
     * lane's maximum; the k-th largest of those L maxima is a value at least k values reach, so no value below it
     * can be among the top k. The second offers to the top k, lane by lane and in index order (so ties keep index
     * order), only the vectors holding a value that reaches it: a handful per row. (Offering every vector that
     * beats the top k's current last instead costs 4× as much on a 5,000-token row: its branch fires tens of times
     * per row, unpredictably. The mask's {@code trueCount} and {@code anyTrue} compile to a few instructions; its
     * {@code toLong}, which would pick out the lanes, does not on JDK 17.)
     */
    @Override
    public int countAboveAndTopK(float[] values, int offset, int n, float observed, int[] topIds, float[] topValues) {
        int k = topIds.length;
        int bound = S.loopBound(n);
        int above = 0;
        FloatVector maxes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < bound; j += L) {
            FloatVector v = FloatVector.fromArray(S, values, offset + j);
            above += v.compare(VectorOperators.GT, observed).trueCount();
            maxes = maxes.max(v);
        }
        for (int j = bound; j < n; j++) {
            if (values[offset + j] > observed) {
                above++;
            }
        }
        if (k == 0) {
            return above;
        }
        float reach = Float.NEGATIVE_INFINITY;
        if (k <= L && bound > 0) {
            float[] laneMaxes = maxes.toArray();
            Arrays.sort(laneMaxes);
            reach = laneMaxes[L - k];
        }
        int filled = 0;
        int j = 0;
        for (; j < bound; j += L) {
            if (FloatVector.fromArray(S, values, offset + j).compare(VectorOperators.GE, reach).anyTrue()) {
                for (int lane = 0; lane < L; lane++) {
                    float q = values[offset + j + lane];
                    if (q >= reach) {
                        filled = ScalarKernels.offerTop(q, j + lane, topIds, topValues, filled);
                    }
                }
            }
        }
        for (; j < n; j++) {
            filled = ScalarKernels.offerTop(values[offset + j], j, topIds, topValues, filled);
        }
        return above;
    }

    /**
     * Four rows of the matrix at a time, each streamed from start to end (sequential reads, which the hardware
     * prefetches: a large model's output matrix does not fit in cache), y loaded and stored once per four rows.
     */
    @Override
    public void accumulateVectorTimesMatrix(float[] x, int xOffset, float[] m, int rows, int cols, float[] y,
                                            int yOffset) {
        int bound = S.loopBound(cols);
        int k = 0;
        for (; k + 4 <= rows; k += 4) {
            float x0 = x[xOffset + k];
            float x1 = x[xOffset + k + 1];
            float x2 = x[xOffset + k + 2];
            float x3 = x[xOffset + k + 3];
            FloatVector b0 = FloatVector.broadcast(S, x0);
            FloatVector b1 = FloatVector.broadcast(S, x1);
            FloatVector b2 = FloatVector.broadcast(S, x2);
            FloatVector b3 = FloatVector.broadcast(S, x3);
            int r0 = k * cols;
            int r1 = r0 + cols;
            int r2 = r1 + cols;
            int r3 = r2 + cols;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector acc = FloatVector.fromArray(S, y, yOffset + j);
                acc = FloatVector.fromArray(S, m, r0 + j).fma(b0, acc);
                acc = FloatVector.fromArray(S, m, r1 + j).fma(b1, acc);
                acc = FloatVector.fromArray(S, m, r2 + j).fma(b2, acc);
                acc = FloatVector.fromArray(S, m, r3 + j).fma(b3, acc);
                acc.intoArray(y, yOffset + j);
            }
            for (; j < cols; j++) {
                y[yOffset + j] += x0 * m[r0 + j] + x1 * m[r1 + j] + x2 * m[r2 + j] + x3 * m[r3 + j];
            }
        }
        for (; k < rows; k++) {
            float xk = x[xOffset + k];
            FloatVector bk = FloatVector.broadcast(S, xk);
            int row = k * cols;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, m, row + j).fma(bk, FloatVector.fromArray(S, y, yOffset + j))
                        .intoArray(y, yOffset + j);
            }
            for (; j < cols; j++) {
                y[yOffset + j] += xk * m[row + j];
            }
        }
    }

    @Override
    public String describe() {
        return "vector (" + S.vectorBitSize() + "-bit)";
    }

    private static float max(float[] values, int offset, int n) {
        int bound = offset + S.loopBound(n);
        FloatVector maxes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = offset;
        for (; j < bound; j += L) {
            maxes = maxes.max(FloatVector.fromArray(S, values, j));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; j < offset + n; j++) {
            max = Math.max(max, values[j]);
        }
        return max;
    }

    /** {@code 1 / (1 + e^{−x})}; e^{−x} overflowing to infinity gives 0, as it should. */
    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /** {@code 1 − 2 / (e^{2x} + 1)}. */
    private static FloatVector tanh(FloatVector x) {
        FloatVector twoOver = FloatVector.broadcast(S, 2f).div(x.add(x).lanewise(VectorOperators.EXP).add(1f));
        return FloatVector.broadcast(S, 1f).sub(twoOver);
    }
}
