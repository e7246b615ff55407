package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.Vocabulary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Advances a batch of sequences by one token each with DeepLearning4J: gathers every key's h (and c) into
 * one [B,H] matrix per layer, sets them as the network's previous state, runs one {@code rnnTimeStep}, and
 * scatters the new state back into the keys' {@link KeyState}s.
 *
 * <p>The reference engine. Owns a private copy of the model's network. Not thread-safe.
 */
public final class Dl4jStepEngine implements StepEngine {
    private final MultiLayerNetwork network;
    private final String modelLabel;
    private final ModelManifest.Architecture architecture;
    private final Vocabulary vocabulary;
    private final int historyTokens;
    private final int layers;
    private final int hiddenSize;
    private final int vocabSize;
    private final boolean lstm;
    private final Logits logits;

    /** States it makes keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public Dl4jStepEngine(LoadedModel model) {
        this(model, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /** @param historyTokens how many observed tokens the states it makes keep for replay */
    public Dl4jStepEngine(LoadedModel model, int historyTokens) {
        if (historyTokens < 0) {
            throw new IllegalArgumentException("History tokens must be 0 or more, got " + historyTokens);
        }
        ModelManifest.Architecture arch = model.manifest().architecture();
        this.network = model.newNetworkCopy();
        this.modelLabel = model.label();
        this.architecture = arch;
        this.vocabulary = model.vocabulary();
        this.historyTokens = historyTokens;
        this.layers = arch.layers();
        this.hiddenSize = arch.hidden();
        this.vocabSize = arch.vocabSize();
        this.lstm = "lstm".equals(arch.cell());
        this.logits = new Logits(vocabSize, Kernels.best());
    }

    /** A fresh state for a new sequence under this model. */
    @Override
    public KeyState newState(int startToken, long eventTime) {
        return KeyState.start(modelLabel, layers, hiddenSize, lstm, startToken, eventTime, historyTokens);
    }

    /** True if a stored state was produced by this model version (and so can be stepped by it). */
    @Override
    public boolean owns(KeyState state) {
        return state.fits(modelLabel, layers, hiddenSize, lstm);
    }

    @Override
    public String modelLabel() {
        return modelLabel;
    }

    @Override
    public ModelManifest.Architecture architecture() {
        return architecture;
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int historyTokens() {
        return historyTokens;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Feeds each state's pending token, updates the states in place and returns the next-token probabilities,
     * row-major: row {@code i} (of length {@link #vocabSize()}) belongs to {@code states.get(i)}.
     */
    @Override
    public float[] step(List<KeyState> states) {
        int batch = states.size();
        float[] ids = new float[batch];
        for (int i = 0; i < batch; i++) {
            ids[i] = states.get(i).pendingToken();
        }
        for (int layer = 0; layer < layers; layer++) {
            Map<String, INDArray> previous = new HashMap<>(2);
            previous.put(LSTM.STATE_KEY_PREV_ACTIVATION, gather(states, layer, true));
            if (lstm) {
                previous.put(LSTM.STATE_KEY_PREV_MEMCELL, gather(states, layer, false));
            }
            network.rnnSetPreviousState(layer + 1, previous);
        }
        INDArray output = network.rnnTimeStep(Nd4j.createFromArray(ids).reshape(batch, 1));
        for (int layer = 0; layer < layers; layer++) {
            Map<String, INDArray> next = network.rnnGetPreviousState(layer + 1);
            scatter(next.get(LSTM.STATE_KEY_PREV_ACTIVATION), states, layer, true);
            if (lstm) {
                scatter(next.get(LSTM.STATE_KEY_PREV_MEMCELL), states, layer, false);
            }
        }
        return output.reshape(batch, vocabSize).castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** {@link #step}'s probabilities as their logs (the logits up to a constant per row), for the same scoring. */
    @Override
    public Logits stepLogits(List<KeyState> states) {
        float[] probabilities = step(states);
        float[] out = logits.prepare(states.size());
        for (int j = 0; j < states.size() * vocabSize; j++) {
            out[j] = (float) Math.log(probabilities[j]);
        }
        return logits.normalize();
    }

    private INDArray gather(List<KeyState> states, int layer, boolean hidden) {
        float[] flat = new float[states.size() * hiddenSize];
        for (int i = 0; i < states.size(); i++) {
            float[] row = hidden ? states.get(i).hidden()[layer] : states.get(i).cell()[layer];
            System.arraycopy(row, 0, flat, i * hiddenSize, hiddenSize);
        }
        return Nd4j.create(flat, new long[] {states.size(), hiddenSize}, DataType.FLOAT);
    }

    private void scatter(INDArray values, List<KeyState> states, int layer, boolean hidden) {
        // Arrays that DL4J returns can be views of its working memory: copy them out.
        float[] flat = values.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < states.size(); i++) {
            float[] row = hidden ? states.get(i).hidden()[layer] : states.get(i).cell()[layer];
            System.arraycopy(flat, i * hiddenSize, row, 0, hiddenSize);
        }
    }

    @Override
    public void close() {
        network.close();
    }
}
