package io.seqstream.engine;

import io.seqstream.model.ModelManifest;
import io.seqstream.model.Vocabulary;

/** What engines that step the model's copied-out weights themselves have in common. */
abstract class WeightsStepEngine implements StepEngine {
    protected final ModelWeights w;
    private final int historyTokens;

    WeightsStepEngine(ModelWeights weights, int historyTokens) {
        if (historyTokens < 0) {
            throw new IllegalArgumentException("History tokens must be 0 or more, got " + historyTokens);
        }
        this.w = weights;
        this.historyTokens = historyTokens;
    }

    @Override
    public int vocabSize() {
        return w.vocab;
    }

    @Override
    public String modelLabel() {
        return w.label;
    }

    @Override
    public ModelManifest.Architecture architecture() {
        return w.architecture;
    }

    @Override
    public Vocabulary vocabulary() {
        return w.vocabulary;
    }

    @Override
    public int historyTokens() {
        return historyTokens;
    }

    @Override
    public KeyState newState(int startToken, long eventTime) {
        return KeyState.start(w.label, w.layers, w.hidden, w.lstm, startToken, eventTime, historyTokens);
    }

    @Override
    public boolean owns(KeyState state) {
        return state.fits(w.label, w.layers, w.hidden, w.lstm);
    }
}
