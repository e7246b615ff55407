package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.sidecar.ModelActivator;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SidecarCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldFailWhenTheSidecarHasWrittenNoStatus(@TempDir Path dir) {
        assertThat(run("sidecar", "status", "--dir", dir.toString(), "--model", "hdfs-tiny")).isEqualTo(1);
        assertThat(err.toString()).contains("No sidecar status for hdfs-tiny");
    }

    @Test
    void shouldExitTwoWithoutADirectoryOrModel() {
        assertThat(run("sidecar", "status", "--frobnicate")).isEqualTo(2);
        assertThat(run("sidecar", "status", "--model", "hdfs-tiny", "-D", "model.dir=")).isEqualTo(1);
        assertThat(err.toString()).contains("model.dir");
    }

    @Test
    void shouldPrintTheActiveVersionAndRejectionsWithReasons(@TempDir Path dir) throws Exception {
        // hdfs-tiny@1 predates probes in manifests: the sidecar must refuse it, and status must say why
        ModelStore store = TestModels.store();
        new ModelActivator(store, dir, TestModels.HDFS, 3, new SimpleMeterRegistry()).activate(
                ModelAnnouncements.of(store, ModelRef.of(TestModels.HDFS, "1"), ModelAnnouncements.PUBLISH, false,
                        "passed: no active version"), 7);

        assertThat(run("sidecar", "status", "--dir", dir.toString(), "--model", TestModels.HDFS)).isZero();

        assertThat(out.toString()).contains("Active version:    none").contains("Last announcement: 1 (publish, offset 7")
                .contains("version 1  probe: ");
        assertThat(run("sidecar", "status", "--json", "--dir", dir.toString(), "--model", TestModels.HDFS)).isZero();
        assertThat(out.toString()).contains("\"reason\" : \"probe\"");
    }
}
