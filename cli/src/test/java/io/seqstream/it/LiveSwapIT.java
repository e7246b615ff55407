package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ModelVersion;
import io.seqstream.app.model.ServedModels;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live swap under load on the in-process broker: the application serves v1 from a served-models directory
 * (as the sidecar leaves it), v2 is activated there mid-stream, and afterwards every event has exactly one
 * committed score, each key switches version once and never back, and every score equals the offline output of
 * the version that produced it (v2's over the replayed context). Prints what the swap cost.
 */
class LiveSwapIT {
    private static final Logger log = LoggerFactory.getLogger(LiveSwapIT.class);

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldSwapVersionsMidStreamScoringEveryEventExactlyOnce() throws Exception {
        Path store = dir.resolve("store");
        Path served = dir.resolve("served");
        ModelStore source = ModelStore.local(store);
        ModelStore.local(TestModels.storeDir()).download(ModelRef.of(TestModels.HDFS, "1"), store, null);
        LoadedModel v1 = TestModels.hdfs();
        LoadedModel v2 = RandomModels.withVocabulary(store, TestModels.HDFS, v1.vocabulary(), 8, 16, 1, 11L);
        activate(source, served, v1.label());

        long commitMs = 100;
        long batchDelayMs = 20;
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MODEL_STORE.key(), store.toString(),
                Setting.MODEL_DIR.key(), served.toString(),
                Setting.MODEL_WATCH_MS.key(), "100",
                Setting.REPLAY_TOKENS.key(), "512",
                Setting.STREAM_THREADS.key(), "2",
                Setting.MAX_BATCH_DELAY_MS.key(), Long.toString(batchDelayMs),
                Setting.COMMIT_INTERVAL_MS.key(), Long.toString(commitMs)));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 24);
        int longest = sessions.values().stream().mapToInt(List::size).max().orElseThrow();
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        long announced;
        long allSwitched;
        List<Score> scores;
        List<long[]> arrivals;
        long activated;
        try (ServedModels models = ServedModels.open(env.config, source, served, Duration.ZERO);
             ScoringApp app = ScoringApp.start(env.config, models.served(), null, registry);
             KafkaConsumer<byte[], byte[]> watch = env.consumer(true, env.topics.scores().name())) {
            models.startWatching(new SeqstreamMetrics(registry), Duration.ofMillis(100));
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            ModelVersion old = models.served().current();
            assertThat(old.label()).isEqualTo(v1.label());

            // t-0: a steady stream (one event every 5 ms, sessions interleaved) starts under v1
            // t-1: once a third of the events is out, v2 is activated; the stream goes on to the end
            arrivals = new java.util.ArrayList<>(); // {partition, arrival ms}
            long[] swapTimes = new long[1];
            java.util.concurrent.CompletableFuture<Void> producing = java.util.concurrent.CompletableFuture.runAsync(
                    () -> streamSteadily(env, sessions, total / 3, () -> {
                        swapTimes[0] = System.nanoTime();
                        activate(source, served, v2.label());
                    }));
            allSwitched = 0;
            while (!producing.isDone() || arrivals.size() < total) {
                drain(watch, 0, arrivals);
                if (swapTimes[0] != 0 && allSwitched == 0 && old.retired().isDone()) {
                    allSwitched = System.nanoTime();
                }
                if (producing.isCompletedExceptionally()) {
                    producing.join();
                }
                if (producing.isDone() && arrivals.size() < total) {
                    drain(watch, total - arrivals.size(), arrivals);
                }
            }
            announced = swapTimes[0];
            old.retired().get(30, TimeUnit.SECONDS);
            if (allSwitched == 0) {
                allSwitched = System.nanoTime();
            }
            assertThat(models.served().current().label()).isEqualTo(v2.label());
            activated = models.served().current().activatedAtNanos();
            scores = env.readScores(total, Duration.ofSeconds(60));
        }

        assertThat(scores).as("one committed score per event").hasSize(total);
        Map<String, Integer> keys = ScoreAssertions.assertExactlyOnceAcrossASwap(scores, sessions, v1, v2);
        assertThat(keys.get(v2.label())).as("keys scored by v2 after the swap").isPositive();
        long announcedMs = announced / 1_000_000;
        long switchedMs = allSwitched / 1_000_000;
        long before = longestGap(arrivals, announcedMs - 3_000, announcedMs);
        long during = longestGap(arrivals, announcedMs, switchedMs + 500);
        double threadSwitchMs = registry.get(SeqstreamMetrics.THREAD_SWITCH).timer().max(TimeUnit.MILLISECONDS);
        double switchTookMs = registry.get(SeqstreamMetrics.THREAD_SWITCH_DURATION).timer()
                .max(TimeUnit.MILLISECONDS);
        String cost = String.format(java.util.Locale.ROOT, "Live swap: pointer written to every stream thread"
                        + " switched %.0f ms (verify, load and warm off the stream threads %.0f ms; slowest thread's"
                        + " switch after activation %.0f ms; the longest switch itself, during which its thread steps"
                        + " nothing, %.0f ms); longest gap between two committed scores of one"
                        + " partition: %d ms during the swap vs %d ms in the 3 s before it (target: one batch round +"
                        + " the commit interval, %d + %d ms)",
                (allSwitched - announced) / 1e6, (activated - announced) / 1e6, threadSwitchMs, switchTookMs, during,
                before,
                batchDelayMs, commitMs);
        log.info(cost);
        System.out.println(cost);
    }

    /** Publishes every session's events interleaved, one every 5 ms, running {@code swap} after {@code swapAt}. */
    private static void streamSteadily(ItEnvironment env, Map<String, List<String>> sessions, int swapAt,
                                       ThrowingRunnable swap) {
        int longest = sessions.values().stream().mapToInt(List::size).max().orElseThrow();
        int sent = 0;
        try (var producer = env.producer()) {
            for (int t = 0; t < longest; t++) {
                for (Map.Entry<String, List<String>> s : sessions.entrySet()) {
                    if (t < s.getValue().size()) {
                        env.send(producer, s.getKey(), "{\"token\":\"" + s.getValue().get(t) + "\"}");
                        producer.flush();
                        if (++sent == swapAt) {
                            swap.run();
                        }
                        Thread.sleep(5);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Writes the served-models directory as the sidecar would: the version's files, then the pointer. */
    private static void activate(ModelStore source, Path served, String label) throws Exception {
        ModelRef ref = ModelRef.parse(label);
        source.download(ref, served, null);
        new ModelPointer(ref.name(), ref.version().orElseThrow(), source.manifestSha256(ref)).write(served);
    }

    /** Polls committed scores once, recording each one's partition and arrival time (ms). */
    private static void drain(KafkaConsumer<byte[], byte[]> consumer, int atLeast, List<long[]> arrivals) {
        int[] seen = {0};
        await("scores").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(30))) {
                arrivals.add(new long[] {record.partition(), System.nanoTime() / 1_000_000});
                seen[0]++;
            }
            return seen[0] >= atLeast;
        });
    }

    /** The longest time between consecutive arrivals on one partition, counting pairs that end in [from, to). */
    private static long longestGap(List<long[]> arrivals, long from, long to) {
        Map<Long, Long> last = new HashMap<>();
        long longest = 0;
        for (long[] arrival : arrivals) {
            Long previous = last.put(arrival[0], arrival[1]);
            if (previous != null && arrival[1] >= from && arrival[1] < to) {
                longest = Math.max(longest, arrival[1] - previous);
            }
        }
        return longest;
    }
}
