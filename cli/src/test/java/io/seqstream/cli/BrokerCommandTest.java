package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BrokerCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldExitTwoOnAPortOutOfRange() {
        assertThat(run("broker", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("--port must be between 0 and 65535");
    }

    @Test
    void shouldFailWithAnActionableMessageWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThat(run("broker", "--port", "" + taken.getLocalPort())).isEqualTo(1);
            assertThat(err.toString()).contains("Port " + taken.getLocalPort() + " of localhost is in use");
        }
        assertThat(out.toString()).doesNotContain("ready at");
    }

    @Test
    void shouldDescribeItsOptions() {
        assertThat(run("broker", "--help")).isZero();
        assertThat(out.toString()).contains("--port").contains("--data").contains("Ctrl-C");
    }
}
