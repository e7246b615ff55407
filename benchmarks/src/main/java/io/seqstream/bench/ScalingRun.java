package io.seqstream.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.SendFailures;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.state.KeyStateSerde;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.engine.KeyState;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.CloseOptions;

/**
 * How the cost grows with live keys, per key count: the large model's state for that many keys is written to the
 * scoring application's state changelog (real {@link KeyState}s of the model's shape, random h and c, a full
 * replay history, serialized by the application's own serde, so each record is what the application writes), a
 * plain consumer reads the changelog once (the read rate restoring is bounded by), the local state directory is
 * wiped, and the application is started on it: the time until every changelog record is restored, the state
 * directory's size on disk, the process's resident memory, and then the throughput of {@code events} events drawn
 * uniformly over those keys (every one a key with state, so every step reads a state from RocksDB).
 *
 * <p>The states are written directly rather than by scoring an event per key: at the large model's end-to-end rate
 * a million keys would take the whole run; the records, the topic and the restore path are the application's.
 */
final class ScalingRun {
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

    /**
     * @param keys            live keys, each with one state in the changelog
     * @param changelogBytes  the keys' and values' bytes in the changelog
     * @param readSeconds     a plain {@code read_committed} consumer reading the same changelog from the start
     * @param restoreSeconds  from the application's start to its last changelog record restored
     * @param stateDirBytes   the application's state directory once it has closed
     * @param rssBytes        the process's resident memory after restoring (broker and benchmark included)
     * @param eventsPerSecond scoring the events drawn over these keys after restoring; null if not drained
     */
    record Size(int keys, long changelogBytes, double readSeconds, double restoreSeconds, long stateDirBytes,
                Long rssBytes, Double eventsPerSecond) {
        double restoreOverRead() {
            return readSeconds <= 0 ? Double.NaN : restoreSeconds / readSeconds;
        }
    }

    record Result(String model, String precision, List<Size> sizes, List<String> errors) {
        Double restoreSeconds(int keys) {
            return sizes.stream().filter(s -> s.keys() == keys).map(Size::restoreSeconds).findFirst().orElse(null);
        }

        void json(Map<String, Object> j) {
            j.put("scaling_model", model);
            j.put("scaling_state_precision", precision);
            for (Size s : sizes) {
                String p = "scaling_" + s.keys() + "_";
                j.put(p + "restore_s", round(s.restoreSeconds(), 100));
                j.put(p + "changelog_read_s", round(s.readSeconds(), 100));
                j.put(p + "changelog_mb", round(s.changelogBytes() / 1e6, 10));
                j.put(p + "state_dir_mb", round(s.stateDirBytes() / 1e6, 10));
                j.put(p + "rss_mb", s.rssBytes() == null ? null : round(s.rssBytes() / 1e6, 1));
                j.put(p + "eps", s.eventsPerSecond() == null ? null : round(s.eventsPerSecond(), 1));
            }
            j.put("scaling_errors", errors);
        }

        void table(StringBuilder out) {
            out.append(String.format(Locale.ROOT, "How cost grows with live keys: %s model's state (%s), changelog "
                    + "written, state directory wiped, application restarted%n", model, precision));
            out.append(String.format(Locale.ROOT, "  %10s %13s %11s %10s %9s %14s %10s %12s%n", "keys",
                    "changelog MB", "read s", "restore s", "÷ read", "state dir MB", "RSS MB", "events/s"));
            for (Size s : sizes) {
                out.append(String.format(Locale.ROOT, "  %,10d %,13.0f %11.1f %10.1f %9.2f %,14.0f %10s %12s%n",
                        s.keys(), s.changelogBytes() / 1e6, s.readSeconds(), s.restoreSeconds(),
                        s.restoreOverRead(), s.stateDirBytes() / 1e6,
                        s.rssBytes() == null ? "-" : String.format(Locale.ROOT, "%,.0f", s.rssBytes() / 1e6),
                        s.eventsPerSecond() == null ? "-" : String.format(Locale.ROOT, "%,.0f", s.eventsPerSecond())));
            }
            out.append("  (÷ read: restore time over a plain consumer's read of the same changelog; events/s: events "
                    + "drawn uniformly over the keys, each stepping a restored state)\n");
            for (String error : errors) {
                out.append("  ERROR: ").append(error).append('\n');
            }
        }

        private static double round(double v, double scale) {
            return Math.round(v * scale) / scale;
        }
    }

    private final EndToEndBenchmark e2e;
    private final Progress progress;

    ScalingRun(EndToEndBenchmark e2e, Progress progress) {
        this.e2e = e2e;
        this.progress = progress;
    }

    /** Runs every key count in {@code keyCounts} with {@code model} (shaped as {@code spec}); a failure ends the run. */
    Result run(BenchModel spec, LoadedModel model, List<Integer> keyCounts, int events, int topG) {
        List<Size> sizes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String precision = null;
        for (int keys : keyCounts) {
            String prefix = "bench-scale-" + keys;
            SeqstreamConfig config = e2e.scoringConfig(prefix, model, topG);
            precision = config.string(Setting.STATE_PRECISION);
            try {
                sizes.add(runOne(spec, model, config, prefix, keys, events));
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                errors.add(keys + " keys: " + e);
                progress.line("scaling: %,d keys FAILED: %s", keys, e);
                break;
            } finally {
                deleteTopics(prefix, config);
                BenchCommand.deleteRecursively(config.stateDir().resolve(config.string(Setting.APPLICATION_ID)));
            }
        }
        return new Result(spec.name() + " (" + spec.shape() + ")", precision, sizes, errors);
    }

    private Size runOne(BenchModel spec, LoadedModel model, SeqstreamConfig config, String prefix, int keys,
                        int events) throws Exception {
        List<String> topics = EndToEndBenchmark.scoringTopics(prefix);
        int partitions = e2e.settings().partitions();
        e2e.broker().createTopics(partitions, topics.toArray(String[]::new));
        // A first start creates the internal topics as the application configures them; it leaves the group as it
        // closes, so that the restart below need not wait out its session.
        try (ScoringApp first = ScoringApp.start(config, model, new SimpleMeterRegistry())) {
            if (!first.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("The application did not start: " + first.fatalError());
            }
            leaveAndClose(first);
        }
        String changelog = config.string(Setting.APPLICATION_ID) + "-" + ScoringTopology.STATE_STORE + "-changelog";
        long t = System.nanoTime();
        long bytes = writeStates(changelog, config, spec, model.label(), keys);
        progress.line("scaling: %,d keys: %,.0f MB of state written to %s in %.1f s", keys, bytes / 1e6, changelog,
                since(t));
        t = System.nanoTime();
        long read = readAll(changelog, partitions);
        double readSeconds = since(t);
        // The events to score afterwards wait in the input topic while the application restores.
        Workload.Events input = new UniformWorkload(keys).events(e2e.settings().seed() + 2);
        e2e.produce(topics.get(0), input, events, event -> 1);
        Path appState = config.stateDir().resolve(config.string(Setting.APPLICATION_ID));
        BenchCommand.deleteRecursively(appState);
        OutputReader reader = new OutputReader(e2e.broker().bootstrapServers(), prefix + "-scores", partitions, events);
        t = System.nanoTime();
        try (ScoringApp app = ScoringApp.start(config, model, new SimpleMeterRegistry());
             Progress.Bar bar = progress.bar("scaling: restoring " + String.format(Locale.ROOT, "%,d", keys)
                     + " keys", read, "rec")) {
            long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
            while (app.restoration().restoredRecords() < read || app.restoration().activeRestorations() > 0) {
                if (app.fatalError() != null) {
                    throw new IllegalStateException("The application failed while restoring", app.fatalError());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "Restored %,d of %,d records in %d s",
                            app.restoration().restoredRecords(), read, RESTORE_TIMEOUT.toSeconds()));
                }
                bar.stepTo(Math.min(read, app.restoration().restoredRecords()));
                Thread.sleep(5);
            }
            double restoreSeconds = since(t);
            bar.stepTo(read);
            Long rss = residentBytes();
            long t0 = System.nanoTime();
            long drainBy = t0 + DRAIN_TIMEOUT.toNanos();
            while (reader.received() < events && System.nanoTime() < drainBy && app.fatalError() == null) {
                Thread.sleep(5);
            }
            // The events were waiting since before the start: their rate counts from the end of restoring.
            Double eps = reader.received() >= events ? events / ((reader.backlogDoneNanos() - t0) / 1e9 + 1e-9) : null;
            // on disk once closed: RocksDB's memtables flushed to its files
            leaveAndClose(app);
            long stateDirBytes = sizeOnDisk(appState);
            progress.line("scaling: %,d keys: restored %,d records in %.1f s (a plain read: %.1f s); state dir %,.0f MB;"
                            + " RSS %s MB; %s events/s", keys, app.restoration().restoredRecords(), restoreSeconds,
                    readSeconds, stateDirBytes / 1e6, rss == null ? "-" : String.format(Locale.ROOT, "%,.0f", rss / 1e6),
                    eps == null ? "-" : String.format(Locale.ROOT, "%,.0f", eps));
            return new Size(keys, bytes, readSeconds, restoreSeconds, stateDirBytes, rss, eps);
        } finally {
            reader.close();
        }
    }

    private static void leaveAndClose(ScoringApp app) {
        app.streams().close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(60)));
    }

    /** {@code keys} states of the model's shape, random h and c and a full history; returns the bytes written. */
    private long writeStates(String changelog, SeqstreamConfig config, BenchModel spec, String label, int keys) {
        int history = config.integer(Setting.REPLAY_TOKENS);
        KeyStateSerde serde = new KeyStateSerde(config.compactState(), history);
        SplittableRandom random = new SplittableRandom(e2e.settings().seed());
        long bytes = 0;
        SendFailures failures = new SendFailures();
        try (KafkaProducer<String, byte[]> producer = e2e.producer(20);
             Progress.Bar bar = progress.bar("scaling: writing states", keys, "keys")) {
            for (int i = 0; i < keys; i++) {
                float[][] h = new float[spec.layers()][spec.hidden()];
                float[][] c = new float[spec.layers()][spec.hidden()];
                for (int l = 0; l < spec.layers(); l++) {
                    for (int j = 0; j < spec.hidden(); j++) {
                        h[l][j] = (float) (random.nextDouble() * 2 - 1);
                        c[l][j] = (float) (random.nextDouble() * 4 - 2);
                    }
                }
                int[] tokens = IntStream.range(0, history)
                        .map(k -> Vocabulary.RESERVED.size() + random.nextInt(spec.vocab() - Vocabulary.RESERVED.size()))
                        .toArray();
                long now = System.currentTimeMillis();
                KeyState state = new KeyState(label, h, c, tokens[history - 1], tokens, history, history, 0,
                        history * 2.0, 5.0, now, now, now);
                String key = UniformWorkload.key(i);
                byte[] value = serde.serializer().serialize(changelog, state);
                bytes += key.length() + value.length;
                producer.send(new ProducerRecord<>(changelog, key, value), failures);
                if ((i & 1023) == 0) {
                    bar.stepTo(i);
                }
            }
            producer.flush();
            bar.stepTo(keys);
        }
        failures.check(changelog, keys);
        return bytes;
    }

    /** Reads the topic from the start to its end offsets, {@code read_committed}; returns the records read. */
    private long readAll(String topic, int partitions) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, e2e.broker().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            long read = 0;
            while (assigned.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                }
            }
            return read;
        }
    }

    private void deleteTopics(String prefix, SeqstreamConfig config) {
        String appId = config.string(Setting.APPLICATION_ID);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                e2e.broker().bootstrapServers()))) {
            List<String> names = admin.listTopics().names().get().stream()
                    .filter(n -> n.startsWith(prefix + "-") || n.startsWith(appId + "-")).toList();
            admin.deleteTopics(names).all().get();
        } catch (Exception e) {
            progress.line("scaling: could not delete the topics of %s: %s", prefix, e);
        }
    }

    /** VmRSS of this process, or null where /proc does not say. */
    static Long residentBytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long sizeOnDisk(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
