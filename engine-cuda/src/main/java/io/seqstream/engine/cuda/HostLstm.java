package io.seqstream.engine.cuda;

/**
 * The same step as {@link CudaLstm}'s kernels, in plain Java on the host: the embedding gather, the LSTM cell on
 * {@code x·W + h·RW + b}, and the per-row scoring from the logits (softmax statistics, the observed token's
 * probability and rank as one plus the number of strictly larger logits, the top-k with ties to the lower id).
 * It checks the weights' layout and the kernels' arithmetic against DL4J's references without a GPU.
 */
public final class HostLstm {
    private final LstmWeights w;
    private final int topK;

    public HostLstm(LstmWeights weights, int topK) {
        this.w = weights;
        this.topK = topK;
    }

    /** Result of one row's step. */
    public record Row(float probability, int rank, int[] topIds, float[] topProbabilities) {
    }

    /**
     * Steps one key: consumes {@code token}, updates {@code h[layer]} and {@code c[layer]} in place and scores
     * {@code observed}.
     */
    public Row step(int token, int observed, float[][] h, float[][] c) {
        int H = w.hidden();
        float[] x = new float[w.embedding()];
        System.arraycopy(w.embeddings(), token * w.embedding(), x, 0, w.embedding());
        for (int l = 0; l < w.layers(); l++) {
            int nIn = w.inputSize(l);
            float[] gates = new float[4 * H];
            for (int k = 0; k < nIn; k++) {
                for (int j = 0; j < 4 * H; j++) {
                    gates[j] += x[k] * w.inputWeights()[l][k * 4 * H + j];
                }
            }
            for (int k = 0; k < H; k++) {
                for (int j = 0; j < 4 * H; j++) {
                    gates[j] += h[l][k] * w.recurrentWeights()[l][k * 4 * H + j];
                }
            }
            float[] bias = w.biases()[l];
            for (int j = 0; j < H; j++) {
                float z = (float) Math.tanh(gates[j] + bias[j]);
                float f = sigmoid(gates[H + j] + bias[H + j]);
                float o = sigmoid(gates[2 * H + j] + bias[2 * H + j]);
                float in = sigmoid(gates[3 * H + j] + bias[3 * H + j]);
                c[l][j] = f * c[l][j] + in * z;
                h[l][j] = o * (float) Math.tanh(c[l][j]);
            }
            x = h[l];
        }
        int v = w.vocab();
        float[] logits = new float[v];
        for (int k = 0; k < H; k++) {
            for (int j = 0; j < v; j++) {
                logits[j] += x[k] * w.outputWeights()[k * v + j];
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            logits[j] += w.outputBias()[j];
            max = Math.max(max, logits[j]);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
            sum += Math.exp(logits[j] - max);
        }
        float lo = logits[observed];
        int above = 0;
        for (int j = 0; j < v; j++) {
            if (logits[j] > lo) {
                above++;
            }
        }
        int k = Math.min(topK, v);
        int[] ids = new int[k];
        float[] probabilities = new float[k];
        boolean[] used = new boolean[v];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int j = 0; j < v; j++) {
                if (!used[j] && (best < 0 || logits[j] > logits[best])) {
                    best = j;
                }
            }
            used[best] = true;
            ids[r] = best;
            probabilities[r] = (float) (Math.exp(logits[best] - max) / sum);
        }
        return new Row((float) (Math.exp(lo - max) / sum), above + 1, ids, probabilities);
    }

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
