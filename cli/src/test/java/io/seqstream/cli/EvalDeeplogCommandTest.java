package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalDeeplogCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldExitWithUsageWhenEvalHasNoSubcommand() {
        assertThat(execute("eval")).isEqualTo(2);
        assertThat(err.toString()).contains("deeplog");
    }

    @Test
    void shouldRejectAMissingFileAsBadUsage() throws Exception {
        Path sessions = Files.writeString(dir.resolve("s"), "5 5 22\n");

        int exit = execute("eval", "deeplog", "--train", sessions.toString(), "--normal", sessions.toString(),
                "--abnormal", dir.resolve("missing").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("No such file").contains("missing");
    }

    @Test
    void shouldRejectAQuantileOutsideZeroToOne() throws Exception {
        Path sessions = Files.writeString(dir.resolve("s"), "5 5 22\n");

        int exit = execute("eval", "deeplog", "--train", sessions.toString(), "--normal", sessions.toString(),
                "--abnormal", sessions.toString(), "--train-quantile", "1.5");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--train-quantile");
    }

    @Test
    void shouldRejectAFileWithNoSessions() throws Exception {
        Path sessions = Files.writeString(dir.resolve("s"), "5 5 22\n");
        Path empty = Files.writeString(dir.resolve("empty"), "\n\n");

        int exit = execute("eval", "deeplog", "--train", sessions.toString(), "--normal", empty.toString(),
                "--abnormal", sessions.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--normal holds no sessions");
    }
}
