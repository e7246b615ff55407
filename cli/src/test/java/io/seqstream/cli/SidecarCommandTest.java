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
        // a version whose manifest predates probes: the sidecar must refuse it, and status must say why
        ModelStore store = ModelStore.local(dir.resolve("store"));
        TestModels.store().download(ModelRef.of(TestModels.HDFS, "1"), dir.resolve("store"), null);
        Path manifest = dir.resolve("store").resolve(TestModels.HDFS).resolve("1").resolve(ModelStore.MANIFEST);
        com.fasterxml.jackson.databind.node.ObjectNode json =
                (com.fasterxml.jackson.databind.node.ObjectNode) ModelStore.json().readTree(manifest.toFile());
        json.remove("probe");
        ModelStore.json().writeValue(manifest.toFile(), json);
        dir = dir.resolve("served");
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
