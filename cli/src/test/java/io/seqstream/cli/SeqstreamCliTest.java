package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SeqstreamCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldListShowAndVerifyStoredModels() {
        String store = TestModels.storeDir().toString();

        assertThat(run("models", "list", "--store", store)).isZero();
        assertThat(out.toString()).contains("hdfs-tiny").contains("lstm V17 E8 H16x1");

        assertThat(run("models", "show", "hdfs-tiny@1", "--store", store)).isZero();
        assertThat(out.toString()).contains("\"files\"").contains("\"version\" : \"1\"");

        assertThat(run("models", "verify", "hdfs-tiny", "--store", store)).isZero();
        assertThat(out.toString()).contains("OK hdfs-tiny@1");
    }

    @Test
    void shouldFailWithTheFileNamedWhenAModelIsCorrupt(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("hdfs-tiny").resolve("1");
        Files.createDirectories(copy);
        try (var files = Files.list(TestModels.storeDir().resolve("hdfs-tiny").resolve("1"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.writeString(copy.resolve("vocab.json"), "{}");

        assertThat(run("models", "verify", "hdfs-tiny", "--store", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("corrupt").contains("vocab.json");
    }

    @Test
    void shouldExitTwoOnBadUsageAndOneOnAMissingModel(@TempDir Path dir) {
        assertThat(run("models", "frobnicate")).isEqualTo(2);
        assertThat(run("models", "verify", "nope", "--store", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("the store is empty");
    }

    @Test
    void shouldPrintVersions() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("DeepLearning4J").contains("Kafka Streams");
    }
}
