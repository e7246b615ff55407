package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code seqstream eval nab} through {@link CommandLine#execute} on a hand-made two-file corpus (100 records each;
 * a.csv has one window over records 40..49, b.csv none) and on the real corpus in {@code ../shared/data/nab}.
 */
class EvalNabCommandTest {
    private static final Path SHARED_NAB = Path.of("..", "..", "shared", "data", "nab");
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private JsonNode lastJsonLine() throws Exception {
        List<String> lines = out.toString().lines().toList();
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    private static String timestamp(int i) {
        return LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(5L * i).format(TS);
    }

    @BeforeEach
    void writeTinyCorpus() throws Exception {
        Files.createDirectories(dir.resolve("data/cat"));
        Files.createDirectories(dir.resolve("labels"));
        for (String f : List.of("a", "b")) {
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < 100; i++) {
                csv.append(timestamp(i)).append(",1.0\n");
            }
            Files.writeString(dir.resolve("data/cat/" + f + ".csv"), csv);
        }
        Files.writeString(dir.resolve("labels/windows.json"), "{\"cat/a.csv\": [[\"" + timestamp(40)
                + ".000000\", \"" + timestamp(49) + ".000000\"]], \"cat/b.csv\": []}");
    }

    private void writeScores(String file, int... detections) throws Exception {
        Files.createDirectories(dir.resolve("scores/cat"));
        StringBuilder csv = new StringBuilder("timestamp,value,anomaly_score,label\n");
        for (int i = 0; i < 100; i++) {
            int index = i;
            boolean hit = java.util.Arrays.stream(detections).anyMatch(d -> d == index);
            csv.append(timestamp(i)).append(",1.0,").append(hit ? "0.9" : "0.0").append(",0\n");
        }
        Files.writeString(dir.resolve("scores/cat/mydetector_" + file + ".csv"), csv);
    }

    @Test
    void shouldScoreResultCsvsWithNabsProtocol() throws Exception {
        writeScores("a", 40);
        writeScores("b", 60);

        int code = run("eval", "nab", "--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString(), "--scores", dir.resolve("scores").toString());

        assertThat(code).as(err.toString()).isZero();
        JsonNode json = lastJsonLine();
        // standard: TP at the window start (+1), one FP before any window (-0.11); null -1; perfect 1
        assertThat(json.get("standard").asDouble()).isCloseTo(100 * (0.89 + 1) / 2, within(1e-9));
        assertThat(json.get("reward_low_FP_rate").asDouble()).isCloseTo(100 * (0.78 + 1) / 2, within(1e-9));
        assertThat(json.get("reward_low_FN_rate").asDouble()).isCloseTo(100 * (0.89 + 2) / 3, within(1e-9));
        assertThat(json.get("thresholds").get("standard").asDouble()).isEqualTo(0.9);
        assertThat(out.toString()).contains("cat/a.csv").contains("cat/b.csv").contains("NAB's published three");
    }

    @Test
    void shouldScoreAtAFixedThresholdWhenGiven() throws Exception {
        writeScores("a", 40);
        writeScores("b", 60);

        int code = run("eval", "nab", "--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString(), "--scores", dir.resolve("scores").toString(),
                "--threshold", "1.0");

        assertThat(code).as(err.toString()).isZero();
        JsonNode json = lastJsonLine();
        // nothing scores 1.0: every window missed, as the null detector
        assertThat(json.get("standard").asDouble()).isEqualTo(0.0);
        assertThat(json.get("threshold_optimized").asBoolean()).isFalse();
    }

    @Test
    void shouldRoundTripBuiltInDetectorOutputThroughWrittenScores() throws Exception {
        String[] corpus = {"--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString()};
        assertThat(run(concat(corpus, "--detector", "random", "--write-scores", dir.resolve("out").toString())))
                .as(err.toString()).isZero();
        JsonNode direct = lastJsonLine();
        assertThat(Files.exists(dir.resolve("out/cat/random_a.csv"))).isTrue();

        assertThat(run(concat(corpus, "--scores", dir.resolve("out").toString()))).isZero();
        JsonNode reread = lastJsonLine();

        assertThat(reread.get("standard").asDouble()).isEqualTo(direct.get("standard").asDouble());
        assertThat(reread.get("reward_low_FN_rate").asDouble()).isEqualTo(direct.get("reward_low_FN_rate").asDouble());
    }

    @Test
    void shouldExitTwoOnBadUsage() {
        String[] corpus = {"--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString()};

        assertThat(run(concat(corpus, "--detector", "nope"))).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --detector nope");
        assertThat(run(concat(corpus, "--detector", "seqstream", "--partitions", "0"))).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions and --timeout must be at least 1");
        assertThat(run(concat(corpus, "--detector", "null", "--scores", dir.toString()))).isEqualTo(2);
        assertThat(run("eval", "nab", "--data", dir.toString())).isEqualTo(2);
    }

    @Test
    void shouldExitOneWhenScoresAreMissingForAFile() throws Exception {
        writeScores("a", 40);

        assertThat(run("eval", "nab", "--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString(), "--scores", dir.resolve("scores").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("b.csv");
    }

    @Test
    void shouldScoreNullDetectorZeroOnTheSharedCorpus() throws Exception {
        int code = run("eval", "nab", "--data", SHARED_NAB.resolve("data").toString(), "--labels",
                SHARED_NAB.resolve("labels/combined_windows.json").toString(), "--detector", "null");

        assertThat(code).as(err.toString()).isZero();
        JsonNode json = lastJsonLine();
        assertThat(json.get("files").asInt()).isEqualTo(41);
        assertThat(json.get("windows").asInt()).isEqualTo(69);
        assertThat(json.get("standard").asDouble()).isEqualTo(0.0);
        assertThat(json.get("reward_low_FP_rate").asDouble()).isEqualTo(0.0);
        assertThat(json.get("reward_low_FN_rate").asDouble()).isEqualTo(0.0);
        assertThat(out.toString()).contains("config/profiles.json").contains("realKnownCause/nyc_taxi.csv");
    }

    private String[] concat(String[] corpus, String... more) {
        String[] all = new String[2 + corpus.length + more.length];
        all[0] = "eval";
        all[1] = "nab";
        System.arraycopy(corpus, 0, all, 2, corpus.length);
        System.arraycopy(more, 0, all, 2 + corpus.length, more.length);
        return all;
    }
}
