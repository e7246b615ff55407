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
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.schemas.v1.Score;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.sidecar.Sidecar;
import io.seqstream.sidecar.SidecarMetrics;
import io.seqstream.sidecar.SidecarStatus;
import io.seqstream.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live model loop refusing bad versions on the in-process broker: the application follows the models topic as
 * {@code run --follow} does (an in-process {@link Sidecar} filling a served-models directory that the application
 * watches) and serves v1 while events stream. A version the evaluation gate refuses is never announced; damaged
 * versions that are announced (a flipped byte, truncated weights, another vocabulary, other weights than the probe
 * recorded) are each rejected by the sidecar with its reason. Scoring goes on with v1 throughout: every event has
 * exactly one committed score, named v1 and equal to v1's offline output.
 */
class RejectedVersionsIT {
    private static final Logger log = LoggerFactory.getLogger(RejectedVersionsIT.class);
    private static final String NAME = TestStore.NAME;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldRejectDamagedAndGateFailingVersionsWhileScoringGoesOnWithTheOldOne() throws Exception {
        TestStore store = TestStore.withTrainedVersion(dir.resolve("store"));
        LoadedModel v1 = TestModels.hdfs();
        for (long seed = 2; seed <= 6; seed++) {
            store.addRandomVersion(seed).close(); // versions 2..6, published intact
        }
        // damaged after publishing, each meant for another check of the sidecar; 6 stays intact but untrained
        store.flipByte("2");
        store.truncateWeightsRecorded("3");
        store.replaceVocabularyRecorded("4");
        store.shiftWeightsRecorded("5");
        Map<String, String> expectedReasons = new LinkedHashMap<>();
        expectedReasons.put("2", "checksum");
        expectedReasons.put("3", "load");
        expectedReasons.put("4", "vocabulary");
        expectedReasons.put("5", "probe");

        Path served = dir.resolve("served");
        String modelsTopic = kafka.uniqueName("models");
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MODEL_STORE.key(), store.dir.toString(),
                Setting.MODEL_DIR.key(), served.toString(),
                Setting.MODELS_TOPIC.key(), modelsTopic,
                Setting.MODEL_WATCH_MS.key(), "100",
                Setting.MAX_BATCH_DELAY_MS.key(), "20",
                Setting.COMMIT_INTERVAL_MS.key(), "100"));
        Path evalFile = dir.resolve("held-out.txt");
        Files.write(evalFile, TestModels.hdfsSessions("dev_normal", 60).stream().map(s -> String.join(" ", s))
                .collect(Collectors.toList()));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 16);
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
        Map<String, Object> kafkaProps = Map.of("bootstrap.servers", kafka.bootstrapServers());
        ModelAnnouncements announcements = new ModelAnnouncements(kafkaProps, modelsTopic, new SimpleMeterRegistry());
        SimpleMeterRegistry sidecarRegistry = new SimpleMeterRegistry();
        SimpleMeterRegistry appRegistry = new SimpleMeterRegistry();

        // t-0: v1 passes the gate (nothing active yet); the sidecar activates it; the application serves it
        ItEnvironment.CliResult first = env.cli(dir, "publish", NAME, "1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        long rejectionsFrom;
        long rejectionsTo;
        try (Sidecar sidecar = Sidecar.start(kafkaProps, modelsTopic, NAME, store.store, served, 3, sidecarRegistry)) {
            await("v1 activated by the sidecar").atMost(TIMEOUT)
                    .until(() -> TestStore.pointedVersion(served).equals("1"));
            try (ServedModels models = ServedModels.open(env.config, store.store, served, Duration.ZERO);
                 ScoringApp app = ScoringApp.start(env.config, models.served(), null, appRegistry);
                 ScoreArrivals arrivals = new ScoreArrivals(env)) {
                models.startWatching(new SeqstreamMetrics(appRegistry), Duration.ofMillis(100));
                assertThat(app.awaitRunning(TIMEOUT)).isTrue();
                assertThat(models.served().current().label()).isEqualTo(v1.label());

                // t-1: positions [0, 3) of every session scored under v1
                env.publishInterleaved(sessions, 0, 3);
                awaitScores(arrivals, ItEnvironment.count(sessions, 0, 3));

                // t-2: the gate refuses the untrained v6 against v1: nothing is announced
                ItEnvironment.CliResult gate = env.cli(dir, "publish", NAME, "6", "--eval-file", evalFile.toString());
                assertThat(gate.exitCode()).as(gate.out() + gate.err()).isEqualTo(1);
                assertThat(gate.err()).contains("refused by the gate");
                assertThat(announcements.latest(NAME)).map(ModelAnnouncement::getVersion).contains("1");

                // t-3..t-6: damaged v2..v5 announced one after another, one more position streaming after each
                rejectionsFrom = System.nanoTime();
                int position = 3;
                for (String version : expectedReasons.keySet()) {
                    announcements.announce(store.announcement(version));
                    env.publishInterleaved(sessions, position, position + 1);
                    position++;
                    await("the sidecar's rejection of v" + version).atMost(TIMEOUT).until(() -> sidecar.status()
                            .rejections().stream().anyMatch(r -> r.version().equals(version)));
                    assertThat(TestStore.pointedVersion(served)).as("pointer after v%s", version).isEqualTo("1");
                    assertThat(models.served().current().label()).as("served after v%s", version)
                            .isEqualTo(v1.label());
                }
                awaitScores(arrivals, ItEnvironment.count(sessions, 0, position));
                rejectionsTo = System.nanoTime();

                // t-7: the rest streams, still under v1
                env.publishInterleaved(sessions, position, Integer.MAX_VALUE);
                awaitScores(arrivals, total);
                assertThat(models.served().current().label()).isEqualTo(v1.label());
                long gap = arrivals.longestGapMs(rejectionsFrom, rejectionsTo);
                String cost = String.format("Rejections: longest gap between two committed scores while 4 damaged"
                        + " versions were announced and rejected: %d ms over %.0f ms", gap,
                        (rejectionsTo - rejectionsFrom) / 1e6);
                log.info(cost);
                System.out.println(cost);
            }
            assertThat(sidecar.isRunning()).isTrue();
        }

        List<Score> scores = env.readScores(total, TIMEOUT);
        assertThat(scores).as("one committed score per event").hasSize(total);
        assertThat(scores).extracting(s -> s.getModel().toString()).containsOnly(v1.label());
        ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, v1);

        SidecarStatus status = SidecarStatus.read(served, NAME).orElseThrow();
        assertThat(status.activeVersion()).isEqualTo("1");
        assertThat(status.rejections()).extracting(SidecarStatus.Rejection::version)
                .containsExactlyElementsOf(expectedReasons.keySet());
        for (SidecarStatus.Rejection r : status.rejections()) {
            assertThat(r.reason()).as("reason of v%s: %s", r.version(), r.message())
                    .isEqualTo(expectedReasons.get(r.version()));
            assertThat(sidecarRegistry.get(SidecarMetrics.REJECTIONS).tag(SidecarMetrics.TAG_REASON, r.reason())
                    .counter().count()).as("rejections counted as %s", r.reason()).isEqualTo(1.0);
        }
        assertThat(sidecarRegistry.get(SidecarMetrics.ACTIVATIONS).counter().count()).isEqualTo(1.0);
        assertThat(appRegistry.find(SeqstreamMetrics.MODEL_SWAPS).timers()).as("swaps the application tried")
                .allSatisfy(timer -> assertThat(timer.count()).as(timer.getId().toString()).isZero());
        ItEnvironment.CliResult shown = env.cli(dir, "sidecar", "status");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("Active version:    1");
        expectedReasons.forEach((version, reason) ->
                assertThat(shown.out()).contains("version " + version + "  " + reason + ": "));
    }

    private static void awaitScores(ScoreArrivals arrivals, int count) {
        await(count + " committed scores").atMost(TIMEOUT).until(() -> arrivals.count() >= count);
    }
}
