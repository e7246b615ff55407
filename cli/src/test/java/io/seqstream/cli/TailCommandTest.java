package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code seqstream tail} without a broker: usage errors, found before it connects, and no cluster at all. */
class TailCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldRejectAnUnknownTopicWithTheChoices() {
        assertThat(run("tail", "--topic", "events", "--bootstrap-servers", "localhost:1")).isEqualTo(2);
        assertThat(err.toString()).contains("'events'").contains("scores, anomalies, summaries, scores-shadow");
    }

    @Test
    void shouldRejectAMaxBelowOneAndABadTimeout() {
        assertThat(run("tail", "--max", "0", "--bootstrap-servers", "localhost:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--max must be at least 1");
        assertThat(run("tail", "--timeout", "soon", "--bootstrap-servers", "localhost:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid duration 'soon'");
    }

    @Test
    void shouldRejectAnUnknownSetting() {
        assertThat(run("tail", "-D", "no.such.setting=1", "--bootstrap-servers", "localhost:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown setting 'no.such.setting'");
    }

    @Test
    void shouldExitOneWhenNoClusterAnswersWithinTheTimeout() {
        assertThat(run("tail", "--bootstrap-servers", "localhost:1", "--timeout", "2s")).isEqualTo(1);
        assertThat(err.toString()).contains("no answer from Kafka at localhost:1 within 2s");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldBeListedInTheTopLevelHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("tail");
    }
}
