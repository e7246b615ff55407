package io.seqstream.it;

import static org.awaitility.Awaitility.await;

import io.seqstream.app.SendFailures;
import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.topology.Topics;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One integration test's world on the shared broker: unique topics and application id, a configuration for
 * the tiny HDFS model, and helpers to publish events and read outputs back with {@code read_committed}.
 */
final class ItEnvironment {
    static final int PARTITIONS = 3;

    /** Gives every environment its own names, whichever broker it runs on. */
    private static final KafkaFixture NAMES = KafkaFixture.create();

    final String bootstrapServers;
    /** What the test's own clients need besides bootstrap.servers (security settings), empty on the shared broker. */
    final Map<String, String> clientProperties;
    final SeqstreamConfig config;
    final Topics topics;
    /** Events {@link #send} published, and those the broker did not take. */
    private final AtomicLong sent = new AtomicLong();
    private final SendFailures unsent = new SendFailures();

    ItEnvironment(KafkaFixture kafka, Path stateDir, Map<String, String> settings) {
        this(kafka.bootstrapServers(), Map.of(), stateDir, settings);
    }

    /**
     * On a broker of the test's own (a secured one, one the test stops): the test's producers, consumers and
     * topic creation use {@code clientProperties}; the application gets only {@code settings}.
     */
    ItEnvironment(String bootstrapServers, Map<String, String> clientProperties, Path stateDir,
                  Map<String, String> settings) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
        Map<String, String> all = new HashMap<>();
        all.put(Setting.APPLICATION_ID.key(), uniqueName("seqstream-it"));
        all.put(Setting.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        all.put(Setting.EVENTS_TOPIC.key(), uniqueName("events"));
        all.put(Setting.SCORES_TOPIC.key(), uniqueName("scores"));
        all.put(Setting.ANOMALIES_TOPIC.key(), uniqueName("anomalies"));
        all.put(Setting.SUMMARIES_TOPIC.key(), uniqueName("summaries"));
        all.put(Setting.DEAD_LETTER_TOPIC.key(), uniqueName("dlq"));
        all.put(Setting.MODEL_STORE.key(), TestModels.storeDir().toString());
        all.put(Setting.MODEL_NAME.key(), TestModels.HDFS);
        all.put(Setting.STATE_DIR.key(), stateDir.toString());
        all.put(Setting.HTTP_PORT.key(), "0");
        all.put("kafka.consumer.session.timeout.ms", "10000");
        all.putAll(settings);
        this.config = SeqstreamConfig.of(all);
        this.topics = Topics.from(config);
        TopicAdmin.ensureTopics(bootstrapServers, this.clientProperties, topics.names(), PARTITIONS);
    }

    /** A name no other test uses, for a topic, an application id or a group id. */
    static String uniqueName(String prefix) {
        return NAMES.uniqueName(prefix);
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Not idempotent, one request in flight (each partition stays in order): in CI an idempotent test producer
        // started right after another test's application closed waited out its 120 s delivery timeout on the shared
        // in-process broker and lost its records (the bench's input producers met the same, see EndToEndBenchmark).
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Publishes {@code {"token": t}} events for positions {@code [from, to)} of every session, interleaved
     * round-robin, and flushes.
     */
    void publishInterleaved(Map<String, List<String>> sessions, int from, int to) {
        int longest = sessions.values().stream().mapToInt(List::size).max().orElse(0);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int t = from; t < Math.min(to, longest); t++) {
                for (Map.Entry<String, List<String>> s : sessions.entrySet()) {
                    if (t < s.getValue().size()) {
                        send(producer, s.getKey(), "{\"token\":\"" + s.getValue().get(t) + "\"}");
                    }
                }
            }
            producer.flush();
        }
    }

    /** Sends one event; a record the broker did not take fails the next read of outputs, with the reason. */
    void send(KafkaProducer<byte[], byte[]> producer, String key, String value) {
        producer.send(new ProducerRecord<>(topics.events().name(), key == null ? null : utf8(key),
                value == null ? null : utf8(value)), unsent);
        sent.incrementAndGet();
    }

    /** Events at positions {@code [from, to)} over all sessions. */
    static int count(Map<String, List<String>> sessions, int from, int to) {
        return sessions.values().stream().mapToInt(s -> Math.max(0, Math.min(to, s.size()) - from)).sum();
    }

    static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A consumer of the given topics from the beginning, committed data only unless told otherwise. */
    KafkaConsumer<byte[], byte[]> consumer(boolean readCommitted, String... topicNames) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topicNames) {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Reads committed records of {@code topic} until at least {@code count} arrived, then a little longer. */
    List<ConsumerRecord<byte[], byte[]>> readAtLeast(String topic, int count, Duration timeout) {
        unsent.check(topics.events().name(), sent.get());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(true, topic)) {
            await("at least " + count + " records on " + topic).atMost(timeout).pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                        return out.size() >= count;
                    });
            // Anything beyond the expected count would be a duplicate: give it a chance to show up.
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    List<Score> readScores(int count, Duration timeout) {
        return readAtLeast(topics.scores().name(), count, timeout).stream()
                .map(r -> topics.scores().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .toList();
    }

    /** What a {@code seqstream} command run in-process printed, and its exit code. */
    record CliResult(int exitCode, String out, String err) {
    }

    /**
     * Runs a {@code seqstream} command in this JVM (as {@code main} would, without exiting) with this environment's
     * settings as its {@code --config} file.
     */
    CliResult cli(Path workDir, String... args) throws java.io.IOException {
        java.nio.file.Files.createDirectories(workDir);
        Path configFile = workDir.resolve("cli-" + uniqueName("config") + ".properties");
        Properties props = new Properties();
        props.putAll(config.asMap());
        try (java.io.Writer out = java.nio.file.Files.newBufferedWriter(configFile)) {
            props.store(out, "seqstream integration test CLI");
        }
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = io.seqstream.cli.SeqstreamCli.commandLine()
                .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--config");
        all.add(configFile.toString());
        int exit = cli.execute(all.toArray(String[]::new));
        return new CliResult(exit, out.toString(), err.toString());
    }

    /** Sessions of real HDFS log keys, keyed {@code blk-0}, {@code blk-1}, ... */
    static Map<String, List<String>> sessions(String file, int count) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        List<List<String>> sessions = TestModels.hdfsSessions(file, count);
        for (int i = 0; i < sessions.size(); i++) {
            out.put("blk-" + i, sessions.get(i));
        }
        return out;
    }
}
