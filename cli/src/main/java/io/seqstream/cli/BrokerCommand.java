package io.seqstream.cli;

import ch.qos.logback.classic.Level;
import io.seqstream.app.config.Setting;
import io.seqstream.kafka.EmbeddedKafkaCluster;
import io.seqstream.model.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the in-process single-node KRaft broker in the foreground, for {@code seqstream run}, {@code tail} and any
 * Kafka client to point at; prints its address and ready-to-paste lines, and stops on Ctrl-C or SIGTERM.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a local single-node Kafka broker (KRaft, in-process) in the foreground until Ctrl-C or"
                + " SIGTERM, and print its bootstrap address with ready-to-paste `seqstream run`, kcat and"
                + " `seqstream tail` lines.",
                "With --data its topics, records and committed offsets survive a restart on the same directory;"
                        + " without it they live in a temporary directory deleted on stop."})
final class BrokerCommand implements Callable<Integer> {
    /** Kafka's own default port, so that the README's and any tool's {@code localhost:9092} just works. */
    static final int DEFAULT_PORT = 9092;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** The broker's loggers: very chatty at INFO, and a WARN or two on every normal start and stop. */
    private static final List<String> BROKER_LOGGERS = List.of("kafka", "org.apache.kafka.server",
            "org.apache.kafka.storage", "org.apache.kafka.raft", "org.apache.kafka.controller", "org.apache.kafka.image",
            "org.apache.kafka.metadata", "org.apache.kafka.coordinator", "org.apache.kafka.clients.NetworkClient",
            "org.apache.kafka.clients.producer.internals.Sender", "state.change.logger");

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DEFAULT_PORT,
            description = "Port of localhost for clients; 0 = any free port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Keep the cluster in DIR: formatted on the first start, continued by later ones"
                    + " (default: a temporary directory, deleted on stop)")
    Path data;

    @Option(names = "--store", paramLabel = "DIR", defaultValue = "./models",
            description = "Model store whose first model the printed `seqstream run` line names (default: ${DEFAULT-VALUE})")
    Path store;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        PrintWriter out = spec.commandLine().getOut();
        quietBrokerLogs();
        quietStartLine();
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().port(port);
        Path kept = data == null ? null : data.toAbsolutePath().normalize();
        if (kept != null) {
            builder.keepData(kept);
        }
        Thread hook = new Thread(this::stopFromShutdownHook, "seqstream-broker-shutdown");
        try {
            try (EmbeddedKafkaCluster broker = builder.start()) {
                Runtime.getRuntime().addShutdownHook(hook);
                printReady(out, broker);
                awaitStopRequest();
                out.println("Stopping the broker...");
                out.flush();
            }
            out.println(kept != null ? "Broker stopped; its data stays in " + kept
                    : "Broker stopped; its temporary data is deleted.");
            out.flush();
            return 0;
        } finally {
            removeQuietly(hook);
            stopped.countDown();
        }
    }

    /** Asks a running command to stop its broker and return 0, as Ctrl-C does. Idempotent. */
    void stop() {
        stopRequested.countDown();
    }

    /** Whether the command has stopped its broker (or failed to start one). */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void awaitStopRequest() {
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            // An interrupt stops the broker like Ctrl-C; closing it must not see the flag.
        }
    }

    /**
     * Ctrl-C or SIGTERM: the JVM is shutting down. Lets {@link #call()} close the broker (which flushes its logs and
     * writes its clean-shutdown markers), then halts with 0: a broker stopped cleanly on request is a success,
     * not the 130 or 143 of a killed process.
     */
    private void stopFromShutdownHook() {
        stop();
        try {
            if (stopped.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                spec.commandLine().getOut().flush();
                Runtime.getRuntime().halt(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running, or will find the broker stopped
        }
    }

    private void printReady(PrintWriter out, EmbeddedKafkaCluster broker) {
        String bootstrap = broker.bootstrapServers();
        out.printf("Kafka %s broker (KRaft, single node) ready at %s%n", AppInfoParser.getVersion(), bootstrap);
        if (data == null) {
            out.println("  data: temporary, deleted on stop (--data DIR keeps it across restarts)");
        } else if (broker.restarted()) {
            Set<String> topics = topics(bootstrap);
            out.printf("  data: %s, cluster %s continued: %d topic%s%s%n", broker.dataDirectory(), broker.clusterId(),
                    topics.size(), topics.size() == 1 ? "" : "s", topics.isEmpty() ? "" : " (" + String.join(", ", topics) + ")");
        } else {
            out.printf("  data: %s, cluster %s formatted; a restart with the same --data continues it%n",
                    broker.dataDirectory(), broker.clusterId());
        }
        out.println();
        out.println("In another terminal:");
        out.printf("  ./seqstream run --bootstrap-servers %s --model %s --create-topics 4%n", bootstrap, modelName());
        out.printf("  printf 'blk_42\\t{\"token\":\"5\"}\\nblk_42\\t{\"token\":\"22\",\"end\":true}\\n' | kcat -P -b %s -t %s -K $'\\t'%n",
                bootstrap, Setting.EVENTS_TOPIC.defaultValue());
        out.printf("  ./seqstream tail --bootstrap-servers %s%n", bootstrap);
        out.println();
        out.println("Ctrl-C stops the broker.");
        out.flush();
    }

    /** The user-visible topics of a continued cluster, to show that it is the one they left. */
    private static Set<String> topics(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            LoggerFactory.getLogger(BrokerCommand.class).debug("Could not list the topics", e);
            return Set.of();
        }
    }

    /** The first model of the local store, if it has one, else the name the README's {@code train} line gives. */
    private String modelName() {
        if (store != null && Files.isDirectory(store)) {
            try {
                List<String> names = ModelStore.local(store).names();
                if (!names.isEmpty()) {
                    return names.get(0);
                }
            } catch (IOException | RuntimeException e) {
                LoggerFactory.getLogger(BrokerCommand.class).debug("Could not list the models in {}", store, e);
            }
        }
        return "hdfs";
    }

    /**
     * The in-process broker logs a lot at INFO and a few WARNs on a normal start and stop; the broker and quickstart
     * commands show their own lines instead.
     */
    static void quietBrokerLogs() {
        for (String name : BROKER_LOGGERS) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(Level.OFF);
        }
    }

    /** This command prints what {@link EmbeddedKafkaCluster}'s INFO line says; its warnings still show. */
    private static void quietStartLine() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(EmbeddedKafkaCluster.class)).setLevel(Level.WARN);
    }
}
