package io.seqstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.SendFailures;
import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.model.ServedModels;
import io.seqstream.app.topology.DeadLetters;
import io.seqstream.app.topology.Topics;
import io.seqstream.kafka.EmbeddedKafkaCluster;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.Score;
import io.seqstream.sidecar.Sidecar;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.training.Trainer;
import io.seqstream.training.TrainingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Everything in one process: an in-process Kafka broker (unless {@code --bootstrap-servers} names a cluster),
 * a model trained on a bundled HDFS sample if the store has none, the scoring application, and a producer of
 * interleaved HDFS block sessions; prints every score as it arrives and a summary at the end.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Start a broker, train a small model if needed, stream a sample and print its scores.")
final class QuickstartCommand implements Callable<Integer> {
    static final String MODEL_NAME = "hdfs-quickstart";
    private static final int CONCURRENT_SESSIONS = 8;
    /** Events per second while the next version trains, so that the stream visibly goes on meanwhile. */
    private static final double SWAP_RATE = 20;
    /** Events kept back until a pending swap happens (at most {@link #SWAP_WAIT}). */
    private static final int SWAP_RESERVE = 30;
    private static final Duration SWAP_WAIT = Duration.ofSeconds(60);

    @Mixin
    ConfigOptions options;

    @Option(names = "--events", paramLabel = "N",
            description = "Publish N events, wait until all are scored, then exit (default: stream until Ctrl-C)")
    Integer events;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND",
            description = "Publishing rate; 0 = as fast as possible (default: 0 with --events, else 20)")
    Double rate;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of created topics (default: 4)")
    int partitions;

    @Option(names = "--quiet", description = "Print only the summary, not every score")
    boolean quiet;

    @Option(names = "--no-swap", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "While the stream runs, train the next version from the served one, publish it through the"
                    + " gate and swap it in live (default: on; --no-swap to skip)")
    boolean swap;

    @Option(names = "--swap-after", paramLabel = "N", description = "Start training the next version after N events"
            + " (default: a third of --events, else 150)")
    Integer swapAfter;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Give up waiting for scores after this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (events != null && events < 1) {
            throw new IllegalArgumentException("--events must be at least 1");
        }
        EmbeddedKafkaCluster broker = null;
        Path freshState = null;
        try {
            String bootstrap = options.bootstrapServers;
            if (bootstrap == null) {
                out.println("Starting an in-process Kafka broker (KRaft, single node)...");
                out.flush();
                BrokerCommand.quietBrokerLogs();
                broker = EmbeddedKafkaCluster.start();
                bootstrap = broker.bootstrapServers();
                out.println("Kafka broker ready at " + bootstrap);
            }
            Map<String, String> defaults = new HashMap<>();
            defaults.put(Setting.APPLICATION_ID.key(), "seqstream-quickstart");
            defaults.put(Setting.MODEL_NAME.key(), MODEL_NAME);
            defaults.put(Setting.BOOTSTRAP_SERVERS.key(), bootstrap);
            defaults.put(Setting.HTTP_PORT.key(), "0");
            if (broker != null) {
                // A new in-process cluster each run: local state of an earlier run's cluster must not be reused.
                freshState = Files.createDirectories(Path.of(".seqstream", "quickstart"))
                        .resolve("state-" + System.currentTimeMillis()).toAbsolutePath();
                defaults.put(Setting.STATE_DIR.key(), freshState.toString());
            }
            SeqstreamConfig config = options.resolve(defaults).with(Setting.BOOTSTRAP_SERVERS, bootstrap);
            ModelRef ref = ensureModel(config);
            Topics topics = Topics.from(config);
            TopicAdmin.ensureTopics(bootstrap, config.kafkaOverrides(), topics.names(), partitions);
            return stream(config, topics, ref);
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (freshState != null) {
                deleteRecursively(freshState);
            }
        }
    }

    private ModelRef ensureModel(SeqstreamConfig config) throws Exception {
        ModelStore store = ModelStore.local(config.modelStore());
        ModelRef ref = config.modelRef();
        if (ref.version().isPresent() || store.latestVersion(ref.name()).isPresent()) {
            return store.resolve(ref);
        }
        if (!ref.name().equals(MODEL_NAME)) {
            return store.resolve(ref); // names the models that do exist
        }
        out.println("No model '" + MODEL_NAME + "' in " + store.uri() + ": training one on the bundled HDFS sample...");
        out.flush();
        Path data = Files.createTempFile("seqstream-quickstart", ".txt");
        try (InputStream in = resource("hdfs-train.txt")) {
            Files.copy(in, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            var result = Trainer.train(TrainingConfig.quickstart(data, MODEL_NAME), store, System.err);
            out.printf(Locale.ROOT, "Trained %s: validation perplexity %.2f (see %s)%n", result.manifest().label(),
                    result.manifest().metrics().getOrDefault(Trainer.METRIC_VALIDATION_PERPLEXITY, Double.NaN),
                    result.plot().map(Path::toString).orElse(result.plotUri()));
            return result.manifest().ref();
        } finally {
            Files.deleteIfExists(data);
        }
    }

    private int stream(SeqstreamConfig config, Topics topics, ModelRef ref) throws Exception {
        List<Session> sessions = readSessions();
        String bootstrap = config.string(Setting.BOOTSTRAP_SERVERS);
        Path served = Files.createDirectories(Path.of(".seqstream", "quickstart"))
                .resolve("served-" + System.currentTimeMillis()).toAbsolutePath();
        SeqstreamConfig appConfig = config.with(Setting.MODEL_NAME, ref.name())
                .with(Setting.MODEL_VERSION, ref.version().orElseThrow())
                .with(Setting.MODEL_DIR, served.toString())
                .with(Setting.MODEL_WATCH_MS, "200");
        ModelStore store = Clients.store(appConfig);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path heldOut = heldOutSessions();
        try {
            // The served version goes through the same loop as every later one: published on the models topic,
            // verified and activated by the sidecar's loop (in-process here), served from its directory.
            publish(appConfig, ref, heldOut, true);
            try (Sidecar sidecar = Sidecar.start(Clients.kafka(appConfig), appConfig.string(Setting.MODELS_TOPIC),
                    ref.name(), store, served, appConfig.integer(Setting.SIDECAR_KEEP_VERSIONS), registry);
                 KafkaConsumer<byte[], byte[]> consumer = Clients.committedReader(bootstrap, config.kafkaOverrides());
                 KafkaProducer<String, String> producer = Clients.stringProducer(bootstrap, config.kafkaOverrides(), 5, 0)) {
                awaitActivation(sidecar, ref);
                List<TopicPartition> outputs = partitionsOf(consumer, topics.scores().name(),
                        topics.summaries().name(), topics.deadLetter().name());
                consumer.assign(outputs);
                consumer.seekToEnd(outputs);
                outputs.forEach(consumer::position);
                try (ServedModels models = ServedModels.open(appConfig, store, served, Duration.ZERO);
                     ScoringApp app = ScoringApp.start(appConfig, models.served(), null, registry)) {
                    models.startWatching(new SeqstreamMetrics(registry), Duration.ofMillis(200));
                    if (!app.awaitRunning(Duration.ofSeconds(60))) {
                        throw new IllegalStateException("The scoring application did not start: " + app.fatalError());
                    }
                    out.printf("Scoring with %s; publishing %s to topic '%s'%n%n", models.served().current().label(),
                            events == null ? "events until Ctrl-C" : events + " events", topics.events().name());
                    out.flush();
                    Run run = new Run(sessions, ref, topics, appConfig, heldOut, models.served());
                    Thread shutdown = new Thread(run::stop);
                    Runtime.getRuntime().addShutdownHook(shutdown);
                    run.publishBadRecords(producer);
                    return run.go(producer, consumer, app);
                }
            }
        } finally {
            Files.deleteIfExists(heldOut);
            deleteRecursively(served);
        }
    }

    /** The bundled held-out sessions (never trained on) as a file, for the evaluation gate of publish. */
    private static Path heldOutSessions() throws IOException {
        Path file = Files.createTempFile("seqstream-quickstart-heldout", ".txt");
        try (InputStream in = resource("hdfs-heldout.txt")) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /**
     * Runs {@code seqstream publish} for a stored version: the evaluation gate against the active version on the
     * held-out sessions, then the announcement. Returns whether it was announced; prints what publish said.
     */
    private boolean publish(SeqstreamConfig config, ModelRef ref, Path heldOut, boolean quietly) {
        java.io.StringWriter said = new java.io.StringWriter();
        java.io.StringWriter complained = new java.io.StringWriter();
        picocli.CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(said, true));
        cli.setErr(new PrintWriter(complained, true));
        List<String> args = new ArrayList<>(List.of("publish", ref.name(), ref.version().orElseThrow(),
                "--eval-file", heldOut.toString(), "--bootstrap-servers", config.string(Setting.BOOTSTRAP_SERVERS),
                "--store", config.modelStoreUri()));
        config.asMap().forEach((key, value) -> {
            if (key.startsWith(SeqstreamConfig.KAFKA_PREFIX) || key.startsWith("model.store.s3.")
                    || key.startsWith("publish.") || key.equals(Setting.MODELS_TOPIC.key())) {
                args.add("-D");
                args.add(key + "=" + value);
            }
        });
        int exit = cli.execute(args.toArray(String[]::new));
        if (!quietly || exit != 0) {
            for (String line : (said + complained.toString()).split("\\R")) {
                if (!line.isBlank()) {
                    out.println("    " + line);
                }
            }
            out.flush();
        }
        return exit == 0;
    }

    private static void awaitActivation(Sidecar sidecar, ModelRef ref) throws InterruptedException {
        sidecar.awaitCaughtUp(Duration.ofSeconds(60));
        if (!ref.version().orElseThrow().equals(sidecar.status().activeVersion())) {
            throw new IllegalStateException("The sidecar loop did not activate " + ref + ": " + sidecar.status());
        }
    }

    /** One quickstart run: what was published, what came back. */
    private final class Run {
        private final List<Session> sessions;
        private final ModelRef served;
        private final Topics topics;
        private final SeqstreamConfig config;
        private final Path heldOut;
        /** The next version, trained and published while the stream runs; null until the swap starts. */
        private volatile java.util.concurrent.CompletableFuture<ModelRef> next;
        private final List<String> versionsSeen = new ArrayList<>();
        private final ActiveModel models;
        private long announcedAt;
        private boolean gaveUp;
        private final Random random = new Random(42);
        private final String runTag = Long.toString(System.currentTimeMillis() % 46_656, 36);
        private final Map<String, String> labels = new HashMap<>();
        private final Map<String, Long> flaggedByLabel = new HashMap<>();
        private final Map<String, Long> sessionFlaggedByLabel = new HashMap<>();
        private final Map<String, Long> endedByLabel = new HashMap<>();
        private volatile boolean stopped;
        private long published;
        private long badPublished;
        private final SendFailures sendFailures = new SendFailures();
        private long scored;
        private long anomalies;
        private long deadLettered;
        private long firstPublishNanos;
        private long lastScoreNanos;

        Run(List<Session> sessions, ModelRef served, Topics topics, SeqstreamConfig config, Path heldOut,
            ActiveModel models) {
            this.models = models;
            this.sessions = sessions;
            this.served = served;
            this.topics = topics;
            this.config = config;
            this.heldOut = heldOut;
            this.versionsSeen.add(served.toString());
        }

        /** Events after which the next version starts training, or -1 for no swap. */
        private long swapAt() {
            if (!swap) {
                return -1;
            }
            return swapAfter != null ? swapAfter : events != null ? Math.max(1, events / 3) : 150;
        }

        /** True while the next version trains and waits for its swap: the stream slows down but keeps going. */
        private boolean swapping() {
            java.util.concurrent.CompletableFuture<ModelRef> pending = next;
            if (pending == null) {
                return false;
            }
            if (!pending.isDone()) {
                return true;
            }
            ModelRef published = pending.getNow(null);
            if (published == null || published.toString().equals(models.current().label())) {
                return false;
            }
            if (announcedAt == 0) {
                announcedAt = System.nanoTime();
            } else if (System.nanoTime() - announcedAt > SWAP_WAIT.toNanos()) {
                if (!gaveUp) {
                    out.println("── " + published + " was not swapped in within " + SWAP_WAIT.toSeconds()
                            + " s (see the log): the stream goes on with " + models.current().label() + " ──");
                    gaveUp = true;
                }
                return false;
            }
            return true;
        }

        /** Trains the next version from the served one on the bundled sample, then publishes it through the gate. */
        private void startSwap() {
            out.println(Ansi.AUTO.string("@|bold ── training the next version of " + served.name() + " from "
                    + served + " (warm start) while the stream runs ──|@"));
            out.flush();
            next = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    Path data = Files.createTempFile("seqstream-quickstart", ".txt");
                    try (InputStream in = resource("hdfs-train.txt")) {
                        Files.copy(in, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        TrainingConfig retrain = TrainingConfig.quickstart(data, served.name()).toBuilder()
                                .parentVersion(served.version().orElseThrow()).learningRate(0.005).maxEpochs(3).build();
                        var result = Trainer.train(retrain, Clients.store(config),
                                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                        ModelRef trained = result.manifest().ref();
                        out.printf(Locale.ROOT, "── trained %s from %s: validation perplexity %.2f; publishing it"
                                        + " through the evaluation gate ──%n", trained, served,
                                result.manifest().metrics().getOrDefault(Trainer.METRIC_VALIDATION_PERPLEXITY,
                                        Double.NaN));
                        out.flush();
                        if (!publish(config, trained, heldOut, false)) {
                            out.println("── the gate refused " + trained + ": the stream goes on with " + served
                                    + " ──");
                            return null;
                        }
                        return trained;
                    } finally {
                        Files.deleteIfExists(data);
                    }
                } catch (Exception e) {
                    out.println("── training the next version failed: " + e + " ──");
                    return null;
                }
            });
        }

        void stop() {
            stopped = true;
        }

        /** Two malformed records, to show the dead-letter topic at work. */
        void publishBadRecords(KafkaProducer<String, String> producer) {
            producer.send(new ProducerRecord<>(topics.events().name(), "blk_" + runTag + "-bad", "{\"token\": "),
                    sendFailures);
            producer.send(new ProducerRecord<>(topics.events().name(), null, "{\"token\":\"5\"}"), sendFailures);
            badPublished = 2;
        }

        int go(KafkaProducer<String, String> producer, KafkaConsumer<byte[], byte[]> consumer, ScoringApp app)
                throws InterruptedException {
            double perSecond = rate != null ? rate : events != null ? 0 : 20;
            long target = events == null ? Long.MAX_VALUE : events;
            List<Cursor> active = new ArrayList<>();
            int nextSession = 0;
            firstPublishNanos = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while (!stopped && app.fatalError() == null) {
                sendFailures.check(topics.events().name(), published + badPublished);
                // The last events wait for a pending swap, so that some are scored by the new version.
                boolean holdBack = published >= target - SWAP_RESERVE && swapping();
                if (published < target && !holdBack) {
                    while (active.size() < CONCURRENT_SESSIONS) {
                        Session s = sessions.get(nextSession++ % sessions.size());
                        String key = String.format("blk_%s-%03d", runTag, nextSession);
                        labels.put(key, s.label());
                        active.add(new Cursor(key, s));
                    }
                    Cursor c = active.get(random.nextInt(active.size()));
                    boolean last = c.next == c.session.keys().size() - 1;
                    String value = "{\"token\":\"" + c.session.keys().get(c.next++) + "\"" + (last ? ",\"end\":true}" : "}");
                    producer.send(new ProducerRecord<>(topics.events().name(), c.key, value), sendFailures);
                    published++;
                    if (last) {
                        active.remove(c);
                    }
                    if (published == swapAt()) {
                        startSwap();
                    }
                    double pace = swapping() ? Math.min(perSecond > 0 ? perSecond : SWAP_RATE, SWAP_RATE) : perSecond;
                    if (pace > 0) {
                        producer.flush();
                        Thread.sleep((long) (1000 / pace));
                    }
                } else {
                    producer.flush();
                }
                drain(consumer, published < target && !holdBack ? Duration.ZERO : Duration.ofMillis(200));
                if (published >= target && scored >= published && deadLettered >= badPublished && !swapping()) {
                    break;
                }
                if (events != null && System.nanoTime() > deadline) {
                    out.printf("Timed out after %d s: %d of %d events scored%n", timeoutSeconds, scored, published);
                    printSummary();
                    return 1;
                }
            }
            printSummary();
            return app.fatalError() == null ? 0 : 1;
        }

        private void drain(KafkaConsumer<byte[], byte[]> consumer, Duration wait) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
                if (r.topic().equals(topics.scores().name())) {
                    onScore(topics.scores().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                } else if (r.topic().equals(topics.summaries().name())) {
                    onSummary(topics.summaries().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                } else {
                    deadLettered++;
                    if (!quiet) {
                        out.println(Ansi.AUTO.string("@|yellow dead-lettered|@ "
                                + DeadLetters.header(r.headers(), DeadLetters.REASON) + ": "
                                + DeadLetters.header(r.headers(), DeadLetters.DETAIL)));
                    }
                }
            }
            out.flush();
        }

        private void onScore(Score s) {
            String model = s.getModel().toString();
            if (!versionsSeen.contains(model)) {
                versionsSeen.add(model);
                out.println(Ansi.AUTO.string("@|bold,green ── " + model + " swapped in live: the scores from here on"
                        + " name it, each key's context replayed into it; nothing dropped or scored twice ──|@"));
            }
            if (!s.getToken().equals(io.seqstream.model.Vocabulary.END)) {
                scored++;
                lastScoreNanos = System.nanoTime();
            }
            if (s.getAnomaly()) {
                anomalies++;
            }
            if (quiet) {
                return;
            }
            out.println(ScoreLines.score(s, Ansi.AUTO));
        }

        private void onSummary(SequenceSummary s) {
            String label = labels.getOrDefault(s.getKey(), "?");
            endedByLabel.merge(label, 1L, Long::sum);
            if (s.getAnomalies() > 0) {
                flaggedByLabel.merge(label, 1L, Long::sum);
            }
            if (s.getSessionAnomaly()) {
                sessionFlaggedByLabel.merge(label, 1L, Long::sum);
            }
            if (!quiet) {
                out.println(ScoreLines.summary(s, Ansi.AUTO));
            }
        }

        private void printSummary() {
            double seconds = Math.max(1e-9, (lastScoreNanos - firstPublishNanos) / 1e9);
            out.println();
            out.printf(Locale.ROOT, "Summary: %d events scored, %d dead-lettered, %d anomalies, model %s, %.1f events/s%n",
                    scored, deadLettered, anomalies, String.join(" → ", versionsSeen), scored / seconds);
            for (String label : List.of("normal", "abnormal")) {
                long ended = endedByLabel.getOrDefault(label, 0L);
                if (ended > 0) {
                    out.printf(Locale.ROOT, "  %-8s sessions ended: %d, flagged by the session rule: %d, with at least"
                                    + " one anomalous event: %d%n", label, ended,
                            sessionFlaggedByLabel.getOrDefault(label, 0L), flaggedByLabel.getOrDefault(label, 0L));
                }
            }
            out.flush();
        }
    }

    private static final class Cursor {
        final String key;
        final Session session;
        int next;

        Cursor(String key, Session session) {
            this.key = key;
            this.session = session;
        }
    }

    private record Session(String label, List<String> keys) {
    }

    private static List<Session> readSessions() throws IOException {
        try (InputStream in = resource("hdfs-stream.txt")) {
            List<Session> sessions = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t", 2);
                sessions.add(new Session(parts[0], List.of(parts[1].trim().split("\\s+"))));
            }
            return sessions;
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = QuickstartCommand.class.getResourceAsStream("/quickstart/" + name);
        if (in == null) {
            throw new IOException("Missing bundled resource quickstart/" + name);
        }
        return in;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String... topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> out.add(new TopicPartition(p.topic(), p.partition())));
        }
        return out;
    }
}
