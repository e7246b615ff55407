package io.seqstream.kafka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Records the broker every fixture-based test class saw, to check that they all share one. */
final class SharedBrokerProbe {

    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    private SharedBrokerProbe() {
    }

    /** Records this class's broker and returns every broker recorded so far in this JVM. */
    static Set<String> record(String bootstrapServers) {
        SEEN.add(bootstrapServers);
        return Set.copyOf(SEEN);
    }
}
