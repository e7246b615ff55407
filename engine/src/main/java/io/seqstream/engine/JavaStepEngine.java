package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import java.util.List;

/**
 * Steps keys one at a time with plain float loops over the model's weights. No per-call framework overhead,
 * so it wins at batch 1 and on tiny models (FINDINGS: ~56 µs per small-model step against ~500 µs for one
 * DL4J {@code rnnTimeStep}). Not thread-safe: it reuses its buffers.
 */
public final class JavaStepEngine extends WeightsStepEngine {
    private final float[] gates;
    private float[] probabilities = new float[0];

    /** States it makes keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public JavaStepEngine(LoadedModel model) {
        this(model, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /** @param historyTokens how many observed tokens the states it makes keep for replay */
    public JavaStepEngine(LoadedModel model, int historyTokens) {
        this(new ModelWeights(model), historyTokens);
    }

    JavaStepEngine(ModelWeights weights, int historyTokens) {
        super(weights, historyTokens);
        this.gates = new float[weights.gates()];
    }

    @Override
    public float[] step(List<KeyState> states) {
        int batch = states.size();
        if (probabilities.length < batch * w.vocab) {
            probabilities = new float[batch * w.vocab];
        }
        for (int i = 0; i < batch; i++) {
            stepOne(states.get(i), probabilities, i * w.vocab);
        }
        return probabilities;
    }

    private void stepOne(KeyState state, float[] out, int outOffset) {
        int h = w.hidden;
        int g = w.gates();
        float[] input = w.embeddings;
        int inputOffset = state.pendingToken() * w.embedding;
        for (int l = 0; l < w.layers; l++) {
            float[] hPrev = state.hidden()[l];
            System.arraycopy(w.biases[l], 0, gates, 0, g);
            int nIn = w.inputSize(l);
            float[] wIn = w.inputWeights[l];
            for (int k = 0; k < nIn; k++) {
                axpy(gates, wIn, k * g, input[inputOffset + k], g);
            }
            float[] wRec = w.recurrentWeights[l];
            for (int k = 0; k < h; k++) {
                axpy(gates, wRec, k * g, hPrev[k], g);
            }
            if (w.lstm) {
                float[] c = state.cell()[l];
                for (int j = 0; j < h; j++) {
                    float z = (float) Math.tanh(gates[j]);
                    float f = sigmoid(gates[h + j]);
                    float o = sigmoid(gates[2 * h + j]);
                    float in = sigmoid(gates[3 * h + j]);
                    c[j] = f * c[j] + in * z;
                    hPrev[j] = o * (float) Math.tanh(c[j]);
                }
            } else {
                for (int j = 0; j < h; j++) {
                    hPrev[j] = (float) Math.tanh(gates[j]);
                }
            }
            input = hPrev;
            inputOffset = 0;
        }
        softmaxOutput(input, out, outOffset);
    }

    private void softmaxOutput(float[] top, float[] out, int offset) {
        int v = w.vocab;
        System.arraycopy(w.outputBias, 0, out, offset, v);
        for (int k = 0; k < w.hidden; k++) {
            float hk = top[k];
            float[] wOut = w.outputWeights;
            int row = k * v;
            for (int j = 0; j < v; j++) {
                out[offset + j] += hk * wOut[row + j];
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, out[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
            float e = (float) Math.exp(out[offset + j] - max);
            out[offset + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < v; j++) {
            out[offset + j] *= inv;
        }
    }

    private static void axpy(float[] y, float[] matrix, int rowOffset, float a, int n) {
        if (a == 0f) {
            return;
        }
        for (int j = 0; j < n; j++) {
            y[j] += a * matrix[rowOffset + j];
        }
    }

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    @Override
    public void close() {
    }
}
