package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.LoadedModel;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code seqstream run} JVM serving v1 from a served-models directory is SIGKILLed at a random moment after the
 * sidecar's activation of v2 (the pointer write): before, during or after the stream threads switch. Restarted on
 * the same state directory it serves the announced v2, and every event ends up with exactly one committed score,
 * each key switching from v1 to v2 once and never back, each score equal to its version's offline output.
 */
class SwapCrashIT {
    private static final Logger log = LoggerFactory.getLogger(SwapCrashIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldScoreEveryEventExactlyOnceWhenKilledBetweenActivationAndSwitch() throws Exception {
        long started = System.nanoTime();
        long seed = System.nanoTime();
        log.info("SwapCrashIT seed {}", seed);
        Random random = new Random(seed);
        TestStore store = TestStore.withTrainedVersion(dir.resolve("store"));
        LoadedModel v1 = TestModels.hdfs();
        LoadedModel v2 = store.addRandomVersion(11L);
        Path served = dir.resolve("served");
        store.activate(served, "1");
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MODEL_STORE.key(), store.dir.toString(),
                Setting.MODEL_DIR.key(), served.toString(),
                Setting.MODEL_WATCH_MS.key(), "100",
                Setting.REPLAY_TOKENS.key(), "512",
                Setting.MAX_BATCH_DELAY_MS.key(), "50",
                Setting.COMMIT_INTERVAL_MS.key(), "500"));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 12); // each >= 13 events
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);

        // p-0: positions [0, 4) scored and committed under v1
        ScoringProcess first = ScoringProcess.start(env.config, dir, "run-1");
        long killAfterMs = random.nextInt(1500);
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            env.publishInterleaved(sessions, 0, 4);
            awaitScores(env, ItEnvironment.count(sessions, 0, 4), true, first);
            // p-1: position 4 published; once scoring it has begun, v2 is activated and a SIGKILL scheduled at a
            // random point 0-1500 ms later, while positions 5, 6, 7 keep arriving about every 300 ms
            env.publishInterleaved(sessions, 4, 5);
            awaitScores(env, ItEnvironment.count(sessions, 0, 4) + 1, false, first);
            store.activate(served, "2");
            ScheduledFuture<?> kill = killer.schedule(() -> {
                first.kill();
                return null;
            }, killAfterMs, TimeUnit.MILLISECONDS);
            for (int position = 5; position < 8; position++) {
                Thread.sleep(300); // pacing the input across the kill window, not a wait for a condition
                env.publishInterleaved(sessions, position, position + 1);
            }
            kill.get(30, TimeUnit.SECONDS);
        } finally {
            first.kill();
            killer.shutdownNow();
        }
        List<Score> committed = env.readScores(0, Duration.ofSeconds(1));
        log.info("Killed {} ms after activating v2 (seed {}): {} of {} published scores committed, {} of them by v2",
                killAfterMs, seed, committed.size(), ItEnvironment.count(sessions, 0, 8),
                committed.stream().filter(s -> s.getModel().toString().equals(v2.label())).count());

        // p-2: restarted on the same state directory; the rest published
        try (ScoringProcess second = ScoringProcess.start(env.config, dir, "run-2")) {
            env.publishInterleaved(sessions, 8, Integer.MAX_VALUE);
            awaitScores(env, total, true, second);
            log.info("All {} events scored; stopping the restarted process", total);
        }
        log.info("The restarted process stopped");

        List<Score> scores = env.readScores(total, TIMEOUT);
        assertThat(scores).as("one committed score per event (seed %d, kill after %d ms)", seed, killAfterMs)
                .hasSize(total);
        ScoreAssertions.assertExactlyOnceAcrossASwap(scores, sessions, v1, v2);
        Map<String, String> lastModel = new HashMap<>();
        scores.forEach(s -> lastModel.put(s.getKey().toString(), s.getModel().toString()));
        assertThat(lastModel).as("the version of each key's last score").hasSize(sessions.size())
                .allSatisfy((key, model) -> assertThat(model).as(key).isEqualTo(v2.label()));
        log.info("SwapCrashIT took {} s", (System.nanoTime() - started) / 1_000_000_000);
    }

    /** Waits until {@code count} scores are on the topic, failing early with the log if the process died. */
    private static void awaitScores(ItEnvironment env, int count, boolean committed, ScoringProcess process) {
        try (KafkaConsumer<byte[], byte[]> consumer = env.consumer(committed, env.topics.scores().name())) {
            List<Object> seen = new ArrayList<>();
            await(count + (committed ? " committed" : "") + " scores from " + process).atMost(TIMEOUT)
                    .pollInterval(Duration.ZERO).until(() -> {
                        consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
                        if (!process.isAlive()) {
                            throw new AssertionError("The scoring process died:\n" + process.logTail());
                        }
                        return seen.size() >= count;
                    });
        }
    }
}
