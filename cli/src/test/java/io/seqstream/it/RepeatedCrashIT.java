package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring topology with batching on, in a JVM of its own, SIGKILLed several times mid-stream at random
 * points and restarted on the same state directory: the score topic, read committed, ends up with exactly
 * one score per input event, each equal to the offline network's (and so to a clean run's).
 */
class RepeatedCrashIT {
    private static final Logger log = LoggerFactory.getLogger(RepeatedCrashIT.class);
    private static final int KILLS = 3;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldScoreEveryEventExactlyOnceAcrossRepeatedKills() throws Exception {
        long seed = System.nanoTime();
        log.info("RepeatedCrashIT seed {}", seed);
        Random random = new Random(seed);
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MAX_BATCH_DELAY_MS.key(), "50",
                Setting.MAX_BATCH_SIZE.key(), "16",
                Setting.COMMIT_INTERVAL_MS.key(), "500"));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 12);
        int longest = sessions.values().stream().mapToInt(List::size).max().orElseThrow();
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
        int slice = (longest + KILLS) / (KILLS + 1);

        for (int round = 0; round < KILLS; round++) {
            // p-*: positions [round*slice, (round+1)*slice) published; SIGKILL at a random moment while they score
            ScoringProcess process = ScoringProcess.start(env.config, dir, "run-" + round);
            try {
                int before = env.readAtLeast(env.topics.scores().name(), 0, Duration.ofSeconds(1)).size();
                env.publishInterleaved(sessions, round * slice, (round + 1) * slice);
                awaitUncommittedScoresBeyond(env, before, process);
                Thread.sleep(random.nextInt(1500));
            } finally {
                process.kill();
            }
            log.info("Killed run {}", round);
        }
        env.publishInterleaved(sessions, KILLS * slice, Integer.MAX_VALUE);
        try (ScoringProcess last = ScoringProcess.start(env.config, dir, "final")) {
            try {
                env.readAtLeast(env.topics.scores().name(), total, Duration.ofSeconds(120));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("Not every event was scored (seed " + seed + "); log:\n" + last.logTail(), e);
            }
        }

        List<Score> scores = env.readScores(total, Duration.ofSeconds(30));
        assertThat(scores).as("one score per event (seed %d)", seed).hasSize(total);
        ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, TestModels.hdfs());
    }

    private static void awaitUncommittedScoresBeyond(ItEnvironment env, int count, ScoringProcess process) {
        try (KafkaConsumer<byte[], byte[]> consumer = env.consumer(false, env.topics.scores().name())) {
            List<Object> seen = new ArrayList<>();
            await("new scores from " + process).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
                        if (!process.isAlive()) {
                            throw new AssertionError("The scoring process died:\n" + process.logTail());
                        }
                        return seen.size() > count;
                    });
        }
    }
}
