package io.seqstream.cli;

import io.seqstream.app.ScoringApp;
import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.topology.Topics;
import io.seqstream.kafka.EmbeddedKafkaCluster;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;

/**
 * What the eval commands share: a run's settings and work folder, the model to serve (given, or trained now), the
 * broker and topics of the run, reading its outputs, and its progress bar.
 */
final class EvalRuns {
    private EvalRuns() {
    }

    /** A broker and topics for the run: the one configured, else an in-process broker that the caller closes. */
    record Kafka(SeqstreamConfig config, Topics topics, EmbeddedKafkaCluster broker) implements AutoCloseable {
        @Override
        public void close() {
            if (broker != null) {
                broker.close();
            }
        }
    }

    static Kafka kafka(SeqstreamConfig config, ConfigOptions options, int partitions, PrintWriter out) {
        EmbeddedKafkaCluster broker = null;
        if (options.bootstrapServers == null && !options.settings.containsKey(Setting.BOOTSTRAP_SERVERS.key())) {
            out.println("Starting an in-process Kafka broker (KRaft, single node)...");
            out.flush();
            BrokerCommand.quietBrokerLogs();
            broker = EmbeddedKafkaCluster.start();
            config = config.with(Setting.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        }
        try {
            Topics topics = Topics.from(config);
            TopicAdmin.ensureTopics(config.string(Setting.BOOTSTRAP_SERVERS), config.kafkaOverrides(),
                    topics.names(), partitions);
            return new Kafka(config, topics, broker);
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /**
     * Assigns {@code consumer} every partition of {@code topics} from the beginning, then waits for the application
     * to run.
     */
    static void readFromStart(KafkaConsumer<?, ?> consumer, List<String> topics, ScoringApp app)
            throws InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        if (!app.awaitRunning(Duration.ofSeconds(60))) {
            throw new IllegalStateException("The scoring application did not start: " + app.fatalError());
        }
    }

    /**
     * The settings naming the model to serve, JSON input: the version of {@code --model} when given, else the
     * version that {@code seqstream train --name name --store store trainArgs...} publishes now ({@code what}
     * says on what, for the message).
     */
    static SeqstreamConfig withModel(SeqstreamConfig config, ConfigOptions options, Path work, String name,
                                     String what, List<String> trainArgs, boolean noProgress, PrintWriter out,
                                     PrintWriter err) throws Exception {
        SeqstreamConfig json = config.with(Setting.INPUT_FORMAT, "json");
        if (options.model != null) {
            ModelRef ref = Clients.store(json).resolve(json.modelRef());
            return json.with(Setting.MODEL_VERSION, ref.version().orElseThrow());
        }
        Path store = (options.store != null ? options.store : work.resolve("models")).toAbsolutePath();
        out.println("Training " + name + " on " + what
                + (options.store != null ? " into " + store : " (a temporary store; give --store DIR to keep it)")
                + "...");
        out.flush();
        CommandLine trainer = SeqstreamCli.commandLine();
        trainer.setOut(out);
        trainer.setErr(err);
        List<String> args = new ArrayList<>(List.of("train", "--name", name, "--store", store.toString()));
        args.addAll(trainArgs);
        if (noProgress) {
            args.add("--no-progress");
        }
        int exit = trainer.execute(args.toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("Training on " + what + " failed (exit " + exit + ")");
        }
        String version = ModelStore.local(store).latestVersion(name)
                .orElseThrow(() -> new IllegalStateException("Training stored no version of " + name));
        return json.with(Setting.MODEL_STORE, store.toString()).with(Setting.MODEL_NAME, name)
                .with(Setting.MODEL_VERSION, version);
    }

    /** A run of its own: application id, topics and local state unique to this run. */
    static Map<String, String> defaults(String runTag, Path work) {
        Map<String, String> defaults = new LinkedHashMap<>();
        String prefix = "seqstream-eval-" + runTag;
        defaults.put(Setting.APPLICATION_ID.key(), prefix);
        defaults.put(Setting.EVENTS_TOPIC.key(), prefix + "-events");
        defaults.put(Setting.SCORES_TOPIC.key(), prefix + "-scores");
        defaults.put(Setting.ANOMALIES_TOPIC.key(), prefix + "-anomalies");
        defaults.put(Setting.SUMMARIES_TOPIC.key(), prefix + "-summaries");
        defaults.put(Setting.DEAD_LETTER_TOPIC.key(), prefix + "-events-dlq");
        defaults.put(Setting.HTTP_PORT.key(), "0");
        defaults.put(Setting.STATE_DIR.key(), work.resolve("state").toString());
        return defaults;
    }

    /** A progress bar on {@code err}: Unicode blocks on a terminal, else plain lines every second. */
    static ProgressBar progressBar(PrintWriter err, String task, long total) {
        boolean terminal = System.console() != null;
        PrintStream stream = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(terminal ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 200 : 1000)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(stream)
                        : new ConsoleProgressBarConsumer(stream, 110))
                .build();
    }

    /** Deletes a run's work folder and everything in it. */
    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
