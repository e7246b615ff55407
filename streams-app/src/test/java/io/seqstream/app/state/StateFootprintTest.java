package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.app.config.StreamsSettings;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
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
 * round rewrites {@value #HOT_KEYS} hot keys' 4 KB states and adds {@value #IDLE_PER_ROUND} keys that then stay
 * idle (sequences waiting for their TTL), {@value #ROUNDS_PER_FLUSH} rounds (16 MB, a Kafka Streams write buffer) to
 * each record the driver processes, after which it flushes RocksDB's memtable (under exactly-once Kafka Streams
 * flushes a memtable when it is full), {@value #FLUSHES} records in all. Writes the directory's size against the
 * live data every {@value #EVERY} flushes for the default layout and for {@code state.blob-files=true} to standard
 * output (surefire's {@code StateFootprintTest-output.txt}; sizes in MiB), and holds the default to twice its live
 * data and two memtables' worth of files (with blob files it went past that from the 200th round on).
 */
class StateFootprintTest {
    static final int HOT_KEYS = 1_000;
    static final int IDLE_PER_ROUND = 20;
    static final int ROUNDS_PER_FLUSH = 4;
    static final int FLUSHES = 100;
    static final int EVERY = 10;
    static final int STATE_BYTES = 4096;
    /** Kafka Streams' RocksDB write buffer (a memtable), the unit a store's files come in. */
    static final long WRITE_BUFFER_BYTES = 16L << 20;
    private static final String STORE = "states";

    @Test
    void shouldKeepTheDefaultStoreWithinAFewTimesItsLiveDataWhileIdleKeysAccumulate(@TempDir Path dir)
            throws IOException {
        List<long[]> layoutDefault = footprint(dir.resolve("default"), Map.of());
        List<long[]> blobFiles = footprint(dir.resolve("blob-files"), Map.of("state.blob-files", "true"));
        System.out.println(line("default layout", layoutDefault));
        System.out.println(line("state.blob-files=true", blobFiles));

        // at most two copies of the live data (a compaction's input and output) and two memtables' worth of files
        for (long[] point : layoutDefault) {
            assertThat(point[1]).as("bytes on disk after %d rounds, %d bytes live", point[0], point[2])
                    .isLessThanOrEqualTo(2 * point[2] + 2 * WRITE_BUFFER_BYTES);
        }
    }

    /** The rounds so far, the directory's bytes and the live bytes, every {@value #EVERY} flushes. */
    private static List<long[]> footprint(Path stateDir, Map<String, String> settings) throws IOException {
        Properties props = BlobFilesTest.driverProperties("footprint-test", stateDir, settings);
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "flushes");
        topology.addProcessor("rewrite", Rewrite::new, "in");
        // no changelog: the driver would hold every record written to it in memory
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled(), "rewrite");
        List<long[]> points = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("flushes", new StringSerializer(),
                    new StringSerializer());
            for (int flush = 1; flush <= FLUSHES; flush++) {
                // the driver commits after each record, flushing the store
                in.pipeInput("flush", Integer.toString(flush));
                if (flush % EVERY == 0) {
                    long rounds = (long) flush * ROUNDS_PER_FLUSH;
                    long live = (HOT_KEYS + rounds * IDLE_PER_ROUND) * STATE_BYTES;
                    points.add(new long[] {rounds, size(stateDir), live});
                }
            }
        }
        return points;
    }

    private static String line(String layout, List<long[]> points) {
        return String.format(Locale.ROOT, "state footprint, %s: %s (MiB on disk / MiB live, after that many rounds)",
                layout, points.stream().map(p -> String.format(Locale.ROOT, "%d: %d/%d", p[0], p[1] >> 20, p[2] >> 20))
                        .collect(Collectors.joining(", ")));
    }

    /** The bytes of the files under {@code dir}; a file RocksDB deletes while they are counted counts nothing. */
    private static long size(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                total[0] += attributes.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return total[0];
    }

    /** Per record: {@value #ROUNDS_PER_FLUSH} rounds, each rewriting every hot key's state and adding idle keys. */
    private static final class Rewrite extends ContextualProcessor<String, String, Void, Void> {
        @Override
        public void process(Record<String, String> record) {
            KeyValueStore<String, byte[]> store = context().getStateStore(STORE);
            Random random = new Random(Long.parseLong(record.value()));
            for (int round = 0; round < ROUNDS_PER_FLUSH; round++) {
                for (int k = 0; k < HOT_KEYS; k++) {
                    store.put("hot-" + k, state(random));
                }
                for (int k = 0; k < IDLE_PER_ROUND; k++) {
                    store.put("idle-" + record.value() + "-" + round + "-" + k, state(random));
                }
            }
        }

        private static byte[] state(Random random) {
            byte[] value = new byte[STATE_BYTES];
            random.nextBytes(value);
            return value;
        }
    }
}
