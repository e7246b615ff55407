package io.seqstream.app.engine;

import io.seqstream.app.state.KeyState;

/** What engines that step the model's copied-out weights themselves have in common. */
abstract class WeightsStepEngine implements StepEngine {
    protected final ModelWeights w;

    WeightsStepEngine(ModelWeights weights) {
        this.w = weights;
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
    public KeyState newState(int startToken, long eventTime) {
        return KeyState.start(w.label, w.layers, w.hidden, w.lstm, startToken, eventTime);
    }

    @Override
    public boolean owns(KeyState state) {
        return w.label.equals(state.model()) && state.layers() == w.layers
                && (w.layers == 0 || (state.hidden()[0].length == w.hidden
                && state.cell()[0].length == (w.lstm ? w.hidden : 0)));
    }
}
