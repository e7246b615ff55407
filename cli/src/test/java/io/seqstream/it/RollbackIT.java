package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ServedModels;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.LoadedModel;
import io.seqstream.schemas.v1.Score;
import io.seqstream.sidecar.Sidecar;
import io.seqstream.sidecar.SidecarMetrics;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqstream rollback} on the in-process broker: the application follows the models topic (an in-process
 * {@link Sidecar}, as {@code run --follow}), serves v1, switches to v2 when v2 is published, and after
 * {@code seqstream rollback hdfs-tiny} serves v1 again: sequences started after the rollback are scored by v1, and
 * their scores equal v1's offline output.
 */
class RollbackIT {
    private static final String NAME = TestStore.NAME;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldServeTheEarlierVersionsScoresAgainAfterARollback() throws Exception {
        TestStore store = TestStore.withTrainedVersion(dir.resolve("store"));
        LoadedModel v1 = TestModels.hdfs();
        LoadedModel v2 = store.addRandomVersion(11L);
        Path served = dir.resolve("served");
        String modelsTopic = kafka.uniqueName("models");
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MODEL_STORE.key(), store.dir.toString(),
                Setting.MODEL_DIR.key(), served.toString(),
                Setting.MODELS_TOPIC.key(), modelsTopic,
                Setting.MODEL_WATCH_MS.key(), "100",
                Setting.REPLAY_TOKENS.key(), "512",
                Setting.MAX_BATCH_DELAY_MS.key(), "20",
                Setting.COMMIT_INTERVAL_MS.key(), "100"));
        Map<String, List<String>> all = ItEnvironment.sessions("dev_normal", 24);
        Map<String, List<String>> before = new LinkedHashMap<>();
        Map<String, List<String>> after = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> session : all.entrySet()) {
            if (before.size() < 12) {
                before.put(session.getKey(), session.getValue());
            } else {
                after.put("new-" + session.getKey(), session.getValue());
            }
        }
        int totalBefore = ItEnvironment.count(before, 0, Integer.MAX_VALUE);
        int totalAfter = ItEnvironment.count(after, 0, Integer.MAX_VALUE);
        SimpleMeterRegistry sidecarRegistry = new SimpleMeterRegistry();
        SimpleMeterRegistry appRegistry = new SimpleMeterRegistry();

        ItEnvironment.CliResult published = env.cli(dir, "publish", NAME, "1");
        assertThat(published.exitCode()).as(published.err()).isZero();
        try (Sidecar sidecar = Sidecar.start(Map.of("bootstrap.servers", kafka.bootstrapServers()), modelsTopic, NAME,
                store.store, served, 3, sidecarRegistry)) {
            await("v1 activated").atMost(TIMEOUT).until(() -> TestStore.pointedVersion(served).equals("1"));
            try (ServedModels models = ServedModels.open(env.config, store.store, served, Duration.ZERO);
                 ScoringApp app = ScoringApp.start(env.config, models.served(), null, appRegistry);
                 ScoreArrivals arrivals = new ScoreArrivals(env)) {
                models.startWatching(new SeqstreamMetrics(appRegistry), Duration.ofMillis(100));
                assertThat(app.awaitRunning(TIMEOUT)).isTrue();

                // t-0: positions [0, 5) of the first 12 sessions under v1
                env.publishInterleaved(before, 0, 5);
                awaitScores(arrivals, ItEnvironment.count(before, 0, 5));
                // t-1: v2 published (gate skipped) and activated; the rest of those sessions under v2
                published = env.cli(dir, "publish", NAME, "2", "--force");
                assertThat(published.exitCode()).as(published.err()).isZero();
                await("v2 served").atMost(TIMEOUT).until(() -> models.served().current().label().equals(v2.label()));
                env.publishInterleaved(before, 5, Integer.MAX_VALUE);
                awaitScores(arrivals, totalBefore);
                // t-2: rollback without a version: back to the previously announced v1
                ItEnvironment.CliResult rollback = env.cli(dir, "rollback", NAME);
                assertThat(rollback.exitCode()).as(rollback.err()).isZero();
                assertThat(rollback.out()).contains("from version 2 to 1");
                await("v1 served again").atMost(TIMEOUT)
                        .until(() -> models.served().current().label().equals(v1.label()));
                assertThat(TestStore.pointedVersion(served)).isEqualTo("1");
                // t-3: 12 new sessions, started after the rollback
                env.publishInterleaved(after, 0, Integer.MAX_VALUE);
                awaitScores(arrivals, totalBefore + totalAfter);
            }
            assertThat(sidecar.status().activeVersion()).isEqualTo("1");
            assertThat(sidecar.status().kept()).containsExactly("1", "2");
            assertThat(sidecarRegistry.get(SidecarMetrics.ACTIVATIONS).counter().count()).isEqualTo(3.0);
        }

        List<Score> scores = env.readScores(totalBefore + totalAfter, TIMEOUT);
        assertThat(scores).as("one committed score per event").hasSize(totalBefore + totalAfter);
        List<Score> beforeScores = scores.stream().filter(s -> before.containsKey(s.getKey().toString())).toList();
        List<Score> afterScores = scores.stream().filter(s -> after.containsKey(s.getKey().toString())).toList();
        Map<String, Integer> keys = ScoreAssertions.assertExactlyOnceAcrossASwap(beforeScores, before, v1, v2);
        assertThat(keys.get(v2.label())).as("keys that switched to v2").isEqualTo(before.size());
        assertThat(afterScores).extracting(s -> s.getModel().toString()).containsOnly(v1.label());
        ScoreAssertions.assertExactlyOnceAndEqualToOffline(afterScores, after, v1);
    }

    private static void awaitScores(ScoreArrivals arrivals, int count) {
        await(count + " committed scores").atMost(TIMEOUT).until(() -> arrivals.count() >= count);
    }
}
