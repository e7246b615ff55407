package io.seqstream.it;

import io.seqstream.app.config.SeqstreamConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code seqstream run} (or another long-running command, such as {@code seqstream sidecar}) in a JVM of its own,
 * so that a test can crash it for real with SIGKILL: no close, no commit, no flush. Its output goes to a log file
 * beside the state directory.
 */
final class ScoringProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ScoringProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ScoringProcess start(SeqstreamConfig config, Path workDir, String name) throws IOException {
        return launch(config, workDir, name, "run");
    }

    /** {@code seqstream sidecar --config F}: follows the models topic into {@code model.dir} of the config. */
    static ScoringProcess startSidecar(SeqstreamConfig config, Path workDir, String name) throws IOException {
        return launch(config, workDir, name, "sidecar");
    }

    /** {@code seqstream sidecar --config F --metrics-port P}, as the Helm chart runs it beside the application. */
    static ScoringProcess startSidecar(SeqstreamConfig config, Path workDir, String name, int metricsPort)
            throws IOException {
        return launch(config, workDir, name, "sidecar", "--metrics-port", String.valueOf(metricsPort));
    }

    private static ScoringProcess launch(SeqstreamConfig config, Path workDir, String name, String subcommand,
                                         String... options) throws IOException {
        Files.createDirectories(workDir);
        Path configFile = workDir.resolve(name + ".properties");
        Properties props = new Properties();
        props.putAll(config.asMap());
        try (Writer out = Files.newBufferedWriter(configFile)) {
            props.store(out, "seqstream integration test: " + name);
        }
        Path log = workDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("--add-modules=jdk.incubator.vector");
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.seqstream.cli.SeqstreamCli");
        command.add(subcommand);
        command.add("--config");
        command.add(configFile.toString());
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ScoringProcess(process, log);
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to exit by itself: its exit code, or empty if it still runs after {@code timeout}. */
    java.util.OptionalInt awaitExit(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    /** Everything the process printed so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The JVM's process id, for logs. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the process's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM: a graceful shutdown. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
