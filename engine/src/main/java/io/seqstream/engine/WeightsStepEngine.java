package io.seqstream.engine;


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
        return state.fits(w.label, w.layers, w.hidden, w.lstm);
    }
}
