package io.seqstream.engine;

import io.seqstream.model.ModelManifest;
import io.seqstream.model.Vocabulary;
import java.util.List;

/**
 * Advances a batch of sequences by one token each: every state's pending token is fed to the network, each
 * state's recurrent arrays are updated in place, and the next-token distribution of every row is returned, as
 * logits with their normalizers ({@link #stepLogits}) or as probabilities ({@link #step}).
 *
 * <p>Implementations hold reusable buffers and are not thread-safe: one engine per stream thread (the thread's
 * batcher owns it and steps the keys of all the thread's tasks together), or per benchmark thread. The weights
 * always come from the DL4J model, and every engine agrees with {@link Dl4jStepEngine} to 1e-5.
 */
public interface StepEngine extends AutoCloseable {

    /** Size of each row of {@link #step}'s result. */
    int vocabSize();

    /** {@code name@version} of the model the engine steps. */
    String modelLabel();

    /** The shape of the model the engine steps. */
    ModelManifest.Architecture architecture();

    /** The vocabulary of the model the engine steps: what its token ids mean. */
    Vocabulary vocabulary();

    /** How many observed tokens the states {@link #newState} makes keep for replay after a swap. */
    int historyTokens();

    /**
     * A fresh state for a new sequence under this model, {@code startToken} pending, with an empty history of
     * {@link #historyTokens()} tokens.
     */
    KeyState newState(int startToken, long eventTime);

    /** True if a stored state was produced by this engine's model version (and so can be stepped by it). */
    boolean owns(KeyState state);

    /**
     * Consumes each state's pending token and returns the next-token logits with each row's normalizer: row
     * {@code i} belongs to {@code states.get(i)}. Score observed tokens with {@link Logits#score}, which needs one
     * pass over the row and never the normalized vector. The result is a buffer the engine reuses on the next
     * call: read it before stepping again.
     */
    Logits stepLogits(List<KeyState> states);

    /**
     * {@link #stepLogits} turned into probabilities, row-major: row {@code i}, at offset {@code i * vocabSize()},
     * belongs to {@code states.get(i)}. The returned array may be a buffer the engine reuses on the next call (and
     * may be longer than the rows): read it before stepping again.
     */
    default float[] step(List<KeyState> states) {
        return stepLogits(states).toProbabilities();
    }

    /**
     * Consumes each state's pending token and updates the states, computing no next-token distribution: what a
     * replay of a key's history needs. The engines that own their arithmetic skip the output projection (for
     * the bench's large model, 2·H·V of a step's 4.3 MFLOP: three fifths).
     */
    default void advance(List<KeyState> states) {
        stepLogits(states);
    }

    @Override
    void close();
}
