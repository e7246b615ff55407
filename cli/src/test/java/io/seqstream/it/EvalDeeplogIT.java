package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.cli.SeqstreamCli;
import io.seqstream.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code eval deeplog} end to end on a slice of the HDFS dev data (200 train, 50 normal, 50 abnormal sessions) with
 * the tiny test model, through an in-process broker and the real scoring application: every session closes, and the
 * final JSON line agrees with the counts in the printed table and with the slice's sizes.
 */
class EvalDeeplogIT {
    private static final Pattern ROW = Pattern.compile(
            "^(seqstream session rule(?: \\(no calib\\.\\))?|seqstream top-g \\(g=\\d+\\)|seqstream worst surprisal > \\S+"
                    + "|unseen bag \\(key counts\\)|unseen \\d-gram)\\s+(\\d+)\\s+(\\d+)"
                    + "\\s+(\\d+)\\s+(\\d+)\\s");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldStreamEverySessionAndPrintJsonConsistentWithItsCounts() throws Exception {
        Path train = slice("train", 200);
        Path normal = slice("dev_normal", 50);
        Path abnormal = slice("dev_abnormal", 50);
        Path plot = dir.resolve("plot.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("eval", "deeplog", "--train", train.toString(), "--normal", normal.toString(),
                "--abnormal", abnormal.toString(), "--model", TestModels.HDFS + "@1",
                "--store", TestModels.storeDir().toString(), "--plot", plot.toString(), "--partitions", "2",
                "--timeout", "120");

        assertThat(exit).as("exit; output:%n%s%nerrors:%n%s", out, err).isZero();
        List<String> lines = out.toString().lines().toList();
        JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(json.get("model").asText()).isEqualTo(TestModels.HDFS + "@1");
        assertConsistent(json, 50, 50);
        assertConsistent(json.get("top_g"), 50, 50);
        assertConsistent(json.get("surprisal_rule"), 50, 50);
        assertConsistent(json.get("bag"), 50, 50);
        assertThat(json.get("rule").asText()).as("the test model predates calibrations")
                .isEqualTo("session-without-calibration");
        assertThat(json.get("tp").asLong() + json.get("fp").asLong())
                .as("without a calibration the session rule is: any anomalous event (or an unknown key)")
                .isGreaterThanOrEqualTo(json.get("top_g").get("tp").asLong() + json.get("top_g").get("fp").asLong());
        for (int n = 1; n <= 5; n++) {
            assertConsistent(json.get("ngram").get(Integer.toString(n)), 50, 50);
        }
        assertThat(json.get("events").asLong()).as("every event plus each session's end marker")
                .isEqualTo(events(train) + events(normal) + events(abnormal) + 300);

        List<JsonNode> expectedRows = List.of(json, json.get("top_g"), json.get("surprisal_rule"), json.get("bag"),
                json.get("ngram").get("1"),
                json.get("ngram").get("2"), json.get("ngram").get("3"), json.get("ngram").get("4"),
                json.get("ngram").get("5"));
        List<long[]> printed = lines.stream().map(ROW::matcher).filter(Matcher::find)
                .map(m -> new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5))})
                .toList();
        assertThat(printed).as("table rows in:%n%s", out).hasSize(expectedRows.size());
        for (int i = 0; i < printed.size(); i++) {
            JsonNode m = expectedRows.get(i);
            assertThat(printed.get(i)).containsExactly(m.get("tp").asLong(), m.get("fp").asLong(),
                    m.get("fn").asLong(), m.get("tn").asLong());
        }
        assertThat(Files.size(plot)).isPositive();
        assertThat(Files.readAllLines(dir.resolve("plot.csv"))).hasSize(202).first()
                .isEqualTo("threshold,recall,fpr");
    }

    /** Counts that add up to the slice, and metrics that follow from them. */
    private static void assertConsistent(JsonNode m, int normal, int abnormal) {
        double tp = m.get("tp").asLong();
        double fp = m.get("fp").asLong();
        double fn = m.get("fn").asLong();
        double tn = m.get("tn").asLong();
        assertThat(tp + fn).isEqualTo(abnormal);
        assertThat(fp + tn).isEqualTo(normal);
        double precision = tp + fp == 0 ? 0 : tp / (tp + fp);
        double recall = tp / (tp + fn);
        double fpr = fp / (fp + tn);
        assertThat(m.get("precision").asDouble()).isEqualTo(precision, within(1e-9));
        assertThat(m.get("recall").asDouble()).isEqualTo(recall, within(1e-9));
        assertThat(m.get("fpr").asDouble()).isEqualTo(fpr, within(1e-9));
        assertThat(m.get("f1").asDouble()).isEqualTo(
                precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), within(1e-9));
        double hdfsTp = recall * 16_838;
        double hdfsFp = fpr * 553_366;
        double hdfsPrecision = hdfsTp + hdfsFp == 0 ? 0 : hdfsTp / (hdfsTp + hdfsFp);
        assertThat(m.get("f1_at_hdfs_prevalence").asDouble()).isEqualTo(hdfsPrecision + recall == 0 ? 0
                : 2 * hdfsPrecision * recall / (hdfsPrecision + recall), within(1e-9));
    }

    private Path slice(String file, int sessions) throws Exception {
        List<String> lines = TestModels.hdfsSessions(file, sessions).stream()
                .map(s -> String.join(" ", s)).collect(Collectors.toList());
        return Files.write(dir.resolve(file), lines);
    }

    private static long events(Path file) throws Exception {
        return Files.readAllLines(file).stream().mapToLong(l -> l.trim().split("\\s+").length).sum();
    }
}
