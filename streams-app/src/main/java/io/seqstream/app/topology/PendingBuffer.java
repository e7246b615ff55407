package io.seqstream.app.topology;

import io.seqstream.app.state.PendingEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The events of one task waiting for their batch: kept in a changelogged store (so a commit that happens
 * while they wait commits them too, and a crash restores them) with an in-memory mirror in arrival order.
 * Without a store (no batching: events are scored in the call that brings them) it is memory only.
 */
final class PendingBuffer {
    /** Key: arrival sequence number. Value: the event. */
    private final KeyValueStore<Long, PendingEvent> store;
    private final List<PendingEvent> mirror = new ArrayList<>();
    private long nextSequence;
    private int steps;

    /** Rebuilds the mirror from the store, which holds what was pending at the last commit; null = memory only. */
    PendingBuffer(KeyValueStore<Long, PendingEvent> store) {
        this.store = store;
        if (store == null) {
            return;
        }
        try (KeyValueIterator<Long, PendingEvent> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, PendingEvent> entry = all.next();
                mirror.add(entry.value);
                steps += entry.value.steps();
                nextSequence = Math.max(nextSequence, entry.key + 1);
            }
        }
        mirror.sort(java.util.Comparator.comparingLong(PendingEvent::sequence));
    }

    long nextSequence() {
        return nextSequence;
    }

    void add(PendingEvent event) {
        if (store != null) {
            store.put(event.sequence(), event);
        }
        mirror.add(event);
        steps += event.steps();
        nextSequence = event.sequence() + 1;
    }

    /** LSTM steps the pending events need. */
    int steps() {
        return steps;
    }

    boolean isEmpty() {
        return mirror.isEmpty();
    }

    long oldestReceivedAt() {
        return mirror.isEmpty() ? Long.MAX_VALUE : mirror.get(0).receivedAt();
    }

    /** The pending events in arrival order; they stay pending until {@link #clear()}. */
    List<PendingEvent> events() {
        return mirror;
    }

    /** Forgets every pending event, in the store too: call once their scores are emitted. */
    void clear() {
        if (store != null) {
            for (PendingEvent event : mirror) {
                // put(k, null) deletes as delete(k) does, without reading and deserializing the old value to
                // return it (3 % of the stream thread's samples in a profile of the HDFS bench)
                store.put(event.sequence(), null);
            }
        }
        mirror.clear();
        steps = 0;
    }
}
