package io.seqstream.app.topology;

import io.seqstream.app.state.PendingEvent;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.TokenScore;
import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * One key's pending events in one batch round, and what the round computed for them: plain data, with no store,
 * context or record in it. A task hands its keys to the thread's round with the state it read from its own store;
 * the round steps them and fills in the results; the task converts, counts and forwards the results when it
 * applies them, in its own context.
 */
final class KeyWork {
    final String key;
    final List<PendingEvent> events;
    /** The key's state: as stored when handed over (null = none), then as the round leaves it (null = deleted). */
    KeyState state;
    /** Per scored token, in order. */
    final List<TokenResult> tokens = new ArrayList<>();
    /** How the key's state was carried over to a new model version in this round (replayed, kept, reset), or null. */
    String migration;

    private int event;
    private int tokenIndex;

    KeyWork(String key, KeyState state, List<PendingEvent> events) {
        this.key = key;
        this.state = state;
        this.events = events;
    }

    /**
     * One scored token.
     *
     * @param model {@code name@version} of the version that scored it
     * @param ended when the token is {@code <e>}: the sequence's final state, for its summary; else null
     */
    record TokenResult(PendingEvent event, String token, long position, TokenScore score, String model,
                       Vocabulary vocabulary, Double calibratedScore, KeyState ended, SessionVerdict verdict) {
    }

    boolean isDone() {
        return event >= events.size();
    }

    /** The event whose next token the next step scores. */
    PendingEvent currentEvent() {
        return events.get(event);
    }

    /** True if the next step scores {@code <e>}, the end of the current event's sequence. */
    boolean nextIsEnd() {
        return tokenIndex == currentEvent().tokens().size();
    }

    String nextToken() {
        return nextIsEnd() ? Vocabulary.END : currentEvent().tokens().get(tokenIndex);
    }

    /** Moves past the token just scored. */
    void advance() {
        tokenIndex++;
        if (tokenIndex >= currentEvent().steps()) {
            event++;
            tokenIndex = 0;
            skipEmptyEvents();
        }
    }

    /** Skips events that need no step (none: every event has a token or ends its sequence), defensively. */
    void skipEmptyEvents() {
        while (event < events.size() && events.get(event).steps() == 0) {
            event++;
        }
    }
}
