package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.StreamsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** {@link BlobFiles} in real RocksDB stores: where values go, and that either layout reads the other. */
class BlobFilesTest {
    private static final String STORE = "states";

    @Test
    void shouldOpenKafkaStreamsStoresWithBlobFilesOnlyWhenTurnedOn(@TempDir Path dir) throws IOException {
        // the options file RocksDB writes for each store as it opens it
        assertThat(optionsOfAStoreWritten(dir.resolve("on"), Map.of("state.blob-files", "true")))
                .contains("enable_blob_files=true", "min_blob_size=512", "enable_blob_garbage_collection=true");
        assertThat(optionsOfAStoreWritten(dir.resolve("default"), Map.of())).contains("enable_blob_files=false");
    }

    @Test
    void shouldReadStatesWrittenWithBlobFilesWithoutThemAndTheOtherWayRound(@TempDir Path dir) throws Exception {
        RocksDB.loadLibrary();
        Map<String, byte[]> values = states(300, 4096, 1);
        Map<String, byte[]> more = states(300, 4096, 2);
        try (Options blobs = options(true)) {
            write(dir, blobs, values);
        }
        assertThat(blobFiles(dir)).as("written as blobs").isNotEmpty();
        try (Options plain = options(false)) {
            assertThat(read(dir, plain, values.keySet())).containsExactlyInAnyOrderEntriesOf(values);
            write(dir, plain, more);
        }
        try (Options blobs = options(true)) {
            Map<String, byte[]> all = new HashMap<>(values);
            all.putAll(more);
            assertThat(read(dir, blobs, all.keySet())).containsExactlyInAnyOrderEntriesOf(all);
        }
    }

    /**
     * Writes 200 states of 4 KB and 200 pending-event-sized values through a Kafka Streams store configured by
     * {@link StreamsSettings}; returns the newest options file RocksDB wrote for it.
     */
    private static String optionsOfAStoreWritten(Path stateDir, Map<String, String> settings) throws IOException {
        Properties props = driverProperties("blob-files-test", stateDir, settings);
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("put", Put::new, "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()), "put");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(),
                    new StringSerializer());
            for (int i = 0; i < 200; i++) {
                in.pipeInput("state-" + i, "4096");
                in.pipeInput("pending-" + i, "100");
            }
            KeyValueStore<String, byte[]> store = driver.getKeyValueStore(STORE);
            assertThat(store.get("state-7")).hasSize(4096);
            try (Stream<Path> files = Files.walk(stateDir)) {
                Path newest = files.filter(p -> p.getFileName().toString().startsWith("OPTIONS-"))
                        .max(Comparator.comparing(Path::toString)).orElseThrow();
                return Files.readString(newest);
            }
        }
    }

    /**
     * The Kafka Streams properties the application builds from {@code settings} (plus an application id and
     * {@code stateDir}), for a {@link TopologyTestDriver} around a store.
     */
    static Properties driverProperties(String applicationId, Path stateDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("application.id", applicationId);
        all.put("state.dir", stateDir.toString());
        Properties props = StreamsSettings.build(SeqstreamConfig.of(all));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return props;
    }

    /** Puts a value of the record's size under its key. */
    private static final class Put extends ContextualProcessor<String, String, Void, Void> {
        @Override
        public void process(Record<String, String> record) {
            KeyValueStore<String, byte[]> store = context().getStateStore(STORE);
            byte[] value = new byte[Integer.parseInt(record.value())];
            new Random(record.key().hashCode()).nextBytes(value);
            store.put(record.key(), value);
        }
    }

    private static Options options(boolean blobs) {
        Options options = new Options().setCreateIfMissing(true);
        if (blobs) {
            new BlobFiles().setConfig(STORE, options, Map.of());
        }
        return options;
    }

    private static Map<String, byte[]> states(int count, int bytes, long seed) {
        Random random = new Random(seed);
        Map<String, byte[]> values = new HashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[bytes];
            random.nextBytes(value);
            values.put("key-" + seed + "-" + i, value);
        }
        return values;
    }

    private static void write(Path dir, Options options, Map<String, byte[]> values) throws Exception {
        try (RocksDB db = RocksDB.open(options, dir.toString())) {
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                db.put(e.getKey().getBytes(), e.getValue());
            }
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush);
            }
        }
    }

    private static Map<String, byte[]> read(Path dir, Options options, Iterable<String> keys) throws Exception {
        Map<String, byte[]> values = new HashMap<>();
        try (RocksDB db = RocksDB.open(options, dir.toString())) {
            for (String key : keys) {
                values.put(key, db.get(key.getBytes()));
            }
        }
        return values;
    }

    private static List<Path> blobFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".blob")).toList();
        }
    }
}
