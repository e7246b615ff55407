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
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.sidecar.SidecarStatus;
import io.seqstream.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code seqstream sidecar} JVM is SIGKILLed while it downloads an announced v2 (made big with a 64 MiB
 * extra file, so that staging and verifying it takes a moment), beside an application that serves v1 from the
 * sidecar's directory while events stream. The application goes on with v1; the restarted sidecar clears the
 * leftover staging directory and activates v2; the application switches, and every event ends up with exactly one
 * committed score (one switch per key, each score equal to its version's offline output).
 */
class SidecarCrashIT {
    private static final Logger log = LoggerFactory.getLogger(SidecarCrashIT.class);
    private static final String NAME = TestStore.NAME;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long PADDING = 64L << 20;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldReachTheAnnouncedVersionAfterTheSidecarIsKilledMidDownload() throws Exception {
        long started = System.nanoTime();
        long seed = System.nanoTime();
        log.info("SidecarCrashIT seed {}", seed);
        Random random = new Random(seed);
        TestStore store = TestStore.withTrainedVersion(dir.resolve("store"));
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
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 12); // each >= 13 events
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
        ModelAnnouncements announcements = new ModelAnnouncements(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), modelsTopic, new SimpleMeterRegistry());
        announcements.ensureTopic();
        announcements.announce(store.announcement("1"));

        // s-0: the sidecar activates v1; the application serves it from the sidecar's directory
        ScoringProcess sidecar = ScoringProcess.startSidecar(env.config, dir, "sidecar-1");
        ScoringProcess restarted = null;
        long killDelayMs = random.nextInt(100);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try {
            // while the sidecar's JVM starts: v2, a random network padded to take a moment to download
            LoadedModel v1 = TestModels.hdfs();
            LoadedModel v2 = store.addRandomVersion(11L);
            store.addPadding("2", PADDING);
            awaitPointer(served, "1", sidecar);
            try (ServedModels models = ServedModels.open(env.config, store.store, served, Duration.ZERO);
                 ScoringApp app = ScoringApp.start(env.config, models.served(), null, registry);
                 ScoreArrivals arrivals = new ScoreArrivals(env)) {
                models.startWatching(new SeqstreamMetrics(registry), Duration.ofMillis(100));
                assertThat(app.awaitRunning(TIMEOUT)).isTrue();
                assertThat(models.served().current().label()).isEqualTo(v1.label());
                // s-1: positions [0, 4) under v1
                env.publishInterleaved(sessions, 0, 4);
                awaitScores(arrivals, ItEnvironment.count(sessions, 0, 4));

                // s-2: v2 announced; SIGKILL of the sidecar 0-100 ms after its staging directory appeared
                announcements.announce(store.announcement("2"));
                await("the sidecar staging v2").atMost(TIMEOUT).pollInterval(Duration.ofMillis(1))
                        .until(() -> !hiddenEntries(served).isEmpty() || !sidecar.isAlive());
                assertThat(sidecar.isAlive()).as("sidecar alive; log:\n%s", sidecar.logTail()).isTrue();
                Thread.sleep(killDelayMs); // the random point of the crash, not a wait for a condition
                sidecar.kill();
                List<String> leftovers = hiddenEntries(served);
                String pointer = TestStore.pointedVersion(served);
                log.info("Sidecar killed {} ms into staging v2 (seed {}): leftovers {}, v2 directory {}, pointer names"
                                + " v{}", killDelayMs, seed, leftovers,
                        Files.isDirectory(served.resolve(NAME).resolve("2")) ? "present" : "absent", pointer);
                assertThat(pointer).as("pointer after a kill mid-download (seed %d)", seed).isEqualTo("1");

                // s-3: positions [4, 8) stream with no sidecar: still v1
                env.publishInterleaved(sessions, 4, 8);
                awaitScores(arrivals, ItEnvironment.count(sessions, 0, 8));
                assertThat(models.served().current().label()).isEqualTo(v1.label());

                // s-4: the restarted sidecar replays the announcement; v2 becomes active; the rest streams
                restarted = ScoringProcess.startSidecar(env.config, dir, "sidecar-2");
                awaitPointer(served, "2", restarted);
                await("the application serving v2").atMost(TIMEOUT)
                        .until(() -> models.served().current().label().equals(v2.label()));
                env.publishInterleaved(sessions, 8, Integer.MAX_VALUE);
                awaitScores(arrivals, total);
                log.info("All {} events scored; closing the application", total);
            }
            assertThat(hiddenEntries(served)).as("leftovers after the restart").isEmpty();
            SidecarStatus status = SidecarStatus.read(served, NAME).orElseThrow();
            assertThat(status.activeVersion()).isEqualTo("2");
            assertThat(status.rejections()).isEmpty();
            log.info("Application closed; checking the scores");
            assertScoredExactlyOnceEndingWithV2(env, sessions, total, seed, v1, v2);
        } finally {
            sidecar.kill();
            if (restarted != null) {
                long stopping = System.nanoTime();
                restarted.close();
                log.info("The restarted sidecar stopped on SIGTERM in {} ms",
                        (System.nanoTime() - stopping) / 1_000_000);
            }
        }

        log.info("SidecarCrashIT took {} s", (System.nanoTime() - started) / 1_000_000_000);
    }

    private static void assertScoredExactlyOnceEndingWithV2(ItEnvironment env, Map<String, List<String>> sessions,
            int total, long seed, LoadedModel v1, LoadedModel v2) {
        List<Score> scores = env.readScores(total, TIMEOUT);
        assertThat(scores).as("one committed score per event (seed %d)", seed).hasSize(total);
        log.info("Read {} committed scores", scores.size());
        Map<String, Integer> keys = ScoreAssertions.assertExactlyOnceAcrossASwap(scores, sessions, v1, v2);
        assertThat(keys.get(v2.label())).as("keys that switched to v2").isEqualTo(sessions.size());
        Map<String, String> lastModel = new HashMap<>();
        scores.forEach(s -> lastModel.put(s.getKey().toString(), s.getModel().toString()));
        assertThat(lastModel.values()).as("the version of each key's last score").containsOnly(v2.label());
    }

    /** Hidden entries (staging and replaced directories) in the model's served directory. */
    private static List<String> hiddenEntries(Path served) throws IOException {
        Path modelDir = served.resolve(NAME);
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(modelDir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    private static void awaitPointer(Path served, String version, ScoringProcess sidecar) {
        await("the sidecar's pointer on v" + version).atMost(TIMEOUT).until(() -> {
            if (!sidecar.isAlive()) {
                throw new AssertionError("The sidecar died:\n" + sidecar.logTail());
            }
            return TestStore.pointedVersion(served).equals(version);
        });
    }

    private static void awaitScores(ScoreArrivals arrivals, int count) {
        await(count + " committed scores").atMost(TIMEOUT).until(() -> arrivals.count() >= count);
    }
}
