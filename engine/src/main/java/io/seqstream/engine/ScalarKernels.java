package io.seqstream.engine;

/** {@link Kernels} as plain loops: the fallback where the Vector API is not available. */
final class ScalarKernels implements Kernels {

    @Override
    public void lstmCell(float[] gates, int offset, float[] cell, float[] hidden, int n) {
        lstmCellFrom(0, gates, offset, cell, hidden, n);
    }

    /** {@link #lstmCell} for units {@code from ... n-1} only: the tail a vector loop leaves. */
    static void lstmCellFrom(int from, float[] gates, int offset, float[] cell, float[] hidden, int n) {
        for (int i = from; i < n; i++) {
            float z = tanh(gates[offset + i]);
            float f = sigmoid(gates[offset + n + i]);
            float o = sigmoid(gates[offset + 2 * n + i]);
            float in = sigmoid(gates[offset + 3 * n + i]);
            float c = f * cell[i] + in * z;
            cell[i] = c;
            hidden[i] = o * tanh(c);
        }
    }

    @Override
    public void tanh(float[] in, int offset, float[] out, int n) {
        tanhFrom(0, in, offset, out, n);
    }

    /** {@link #tanh(float[], int, float[], int)} for {@code from ... n-1} only. */
    static void tanhFrom(int from, float[] in, int offset, float[] out, int n) {
        for (int i = from; i < n; i++) {
            out[i] = tanh(in[offset + i]);
        }
    }

    @Override
    public double logSumExp(float[] values, int offset, int n) {
        return logSumExpFrom(offset, values, offset, n, max(values, offset, n), 0.0);
    }

    private static float max(float[] values, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = offset; j < offset + n; j++) {
            max = Math.max(max, values[j]);
        }
        return max;
    }

    /** {@code max + log(partial + Σ e^{values[j] − max})} over {@code j = from ... offset+n-1}: a vector loop's tail. */
    static double logSumExpFrom(int from, float[] values, int offset, int n, float max, double partial) {
        double sum = partial;
        for (int j = from; j < offset + n; j++) {
            sum += (float) Math.exp(values[j] - max);
        }
        return max + Math.log(sum);
    }

    @Override
    public void softmaxRows(float[] values, int offset, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int start = offset + r * cols;
            int end = start + cols;
            float max = max(values, start, cols);
            double sum = 0;
            for (int j = start; j < end; j++) {
                float e = (float) Math.exp(values[j] - max);
                values[j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = start; j < end; j++) {
                values[j] *= inv;
            }
        }
    }

    @Override
    public int countAboveAndTopK(float[] values, int offset, int n, float observed, int[] topIds, float[] topValues) {
        int above = 0;
        int filled = 0;
        for (int j = 0; j < n; j++) {
            float q = values[offset + j];
            if (q > observed) {
                above++;
            }
            filled = offerTop(q, j, topIds, topValues, filled);
        }
        return above;
    }

    /**
     * Offers value {@code q} of index {@code id} to a top-k list holding {@code filled} entries, greatest first;
     * an equal value goes after those already there (ties in index order when offered in index order). Returns the
     * new filled length.
     */
    static int offerTop(float q, int id, int[] topIds, float[] topValues, int filled) {
        int k = topIds.length;
        if (k == 0 || (filled == k && !(q > topValues[k - 1]))) {
            return filled;
        }
        int pos = Math.min(filled, k - 1);
        while (pos > 0 && topValues[pos - 1] < q) {
            topValues[pos] = topValues[pos - 1];
            topIds[pos] = topIds[pos - 1];
            pos--;
        }
        topValues[pos] = q;
        topIds[pos] = id;
        return Math.min(filled + 1, k);
    }

    @Override
    public void accumulateVectorTimesMatrix(float[] x, int xOffset, float[] m, int rows, int cols, float[] y,
                                            int yOffset) {
        for (int k = 0; k < rows; k++) {
            float a = x[xOffset + k];
            if (a == 0f) {
                continue;
            }
            int row = k * cols;
            for (int j = 0; j < cols; j++) {
                y[yOffset + j] += a * m[row + j];
            }
        }
    }

    @Override
    public String describe() {
        return "scalar";
    }

    /** {@code 1 − 2 / (e^{2x} + 1)}: one {@code exp} instead of {@code StrictMath.tanh}'s slower series. */
    static float tanh(float x) {
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
