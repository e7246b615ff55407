package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.app.config.StreamsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How large a Kafka Streams state store configured by {@link StreamsSettings} grows on disk in a steady run: every
 * commit rewrites {@value #HOT_KEYS} hot keys' 4 KB states and adds {@value #COLD_PER_COMMIT} keys that then stay
 * idle (sequences waiting for their TTL), {@value #COMMITS} commits in all (each one a flush of RocksDB's memtable,
 * as a Kafka Streams commit is). Prints the directory's size against the live data every 50 commits for the default
 * layout and for {@code state.blob-files=true}, and holds the default to a bound.
 */
class StateFootprintTest {
    static final int HOT_KEYS = 1_000;
    static final int COLD_PER_COMMIT = 20;
    static final int COMMITS = 400;
    static final int STATE_BYTES = 4096;
    /** The most the default layout's directory may hold per byte of live data, once past the first 50 commits. */
    static final double DEFAULT_BOUND = 4.0;
    private static final String STORE = "states";

    @Test
    void shouldKeepTheDefaultStoreWithinAFewTimesItsLiveDataWhileIdleKeysAccumulate(@TempDir Path dir)
            throws IOException {
        List<long[]> layoutDefault = footprint(dir.resolve("default"), Map.of());
        List<long[]> blobFiles = footprint(dir.resolve("blob-files"), Map.of("state.blob-files", "true"));
        System.out.println(line("default layout", layoutDefault));
        System.out.println(line("state.blob-files=true", blobFiles));

        for (long[] point : layoutDefault) {
            assertThat((double) point[1] / point[2]).as("directory over live data after %d commits", point[0])
                    .isLessThanOrEqualTo(DEFAULT_BOUND);
        }
    }

    /** The commit, the directory's bytes and the live bytes, every 50 commits after the first 50. */
    private static List<long[]> footprint(Path stateDir, Map<String, String> settings) throws IOException {
        Properties props = BlobFilesTest.driverProperties("footprint-test", stateDir, settings);
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "commits");
        topology.addProcessor("rewrite", Rewrite::new, "in");
        // no changelog: the driver would hold every record written to it in memory
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled(), "rewrite");
        List<long[]> points = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("commits", new StringSerializer(),
                    new StringSerializer());
            for (int commit = 1; commit <= COMMITS; commit++) {
                // the driver commits, flushing the store, after each record
                in.pipeInput("commit", Integer.toString(commit));
                if (commit > 50 && commit % 50 == 0) {
                    long live = (long) (HOT_KEYS + commit * COLD_PER_COMMIT) * STATE_BYTES;
                    points.add(new long[] {commit, size(stateDir), live});
                }
            }
        }
        return points;
    }

    private static String line(String layout, List<long[]> points) {
        return String.format(Locale.ROOT, "state footprint, %s: %s (MB on disk / MB live, after that many commits)",
                layout, points.stream().map(p -> String.format(Locale.ROOT, "%d: %d/%d", p[0], p[1] >> 20, p[2] >> 20))
                        .collect(Collectors.joining(", ")));
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Per record (one commit): rewrites every hot key's state and adds the commit's idle keys. */
    private static final class Rewrite extends ContextualProcessor<String, String, Void, Void> {
        @Override
        public void process(Record<String, String> record) {
            KeyValueStore<String, byte[]> store = context().getStateStore(STORE);
            Random random = new Random(Long.parseLong(record.value()));
            for (int k = 0; k < HOT_KEYS; k++) {
                store.put("hot-" + k, state(random));
            }
            for (int k = 0; k < COLD_PER_COMMIT; k++) {
                store.put("idle-" + record.value() + "-" + k, state(random));
            }
        }

        private static byte[] state(Random random) {
            byte[] value = new byte[STATE_BYTES];
            random.nextBytes(value);
            return value;
        }
    }
}
