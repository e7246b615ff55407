package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.app.topology.Topics;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import io.seqstream.testing.OfflineReference;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code seqstream score} through {@link CommandLine#execute}: its scores must be the topology's for the same
 * sequences, fed to the production topology record by record with keys interleaved, and agree with the whole
 * sequence run through the network offline.
 */
class ScoreCommandTest {
    private static final InputStream INITIAL_STDIN = System.in;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final LoadedModel model = TestModels.hdfs();

    @TempDir
    Path dir;

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("score", "--store", TestModels.storeDir().toString(),
                "--model", TestModels.HDFS));
        all.addAll(List.of(args));
        return execute(all.toArray(String[]::new));
    }

    private int execute(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private int runWithStdin(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(INITIAL_STDIN);
        }
    }

    private Path file(List<String> lines) throws Exception {
        Path file = dir.resolve("input.txt");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** The printed JSON records by key, in order: Score records, and a SequenceSummary where one ended. */
    private record Printed(Map<String, List<Score>> scores, Map<String, SequenceSummary> summaries) {
    }

    private Printed printedJson() throws Exception {
        Map<String, List<Score>> scores = new LinkedHashMap<>();
        Map<String, SequenceSummary> summaries = new LinkedHashMap<>();
        for (String line : out.toString().split("\n")) {
            if (line.contains("\"reason\"")) {
                SequenceSummary s = SchemaJson.read(line, SequenceSummary.class);
                assertThat(summaries.put(s.getKey().toString(), s)).as("one summary per key").isNull();
            } else {
                Score s = SchemaJson.read(line, Score.class);
                assertThat(summaries).as("no score after its sequence's summary").doesNotContainKey(s.getKey());
                scores.computeIfAbsent(s.getKey().toString(), k -> new ArrayList<>()).add(s);
            }
        }
        return new Printed(scores, summaries);
    }

    /**
     * What the production topology emits for {@code sessions} fed one token per record with the keys interleaved,
     * each closed by an end record: the reference the command's scores must equal.
     */
    private Printed topologyScores(Map<String, List<String>> sessions) {
        SeqstreamConfig config = SeqstreamConfig.of(Map.of(Setting.MODEL_NAME.key(), TestModels.HDFS,
                Setting.PROCESSING_GUARANTEE.key(), "at_least_once", Setting.MAX_BATCH_DELAY_MS.key(), "0",
                Setting.STATE_DIR.key(), dir.resolve("reference-state").toString()));
        Topics topics = Topics.from(config);
        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(config, ActiveModel.of(model),
                new SeqstreamMetrics(new SimpleMeterRegistry())), StreamsSettings.build(config))) {
            TestInputTopic<byte[], byte[]> events = driver.createInputTopic(topics.events().name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            int longest = sessions.values().stream().mapToInt(List::size).max().orElseThrow();
            for (int t = 0; t <= longest; t++) {
                for (var session : sessions.entrySet()) {
                    List<String> tokens = session.getValue();
                    String value = t < tokens.size() ? "{\"token\":\"" + tokens.get(t) + "\"}"
                            : t == tokens.size() ? "{\"end\":true}" : null;
                    if (value != null) {
                        events.pipeInput(utf8(session.getKey()), utf8(value));
                    }
                }
            }
            TestOutputTopic<String, Score> scores = driver.createOutputTopic(topics.scores().name(),
                    topics.scores().keySerde().deserializer(), topics.scores().valueSerde().deserializer());
            TestOutputTopic<String, SequenceSummary> summaries = driver.createOutputTopic(topics.summaries().name(),
                    topics.summaries().keySerde().deserializer(), topics.summaries().valueSerde().deserializer());
            Map<String, List<Score>> byKey = new LinkedHashMap<>();
            scores.readValuesToList().forEach(s -> byKey.computeIfAbsent(s.getKey().toString(),
                    k -> new ArrayList<>()).add(s));
            Map<String, SequenceSummary> ended = new LinkedHashMap<>();
            summaries.readValuesToList().forEach(s -> ended.put(s.getKey().toString(), s));
            return new Printed(byKey, ended);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Same scores as the topology's (to float rounding at most) and as the offline reference (to 1e-5). */
    private void assertScoresEqual(Printed got, Printed expected, Map<String, List<String>> sessions) {
        assertThat(got.scores().keySet()).containsExactlyInAnyOrderElementsOf(sessions.keySet());
        for (var session : sessions.entrySet()) {
            String key = session.getKey();
            List<String> tokens = session.getValue();
            List<Score> scores = got.scores().get(key);
            List<Score> reference = expected.scores().get(key);
            float[][] offline = OfflineReference.distributions(model, tokens);
            assertThat(scores).hasSize(tokens.size() + 1).hasSameSizeAs(reference);
            for (int i = 0; i < scores.size(); i++) {
                Score s = scores.get(i);
                Score r = reference.get(i);
                String token = i < tokens.size() ? tokens.get(i) : Vocabulary.END;
                assertThat(s.getToken().toString()).isEqualTo(token);
                assertThat(s.getPosition()).isEqualTo(i + 1).isEqualTo(r.getPosition());
                assertThat(s.getProbability()).isCloseTo(r.getProbability(), within(1e-9));
                assertThat(s.getProbability()).isCloseTo(offline[i][s.getTokenId()], within(1e-5));
                assertThat(s.getRank()).isEqualTo(r.getRank());
                assertThat(s.getAnomaly()).isEqualTo(r.getAnomaly());
                assertThat(s.getPredictions()).extracting(p -> p.getToken().toString())
                        .isEqualTo(r.getPredictions().stream().map(p -> p.getToken().toString()).toList());
                assertThat(s.getModel()).isEqualTo(model.label());
            }
            SequenceSummary summary = got.summaries().get(key);
            assertThat(summary.getReason()).isEqualTo(SummaryReason.END);
            assertThat(summary.getTokens()).isEqualTo(tokens.size() + 1);
            assertThat(summary.getPerplexity()).isCloseTo(expected.summaries().get(key).getPerplexity(), within(1e-9));
            assertThat(summary.getAnomalies()).isEqualTo(expected.summaries().get(key).getAnomalies());
        }
    }

    private static Map<String, List<String>> lineSessions(List<List<String>> sessions) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < sessions.size(); i++) {
            byKey.put("line-" + (i + 1), sessions.get(i));
        }
        return byKey;
    }

    @Test
    void shouldPrintTheTopologysScoresForEachLineOfAFileAsJson() throws Exception {
        List<List<String>> sessions = TestModels.hdfsSessions("dev_normal", 3);
        Path input = file(sessions.stream().map(s -> String.join(" ", s)).toList());

        assertThat(run("--input", input.toString(), "--format", "id", "--json")).isZero();

        Map<String, List<String>> byKey = lineSessions(sessions);
        assertScoresEqual(printedJson(), topologyScores(byKey), byKey);
        assertThat(err.toString()).contains("0 of 3 lines refused").doesNotContain("still open");
    }

    @Test
    void shouldReadStandardInputAndPrintTheQuickstartsLines() throws Exception {
        List<List<String>> sessions = TestModels.hdfsSessions("dev_abnormal", 2);
        String stdin = String.join(" ", sessions.get(0)) + "\r\n\n" + String.join("  ", sessions.get(1));

        assertThat(runWithStdin(stdin)).isZero(); // default: --input -, and id lines for an id vocabulary

        String[] lines = out.toString().split("\n");
        Map<String, List<String>> byKey = Map.of("line-1", sessions.get(0), "line-3", sessions.get(1));
        Printed reference = topologyScores(byKey);
        assertThat(lines).hasSize(sessions.get(0).size() + sessions.get(1).size() + 4);
        List<String> expected = new ArrayList<>();
        for (String key : List.of("line-1", "line-3")) {
            reference.scores().get(key).forEach(s -> expected.add(ScoreCommand.scoreLine(s)));
            expected.add(ScoreCommand.summaryLine(reference.summaries().get(key)));
        }
        assertThat(lines).containsExactlyElementsOf(expected);
        assertThat(lines[0]).matches("line-1 +@\\S+ +#1 +\\S+ +p=\\d\\.\\d{3}  top3=\\[\\S+:\\d\\.\\d{2} .*");
        assertThat(lines[sessions.get(0).size()]).contains("#" + (sessions.get(0).size() + 1) + " ")
                .contains(Vocabulary.END);
        assertThat(lines[sessions.get(0).size() + 1]).matches("line-1 +ended: " + (sessions.get(0).size() + 1)
                + " tokens, perplexity \\d+\\.\\d{2}, \\d+ anomalous(, session anomalous \\([a-z-]+\\))?");
        long anomalous = reference.scores().values().stream().flatMap(List::stream).filter(Score::getAnomaly).count();
        assertThat(anomalous).as("abnormal sessions give the ANOMALY lines something to show").isPositive();
        assertThat(out.toString().split("ANOMALY", -1)).hasSize((int) anomalous + 1);
    }

    @Test
    void shouldScoreJsonEventsOfTwoInterleavedKeysLikeTheTopology() throws Exception {
        List<List<String>> sessions = TestModels.hdfsSessions("dev_normal", 2);
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        byKey.put("blk-a", sessions.get(0));
        byKey.put("blk-b", sessions.get(1));
        List<String> lines = new ArrayList<>();
        int longest = Math.max(sessions.get(0).size(), sessions.get(1).size());
        for (int t = 0; t < longest; t += 2) { // records of one or two tokens, the two keys alternating
            for (var session : byKey.entrySet()) {
                List<String> tokens = session.getValue();
                if (t + 1 < tokens.size()) {
                    lines.add("{\"key\":\"" + session.getKey() + "\",\"tokens\":[\"" + tokens.get(t) + "\",\""
                            + tokens.get(t + 1) + "\"]}");
                } else if (t < tokens.size()) {
                    lines.add("{\"key\":\"" + session.getKey() + "\",\"token\":\"" + tokens.get(t) + "\"}");
                }
            }
        }
        lines.add("{\"key\":\"blk-b\",\"end\":true}");
        lines.add("{\"key\":\"blk-a\",\"tokens\":[],\"end\":true}");

        assertThat(run("--input", file(lines).toString(), "--format", "json", "--json")).isZero();

        assertScoresEqual(printedJson(), topologyScores(byKey), byKey);
        assertThat(err.toString()).contains("0 of " + lines.size() + " lines refused");
    }

    @Test
    void shouldReportRefusedLinesWithTheirReasonAndScoreTheOthers() throws Exception {
        List<String> lines = List.of(
                "{\"key\":\"ok\",\"token\":\"5\"}",
                "{\"key\":\"ok\",\"token\":",
                "{\"token\":\"5\"}",
                "{\"key\":\"ok\",\"tokens\":[\"5\",\"\"]}",
                "{\"key\":\"open\",\"token\":\"22\"}",
                "{\"key\":\"ok\",\"token\":\"22\",\"end\":true}");

        assertThat(run("--input", file(lines).toString(), "--format", "json")).isZero();

        assertThat(err.toString())
                .contains("line 2 refused (" + io.seqstream.app.input.EventParser.INVALID_JSON + ")")
                .contains("line 3 refused (" + io.seqstream.app.input.EventParser.NULL_KEY + ")")
                .contains("line 4 refused (" + io.seqstream.app.input.EventParser.NO_TOKENS + ")")
                .contains("1 sequence(s) still open at the end of the input").contains(": open")
                .contains("3 of 6 lines refused");
        assertThat(out.toString().split("\n")).hasSize(5); // ok: 5, 22, <e> and its summary; open: 22
        assertThat(out.toString()).contains("ok             ended: 3 tokens");
    }

    @Test
    void shouldRefuseTooLongLinesWithTheTopologysLimit() throws Exception {
        Path input = file(List.of("5 5 22 11 9", "5 22"));

        assertThat(run("--input", input.toString(), "-D", "input.max-tokens=3")).isZero();

        assertThat(err.toString()).contains("line 1 refused (" + io.seqstream.app.input.EventParser.TOO_MANY_TOKENS
                + "): The record carries 5 tokens, over the limit of 3");
        assertThat(out.toString()).doesNotContain("line-1").contains("line-2         ended: 3 tokens");
    }

    @Test
    void shouldSplitTextLinesByTheModelsVocabulary() throws Exception {
        List<String> session = TestModels.hdfsSessions("dev_normal", 1).get(0);

        assertThat(runWithStdin("\t" + String.join("   ", session) + " \n", "--format", "text", "--json")).isZero();

        Map<String, List<String>> byKey = Map.of("line-1", session);
        assertScoresEqual(printedJson(), topologyScores(byKey), byKey);
    }

    @Test
    void shouldScoreTextLinesOfACharModelCharacterByCharacterByDefault() throws Exception {
        Path store = dir.resolve("store");
        List<String> tokens = new ArrayList<>(Vocabulary.RESERVED);
        tokens.addAll(List.of("a", "b", "c", " "));
        try (LoadedModel chars = RandomModels.withVocabulary(store, "chars",
                new Vocabulary(VocabularyKind.CHAR, false, tokens), 4, 8, 1, 7)) {
            System.setIn(new ByteArrayInputStream(utf8("ab c\n")));
            try {
                assertThat(execute("score", "--store", store.toString(), "--model", "chars", "--json")).isZero();
            } finally {
                System.setIn(INITIAL_STDIN);
            }
            List<Score> scores = printedJson().scores().get("line-1");
            assertThat(scores).extracting(s -> s.getToken().toString()).containsExactly("a", "b", " ", "c",
                    Vocabulary.END);
            float[][] offline = OfflineReference.distributions(chars, List.of("a", "b", " ", "c"));
            for (int i = 0; i < scores.size(); i++) {
                assertThat(scores.get(i).getProbability()).isCloseTo(offline[i][scores.get(i).getTokenId()],
                        within(1e-5));
            }
        }
    }

    @Test
    void shouldFailWhenEveryLineIsRefused() throws Exception {
        assertThat(run("--input", file(List.of("not json", "{\"token\":\"5\"}")).toString(), "--format", "json"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("every line was refused");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldExitTwoForBadUsageAndOneForAMissingModelOrFile() throws Exception {
        String store = TestModels.storeDir().toString();
        assertThat(run("--format", "xml")).isEqualTo(2);
        assertThat(execute("score", "--store", store, "--input", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("No model configured");
        assertThat(run("--input", dir.resolve("missing.txt").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("No such input file");
        assertThat(execute("score", "--store", store, "--model", "no-such-model", "--input", file(List.of("5"))
                .toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no-such-model");
    }
}
