package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the application mid-stream, by closing it, by crashing it, or by losing its local state, neither
 * loses nor duplicates a score under exactly-once: the score topic, read committed, ends up holding exactly
 * the scores of an uninterrupted run (which equal the offline network's, see {@link ScoringParityIT}).
 */
class RestartIT {
    private static final int SPLIT = 8;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    private final Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 6);
    private final int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
    private final int firstHalf = ItEnvironment.count(sessions, 0, SPLIT);

    @Test
    void shouldResumeExactlyWhereItStoppedAfterAGracefulClose() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of());

        // first instance: positions 0-7 of every key, all committed, then close
        runInProcess(env, 0, SPLIT, firstHalf);
        // second instance, same state directory: the rest
        runInProcess(env, SPLIT, Integer.MAX_VALUE, total);

        assertExactlyOnce(env);
    }

    @Test
    void shouldRestoreStateFromTheChangelogWhenTheLocalStateIsWiped() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of());

        runInProcess(env, 0, SPLIT, firstHalf);
        deleteRecursively(dir.resolve("state"));
        runInProcess(env, SPLIT, Integer.MAX_VALUE, total);

        assertExactlyOnce(env);
    }

    @Test
    void shouldNeitherLoseNorDuplicateScoresWhenKilledMidTransaction() throws Exception {
        // A long commit interval keeps scored-but-uncommitted work in an open transaction when the kill lands.
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"),
                Map.of(Setting.COMMIT_INTERVAL_MS.key(), "10000"));

        // p-*: first half scored and committed
        ScoringProcess first = ScoringProcess.start(env.config, dir, "first");
        try {
            env.publishInterleaved(sessions, 0, SPLIT);
            awaitCommitted(env, firstHalf, first);
            // second half published; SIGKILL as soon as any of it is scored inside the open transaction
            env.publishInterleaved(sessions, SPLIT, Integer.MAX_VALUE);
            try (KafkaConsumer<byte[], byte[]> uncommitted = env.consumer(false, env.topics.scores().name())) {
                List<Object> seen = new ArrayList<>();
                await("scores of the second half in an open transaction").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ZERO).until(() -> {
                            uncommitted.poll(Duration.ofMillis(50)).forEach(seen::add);
                            return seen.size() > firstHalf;
                        });
            }
            first.kill();
        } finally {
            first.kill();
        }
        assertThat(env.readAtLeast(env.topics.scores().name(), 0, Duration.ofSeconds(1)).size())
                .as("committed scores at the crash").isLessThan(total);

        // a new process on the same state directory finishes the stream
        try (ScoringProcess second = ScoringProcess.start(env.config, dir, "second")) {
            awaitCommitted(env, total, second);
        }
        assertExactlyOnce(env);
    }

    private void runInProcess(ItEnvironment env, int from, int to, int expectedTotal) throws Exception {
        try (ScoringApp app = ScoringApp.start(env.config, TestModels.hdfs(), new SimpleMeterRegistry())) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            env.publishInterleaved(sessions, from, to);
            env.readAtLeast(env.topics.scores().name(), expectedTotal, Duration.ofSeconds(90));
        }
    }

    private void awaitCommitted(ItEnvironment env, int count, ScoringProcess process) {
        try {
            env.readAtLeast(env.topics.scores().name(), count, Duration.ofSeconds(120));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Scores did not arrive; process alive=" + process.isAlive() + ", log:\n"
                    + process.logTail(), e);
        }
    }

    private void assertExactlyOnce(ItEnvironment env) {
        List<Score> scores = env.readScores(total, Duration.ofSeconds(30));
        assertThat(scores).hasSize(total);
        ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, TestModels.hdfs());
    }

    private static void deleteRecursively(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
