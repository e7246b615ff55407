package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code commit.interval.ms} is the period of the scoring application's commits under exactly-once: one commit in
 * every interval of the wall clock while events flow, not one per interval plus a commit's duration (Kafka
 * Streams' own timing), nor at Kafka Streams' own interval, ten times the setting: a fallback that adds a commit
 * of its own now and then.
 */
class CommitGridIT {
    private static final long INTERVAL_MS = 400;
    private static final long WINDOW_MS = 6_000;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path stateDir;

    @Test
    void shouldCommitOnceInEveryIntervalWhileEventsFlow() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, stateDir, Map.of(
                Setting.PROCESSING_GUARANTEE.key(), "exactly_once_v2",
                Setting.COMMIT_INTERVAL_MS.key(), Long.toString(INTERVAL_MS)));
        try (ScoringApp app = ScoringApp.start(env.config, TestModels.hdfs(), new SimpleMeterRegistry());
             KafkaProducer<byte[], byte[]> producer = env.producer()) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            // events into every partition's task until the first scores are committed: the app is warm
            sendFor(env, producer, 2_000);
            env.readScores(1, Duration.ofSeconds(60));

            double before = commits(app.streams());
            sendFor(env, producer, WINDOW_MS);
            double commits = commits(app.streams()) - before;

            long fallback = StreamsSettings.FALLBACK_COMMIT_FACTOR * INTERVAL_MS;
            long expected = WINDOW_MS / INTERVAL_MS + WINDOW_MS / fallback;
            assertThat(commits)
                    .as("commits in %d ms of steady input at commit.interval.ms=%d (Kafka Streams' own interval: %d)",
                            WINDOW_MS, INTERVAL_MS, fallback)
                    .isBetween(expected - 3.0, expected + 2.0);
        }
    }

    /** Sends an event every 20 ms to one of 16 keys for {@code millis}. */
    private static void sendFor(ItEnvironment env, KafkaProducer<byte[], byte[]> producer, long millis)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (int i = 0; System.nanoTime() < end; i++) {
            env.send(producer, "blk-" + (i % 16), "{\"token\":\"5\"}");
            producer.flush();
            Thread.sleep(20);
        }
    }

    /** Kafka Streams' count of commits by the application's stream threads. */
    private static double commits(KafkaStreams streams) {
        return streams.metrics().values().stream()
                .filter(m -> m.metricName().group().equals("stream-thread-metrics")
                        && m.metricName().name().equals("commit-total"))
                .map(Metric::metricValue)
                .mapToDouble(v -> ((Number) v).doubleValue())
                .sum();
    }
}
