package io.seqstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.topology.DeadLetters;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.app.topology.Topics;
import io.seqstream.model.LoadedModel;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production scoring topology ({@link ScoringTopology#build}) run in this process by Kafka's
 * {@link TopologyTestDriver}: no broker, and the very code a deployment runs. Every record is stepped as it arrives
 * ({@code max.batch.delay.ms=0}) and its output is collected before the next one is piped, so scores come back in
 * input order. Wall-clock punctuations never fire (the driver's clock stands still), so no sequence expires.
 *
 * <p>Not thread-safe. The state lives in a temporary directory deleted on {@link #close()}.
 */
final class OfflineTopology implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OfflineTopology.class);

    /** A record the topology refused, with the reason it gives in its dead-letter headers. */
    record DeadLetter(String reason, String detail) {
    }

    /** What the topology emitted for one input record, in emission order within each topic. */
    record Output(List<Score> scores, List<SequenceSummary> summaries, List<DeadLetter> deadLetters) {
    }

    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> events;
    private final TestOutputTopic<String, Score> scores;
    private final TestOutputTopic<String, SequenceSummary> summaries;
    private final TestOutputTopic<byte[], byte[]> deadLetters;

    private OfflineTopology(Path stateDir, TopologyTestDriver driver, Topics topics) {
        this.stateDir = stateDir;
        this.driver = driver;
        this.events = driver.createInputTopic(topics.events().name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        this.scores = driver.createOutputTopic(topics.scores().name(), topics.scores().keySerde().deserializer(),
                topics.scores().valueSerde().deserializer());
        this.summaries = driver.createOutputTopic(topics.summaries().name(),
                topics.summaries().keySerde().deserializer(), topics.summaries().valueSerde().deserializer());
        this.deadLetters = driver.createOutputTopic(topics.deadLetter().name(),
                topics.deadLetter().keySerde().deserializer(), topics.deadLetter().valueSerde().deserializer());
    }

    /**
     * Starts the topology serving {@code model} (owned by the caller, who closes it after this object) with the
     * scoring settings of {@code config}; its state directory, batching and shadow model are overridden.
     */
    static OfflineTopology start(SeqstreamConfig config, LoadedModel model) throws IOException {
        Path stateDir = Files.createTempDirectory("seqstream-score");
        try {
            SeqstreamConfig offline = config.with(Setting.STATE_DIR, stateDir)
                    .with(Setting.MAX_BATCH_DELAY_MS, 0)
                    .with(Setting.PROCESSING_GUARANTEE, "at_least_once")
                    .with(Setting.MODEL_SHADOW, "");
            TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(offline, ActiveModel.of(model),
                    new SeqstreamMetrics(new SimpleMeterRegistry())), StreamsSettings.build(offline));
            return new OfflineTopology(stateDir, driver, Topics.from(offline));
        } catch (RuntimeException e) {
            deleteRecursively(stateDir);
            throw e;
        }
    }

    /** Pipes one input record (key and value as on the events topic) and returns what the topology emitted. */
    Output pipe(byte[] key, byte[] value) {
        events.pipeInput(new TestRecord<>(key, value, Instant.now()));
        List<DeadLetter> dead = deadLetters.readRecordsToList().stream()
                .map(r -> new DeadLetter(DeadLetters.header(r.headers(), DeadLetters.REASON),
                        DeadLetters.header(r.headers(), DeadLetters.DETAIL)))
                .toList();
        return new Output(scores.readValuesToList(), summaries.readValuesToList(), dead);
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            deleteRecursively(stateDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            log.debug("Could not delete the offline state directory {}: {}", dir, e.toString());
        }
    }
}
