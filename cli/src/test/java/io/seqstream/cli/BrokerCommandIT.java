package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** {@code seqstream broker}: in this JVM through {@code CommandLine.execute}, and in a JVM of its own for SIGTERM. */
class BrokerCommandIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void recordLogs() {
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stopRecordingLogs() {
        root.detachAppender(logged);
    }

    @Test
    void shouldServeClientsOnTheFixedPortAndKeepRecordsAcrossARestartOnTheSameData(@TempDir Path dir) throws Exception {
        int port = freePort();
        String bootstrap = "localhost:" + port;
        Path data = dir.resolve("kafka");

        // run 1: start, the printed lines, a record produced and read back, stop
        try (RunningBroker first = RunningBroker.start("--port", "" + port, "--data", data.toString(), "--store", dir.toString())) {
            assertThat(first.output())
                    .contains("ready at " + bootstrap)
                    .contains("formatted; a restart with the same --data continues it")
                    .contains("./seqstream run --bootstrap-servers " + bootstrap + " --model hdfs --create-topics 4")
                    .contains("kcat -P -b " + bootstrap + " -t events -K $'\\t'")
                    .contains("./seqstream tail --bootstrap-servers " + bootstrap);
            produce(bootstrap, "tokens", "blk_42", "5");
            assertThat(consumeAll(bootstrap, "tokens", 1)).extracting(ConsumerRecord::value).containsExactly("5");
            assertThat(first.stop()).isZero();
            assertThat(first.output()).contains("Broker stopped; its data stays in " + data.toAbsolutePath().normalize());
        }
        assertThat(warningsAndErrors()).as("a normal start and stop logs no WARN or ERROR").isEmpty();

        // run 2: the same --data: the same address, the topic and its record are still there
        try (RunningBroker second = RunningBroker.start("--port", "" + port, "--data", data.toString())) {
            assertThat(second.output()).contains("ready at " + bootstrap).contains("continued: 1 topic (tokens)");
            produce(bootstrap, "tokens", "blk_42", "22");
            assertThat(consumeAll(bootstrap, "tokens", 2)).extracting(ConsumerRecord::value).containsExactly("5", "22");
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void shouldStopCleanlyWithExitZeroOnSigterm(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("broker.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), SeqstreamCli.class.getName(),
                "broker", "--port", "0", "--data", dir.resolve("kafka").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("the broker JVM prints its address").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(log).contains("Ctrl-C stops the broker."));

            process.destroy(); // SIGTERM

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within a minute").isTrue();
            String output = Files.readString(log);
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("Broker stopped; its data stays in").doesNotContain(" WARN ").doesNotContain(" ERROR ");
        } finally {
            process.destroyForcibly();
        }
    }

    private List<String> warningsAndErrors() {
        return logged.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .map(event -> event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage())
                .toList();
    }

    private static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads {@code topic} from the beginning with a fresh consumer group until {@code count} records arrived. */
    private static List<ConsumerRecord<String, String>> consumeAll(String bootstrap, String topic, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "broker-command-it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await("%d records in %s".formatted(count, topic)).atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.size() >= count;
                    });
        }
        return records;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** {@code seqstream broker ARGS} through {@code CommandLine.execute} on a thread of its own, started and ready. */
    private static final class RunningBroker implements AutoCloseable {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final BrokerCommand command;
        private final CompletableFuture<Integer> exitCode;

        private RunningBroker(String... args) {
            CommandLine cli = SeqstreamCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            command = cli.getSubcommands().get("broker").getCommand();
            String[] commandLine = new String[args.length + 1];
            commandLine[0] = "broker";
            System.arraycopy(args, 0, commandLine, 1, args.length);
            exitCode = CompletableFuture.supplyAsync(() -> cli.execute(commandLine));
        }

        static RunningBroker start(String... args) {
            RunningBroker broker = new RunningBroker(args);
            await("seqstream broker is ready").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .failFast("seqstream broker exited before it was ready", broker.exitCode::isDone)
                    .until(() -> broker.output().contains("Ctrl-C stops the broker."));
            assertThat(broker.err.toString()).as("standard error of a normal start").isEmpty();
            return broker;
        }

        String output() {
            return out.toString();
        }

        int stop() throws Exception {
            command.stop();
            return exitCode.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            command.stop();
            command.awaitStopped(Duration.ofSeconds(60));
        }
    }
}
