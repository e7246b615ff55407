package io.seqstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.TopicSequences;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Prints what a running seqstream writes (scores, anomalies, summaries or shadow scores) as the quickstart does,
 * from any cluster: reads {@code read_committed} from every partition, from the end (or the beginning) and on
 * until Ctrl-C, {@code --max} or {@code --timeout}. Each value may be JSON or Avro single-object encoded, whatever
 * {@code output.format} the writer used; a value that is neither is reported on stderr and passed over.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the scores, anomalies or summaries of a running seqstream as they arrive.",
        footer = {"", "Examples:",
                "  seqstream tail --bootstrap-servers localhost:9092",
                "  seqstream tail --topic anomalies --from-beginning",
                "  seqstream tail --topic summaries --key blk_42 --json --max 1 --timeout 30s"})
final class TailCommand implements Callable<Integer> {
    /** What {@code --topic} accepts, and the setting naming each topic. */
    static final Map<String, Setting> TOPICS = topics();
    private static final String CONSUMER_PREFIX = "consumer.";

    @Mixin
    ConfigOptions options;

    @Option(names = "--topic", defaultValue = "scores", paramLabel = "scores|anomalies|summaries|scores-shadow",
            description = "Which output to print; the topic name comes from the settings topic.scores, "
                    + "topic.anomalies, topic.summaries or topic.scores-shadow (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--key", paramLabel = "KEY", description = "Only records of this sequence id (repeatable)")
    List<String> keys = new ArrayList<>();

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of the newest")
    boolean fromBeginning;

    @Option(names = "--json", description = "Print each record as one line of JSON (Avro values converted), "
            + "for scripts")
    boolean json;

    @Option(names = "--max", paramLabel = "N", description = "Stop after printing N records")
    Long max;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Stop after this long, e.g. 30s or 5m; "
            + "with --max, exit 1 if fewer than N records came by then")
    String timeout;

    @Option(names = "--exit-at-end", description = "Stop once every partition is read up to where it ended "
            + "when tail started")
    boolean exitAtEnd;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        Setting topicSetting = TOPICS.get(topic);
        if (topicSetting == null) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--topic': '" + topic
                    + "' (expected one of " + String.join(", ", TOPICS.keySet()) + ")");
        }
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1, got " + max);
        }
        Duration limit;
        SeqstreamConfig config;
        try {
            limit = timeout == null ? null : TopicSequences.Range.parseDuration(timeout);
            config = options.resolve(Map.of());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Reader reader = new Reader(config, config.string(topicSetting),
                topicSetting == Setting.SUMMARIES_TOPIC ? SequenceSummary.class : Score.class,
                limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos());
        CountDownLatch closed = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            stopRequested.countDown();
            reader.wakeup();
            try {
                closed.await(5, TimeUnit.SECONDS); // let the consumer leave cleanly
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "seqstream-tail-shutdown");
        try (reader) {
            Runtime.getRuntime().addShutdownHook(shutdown);
            return reader.run();
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdown);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running.
            }
        }
    }

    private static Map<String, Setting> topics() {
        Map<String, Setting> topics = new LinkedHashMap<>();
        topics.put("scores", Setting.SCORES_TOPIC);
        topics.put("anomalies", Setting.ANOMALIES_TOPIC);
        topics.put("summaries", Setting.SUMMARIES_TOPIC);
        topics.put("scores-shadow", Setting.SHADOW_SCORES_TOPIC);
        return Collections.unmodifiableMap(topics);
    }

    /** The consumer loop for one topic. */
    private final class Reader implements AutoCloseable {
        private static final Duration POLL = Duration.ofMillis(500);
        private static final Duration METADATA_WAIT = Duration.ofSeconds(10);
        private static final int MAX_REASON = 160;

        private final String bootstrapServers;
        private final String topicName;
        private final Class<? extends SpecificRecord> type;
        private final long deadlineNanos;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final PrintWriter out = spec.commandLine().getOut();
        private final PrintWriter err = spec.commandLine().getErr();
        private final Ansi ansi = spec.commandLine().getColorScheme().ansi();
        private final ObjectMapper mapper = SchemaJson.newObjectMapper();
        private long printed;
        private boolean answered;

        Reader(SeqstreamConfig config, String topicName, Class<? extends SpecificRecord> type, long deadlineNanos) {
            this.bootstrapServers = config.string(Setting.BOOTSTRAP_SERVERS);
            this.topicName = topicName;
            this.type = type;
            this.deadlineNanos = deadlineNanos;
            this.consumer = consumer(Clients.kafka(config));
        }

        void wakeup() {
            consumer.wakeup();
        }

        int run() throws InterruptedException {
            try {
                List<TopicPartition> partitions = awaitPartitions();
                if (partitions.isEmpty()) {
                    if (!answered && stopRequested.getCount() > 0) {
                        err.println(ansi.string("@|red tail: no answer from Kafka|@") + " at " + bootstrapServers
                                + " within " + timeout);
                        return 1;
                    }
                    return timedOut();
                }
                consumer.assign(partitions);
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                }
                partitions.forEach(consumer::position); // fix the starting point now, not at the first poll
                Map<TopicPartition, Long> ends = exitAtEnd ? consumer.endOffsets(partitions) : Map.of();
                err.println("Following '" + topicName + "' (" + partitions.size() + " partitions) from the "
                        + (fromBeginning ? "beginning" : "end")
                        + (exitAtEnd ? " to its current end" : "; Ctrl-C to stop"));
                err.flush();
                while (stopRequested.getCount() > 0) {
                    if (exitAtEnd && caughtUp(ends)) {
                        return 0;
                    }
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return timedOut();
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL.compareTo(Duration.ofNanos(left)) < 0
                            ? POLL : Duration.ofNanos(left))) {
                        if (print(r) && max != null && printed >= max) {
                            out.flush();
                            return 0;
                        }
                    }
                    out.flush();
                    if (out.checkError()) {
                        return 0; // whoever read our output went away, e.g. "| head"
                    }
                }
                return 0;
            } catch (WakeupException e) {
                if (stopRequested.getCount() > 0) {
                    throw e;
                }
                return 0;
            } finally {
                out.flush();
            }
        }

        /**
         * The topic's partitions, once the cluster answers and the topic exists: waits for both (the topics appear
         * when {@code seqstream run} first starts). Empty when stopped or out of time first.
         */
        private List<TopicPartition> awaitPartitions() throws InterruptedException {
            boolean toldMissing = false;
            boolean toldUnreachable = false;
            while (true) {
                long left = deadlineNanos - System.nanoTime();
                try {
                    List<PartitionInfo> infos = consumer.partitionsFor(topicName,
                            Duration.ofNanos(Math.max(1, Math.min(left, METADATA_WAIT.toNanos()))));
                    answered = true;
                    if (infos != null && !infos.isEmpty()) {
                        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    }
                    if (!toldMissing) {
                        err.println("Waiting for topic '" + topicName + "' to exist...");
                        err.flush();
                        toldMissing = true;
                    }
                } catch (TimeoutException e) {
                    if (!toldUnreachable) {
                        err.println("No answer from Kafka at " + bootstrapServers + " yet; still trying...");
                        err.flush();
                        toldUnreachable = true;
                    }
                }
                left = deadlineNanos - System.nanoTime();
                if (left <= 0
                        || stopRequested.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                    return List.of();
                }
            }
        }

        private boolean caughtUp(Map<TopicPartition, Long> ends) {
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                if (consumer.position(end.getKey()) < end.getValue()) {
                    return false;
                }
            }
            return true;
        }

        private int timedOut() {
            if (stopRequested.getCount() == 0) {
                return 0;
            }
            if (max == null) {
                return 0; // --timeout alone: a normal end
            }
            err.println(ansi.string("@|red tail: timed out|@") + " after " + timeout + " with " + printed + " of "
                    + max + " records");
            return 1;
        }

        /** Prints one record unless its key is filtered out or it cannot be read; true when it printed it. */
        private boolean print(ConsumerRecord<byte[], byte[]> r) {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (!keys.isEmpty() && !keys.contains(key)) {
                return false;
            }
            try {
                out.println(render(r.value()));
                printed++;
                return true;
            } catch (IOException | RuntimeException e) {
                err.println(ansi.string("@|yellow skipped:|@") + " " + r.topic() + "-" + r.partition() + " offset "
                        + r.offset() + ": " + reason(e));
                return false;
            }
        }

        private String render(byte[] value) throws IOException {
            if (value == null) {
                throw new IllegalArgumentException("no value");
            }
            boolean avro = AvroSingleObject.hasHeader(value);
            SpecificRecord record = avro ? AvroSingleObject.decode(value, type) : SchemaJson.read(value, type);
            if (json) {
                return avro ? SchemaJson.writeString(record) : oneLine(value);
            }
            return record instanceof Score s ? ScoreLines.score(s, ansi) : ScoreLines.summary((SequenceSummary) record,
                    ansi);
        }

        /** The JSON as written (with any fields this version does not know), on one line. */
        private String oneLine(byte[] value) throws IOException {
            String text = new String(value, StandardCharsets.UTF_8).strip();
            return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text
                    : mapper.writeValueAsString(mapper.readTree(value));
        }

        private String reason(Exception e) {
            String why = e instanceof JsonProcessingException j ? "not a JSON " + type.getSimpleName() + ": "
                    + j.getOriginalMessage()
                    : e instanceof AvroRuntimeException ? "not an Avro " + type.getSimpleName() + ": " + e.getMessage()
                    : e.getMessage();
            why = ScoreLines.printable(why == null ? e.toString() : why);
            return why.length() <= MAX_REASON ? why : why.substring(0, MAX_REASON - 3) + "...";
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
        Properties props = new Properties();
        kafka.forEach((k, v) -> {
            if (!k.startsWith(CONSUMER_PREFIX) && !isForOtherClients(k)) {
                props.put(k, v);
            }
        });
        kafka.forEach((k, v) -> {
            if (k.startsWith(CONSUMER_PREFIX)) {
                props.put(k.substring(CONSUMER_PREFIX.length()), v); // as Kafka Streams reads consumer.*
            }
        });
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "seqstream-tail");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG); // partitions are assigned, nothing is committed
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Kafka Streams' prefixes for settings of its other clients, which a plain consumer would not know. */
    private static boolean isForOtherClients(String key) {
        for (String prefix : List.of("producer.", "admin.", "main.consumer.", "restore.consumer.",
                "global.consumer.", "topic.")) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
