package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.cli.SeqstreamCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quickstart as a new user runs it (in-process broker, a fresh store): it trains a model, serves it, trains
 * the next version while the stream runs, publishes it through the gate, and the printed scores switch version
 * mid-stream — every event scored once, each key switching once and never back.
 */
class QuickstartIT {
    private static final Pattern SCORE = Pattern.compile("^(blk_\\S+)\\s+@(\\d+)\\s+#(\\d+)\\s");

    @TempDir
    Path dir;

    @Test
    void shouldSwapTheNextVersionInMidStreamAndScoreEveryEventOnce() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        int exit;
        try {
            exit = cli.execute("quickstart", "--events", "200", "--swap-after", "60", "--store",
                    dir.resolve("models").toString(), "--timeout", "240");
        } finally {
            root.detachAppender(logged);
        }
        // A normal run logs no WARN or ERROR but the dead letters of the two malformed records it sends on purpose.
        List<String> warnings = logged.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                .filter(e -> !(e.getLoggerName().endsWith("ParseProcessor")
                        && e.getFormattedMessage().startsWith("Dead-lettering")))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                .toList();
        assertThat(warnings).as("WARN and ERROR lines of a normal quickstart").isEmpty();

        String printed = out.toString();
        assertThat(exit).as("exit code; stderr:%n%s%nstdout:%n%s", err, printed).isZero();
        assertThat(printed).contains("Trained hdfs-quickstart@1")
                .contains("training the next version of hdfs-quickstart from hdfs-quickstart@1")
                .contains("Gate passed")
                .contains("hdfs-quickstart@2 swapped in live")
                .contains("Summary: 200 events scored, 2 dead-lettered")
                .contains("model hdfs-quickstart@1 → hdfs-quickstart@2");
        // Per key: positions 1, 2, 3, ... once each, and the version never goes back from @2 to @1.
        java.util.Map<String, Integer> lastPosition = new java.util.HashMap<>();
        java.util.Map<String, Integer> lastVersion = new java.util.HashMap<>();
        int scoredBy2 = 0;
        for (String line : List.of(printed.split("\\R"))) {
            Matcher m = SCORE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String key = m.group(1);
            int version = Integer.parseInt(m.group(2));
            int position = Integer.parseInt(m.group(3));
            assertThat(position).as("position of %s", key).isEqualTo(lastPosition.getOrDefault(key, 0) + 1);
            assertThat(version).as("version of %s at #%d", key, position)
                    .isGreaterThanOrEqualTo(lastVersion.getOrDefault(key, 1));
            lastPosition.put(key, position);
            lastVersion.put(key, version);
            scoredBy2 += version == 2 ? 1 : 0;
        }
        assertThat(scoredBy2).as("scores from the new version").isPositive();
    }
}
