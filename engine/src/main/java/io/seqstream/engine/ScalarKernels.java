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
    public void softmaxRows(float[] values, int offset, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int start = offset + r * cols;
            int end = start + cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = start; j < end; j++) {
                max = Math.max(max, values[j]);
            }
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
