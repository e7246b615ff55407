package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import java.util.List;

/**
 * Steps keys one at a time over the model's weights on the Java heap, with {@link Kernels} (SIMD where the Vector
 * API is available). No per-call framework overhead, so it wins at batch 1 and on tiny models (FINDINGS: ~56 µs
 * per small-model step with plain loops against ~500 µs for one DL4J {@code rnnTimeStep}). Not thread-safe: it
 * reuses its buffers.
 */
public final class JavaStepEngine extends WeightsStepEngine {
    private final float[] gates;
    private final Kernels kernels;
    private final Logits logits;

    /** States it makes keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public JavaStepEngine(LoadedModel model) {
        this(model, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /** @param historyTokens how many observed tokens the states it makes keep for replay */
    public JavaStepEngine(LoadedModel model, int historyTokens) {
        this(new ModelWeights(model), historyTokens, Kernels.best());
    }

    JavaStepEngine(ModelWeights weights, int historyTokens, Kernels kernels) {
        super(weights, historyTokens);
        this.kernels = kernels;
        this.gates = new float[weights.gates()];
        this.logits = new Logits(weights.vocab, kernels);
    }

    @Override
    public Logits stepLogits(List<KeyState> states) {
        int batch = states.size();
        float[] out = logits.prepare(batch);
        for (int i = 0; i < batch; i++) {
            stepOne(states.get(i), out, i * w.vocab);
        }
        return logits.normalize();
    }

    @Override
    public void advance(List<KeyState> states) {
        for (KeyState state : states) {
            advanceOne(state);
        }
    }

    private void stepOne(KeyState state, float[] out, int outOffset) {
        float[] top = advanceOne(state);
        System.arraycopy(w.outputBias, 0, out, outOffset, w.vocab);
        kernels.accumulateVectorTimesMatrix(top, 0, w.outputWeights, w.hidden, w.vocab, out, outOffset);
    }

    /** The layers: new h and c in the state; returns the top layer's h (the state's own array). */
    private float[] advanceOne(KeyState state) {
        int h = w.hidden;
        int g = w.gates();
        float[] input = w.embeddings;
        int inputOffset = state.pendingToken() * w.embedding;
        for (int l = 0; l < w.layers; l++) {
            float[] hPrev = state.hidden()[l];
            System.arraycopy(w.biases[l], 0, gates, 0, g);
            kernels.accumulateVectorTimesMatrix(input, inputOffset, w.inputWeights[l], w.inputSize(l), g, gates, 0);
            kernels.accumulateVectorTimesMatrix(hPrev, 0, w.recurrentWeights[l], h, g, gates, 0);
            // h_prev has been read: the new h goes straight into the state.
            if (w.lstm) {
                kernels.lstmCell(gates, 0, state.cell()[l], hPrev, h);
            } else {
                kernels.tanh(gates, 0, hPrev, h);
            }
            input = hPrev;
            inputOffset = 0;
        }
        return input;
    }

    @Override
    public void close() {
    }
}
