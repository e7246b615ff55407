package io.seqstream.app.state;

import java.util.List;

/**
 * An input event taken from the input topic but not scored yet: kept in a changelogged store until its
 * batch is stepped, so that a crash after a commit cannot lose it.
 *
 * @param sequence arrival order within the task (also the pending store's key)
 * @param receivedAt wall-clock time of arrival, for the batching delay
 */
public record PendingEvent(long sequence, String key, List<String> tokens, boolean end, int partition, long offset,
                           long timestamp, long receivedAt) {
    public PendingEvent {
        tokens = List.copyOf(tokens);
    }

    /** LSTM steps this event costs: one per token, plus one for {@code <e>} when it ends its sequence. */
    public int steps() {
        return tokens.size() + (end ? 1 : 0);
    }
}
