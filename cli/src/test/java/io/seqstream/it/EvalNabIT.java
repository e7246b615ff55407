package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.cli.SeqstreamCli;
import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.eval.nab.NabCorpus;
import io.seqstream.eval.nab.NabResults;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * {@code eval nab} with the seqstream detector end to end on a small NAB-shaped corpus (three files of 1,000 records,
 * one with a level shift inside its window): a numeric model is trained on the files' probationary periods, every
 * file streams through an in-process broker and the real scoring application, and every record's score equals an
 * offline replay of the same model (DL4J over the whole series) through the key's range and anomaly likelihood.
 */
class EvalNabIT {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int RECORDS = 1_000;

    @TempDir
    Path dir;

    @Test
    void shouldStreamEveryFileAsAKeyAndScoreLikeAnOfflineReplay() throws Exception {
        writeCorpus();
        Path store = dir.resolve("models");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("eval", "nab", "--data", dir.resolve("data").toString(), "--labels",
                dir.resolve("labels/windows.json").toString(), "--store", store.toString(), "--write-scores",
                dir.resolve("scores").toString(), "--partitions", "2", "--timeout", "300", "--no-progress",
                "-D", "score.likelihood-probation=60");

        assertThat(exit).as("exit; output:%n%s%nerrors:%n%s", out, err).isZero();
        List<String> lines = out.toString().lines().toList();
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(json.get("detector").asText()).isEqualTo("seqstream");
        assertThat(json.get("files").asInt()).isEqualTo(3);
        assertThat(json.has("standard") && json.has("reward_low_FP_rate") && json.has("reward_low_FN_rate")).isTrue();
        assertThat(out.toString()).contains("Training nab-eval on the probationary period of every file (450 records")
                .contains("Scored 3,000 records");

        NabCorpus corpus = NabCorpus.load(dir.resolve("data"), dir.resolve("labels/windows.json"));
        Map<String, double[]> streamed = NabResults.read(dir.resolve("scores"), corpus);
        try (LoadedModel model = ModelStore.local(store).load(ModelRef.parse("nab-eval@1"))) {
            assertThat(model.vocabulary().isNumeric()).isTrue();
            for (String file : List.of("cat/a.csv", "cat/b.csv", "cat/c.csv")) {
                double[] expected = replay(model, corpus.series().get(file).values(), 60);
                assertThat(streamed.get(file)).as(file).hasSize(RECORDS);
                for (int i = 0; i < RECORDS; i++) {
                    assertThat(streamed.get(file)[i]).as("%s record %d", file, i).isCloseTo(expected[i], within(1e-4));
                }
            }
        }
        double[] a = streamed.get("cat/a.csv");
        assertThat(a[700]).as("the level shift breaks out of the range").isEqualTo(1.0);
    }

    /** The model over the whole series at once, then each value through a fresh metric track. */
    private static double[] replay(LoadedModel model, double[] values, int probation) {
        Vocabulary vocabulary = model.vocabulary();
        MetricTrack bins = new MetricTrack(vocabulary.bins(), probation);
        int[] ids = new int[values.length];
        MetricTrack.Observation[] seen = new MetricTrack.Observation[values.length];
        for (int i = 0; i < values.length; i++) {
            seen[i] = bins.observe(values[i]);
            ids[i] = vocabulary.id(seen[i].token());
        }
        float[] input = new float[values.length];
        input[0] = Vocabulary.START_ID;
        for (int i = 1; i < values.length; i++) {
            input[i] = ids[i - 1];
        }
        INDArray probabilities = model.newNetworkCopy().output(Nd4j.create(input, new long[] {1, values.length}));
        MetricTrack track = new MetricTrack(vocabulary.bins(), probation, MetricTrack.DEFAULT_WINDOW,
                MetricTrack.DEFAULT_HISTORY);
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            int step = i;
            out[i] = track.calibrate(track.observe(values[i]),
                    bin -> probabilities.getDouble(0, vocabulary.binId(bin), step));
        }
        return out;
    }

    private void writeCorpus() throws Exception {
        Files.createDirectories(dir.resolve("data/cat"));
        Files.createDirectories(dir.resolve("labels"));
        Random random = new Random(5);
        for (String f : List.of("a", "b", "c")) {
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < RECORDS; i++) {
                double value = 20 + 5 * Math.sin(2 * Math.PI * i / 48) + random.nextGaussian();
                if (f.equals("a") && i >= 700) {
                    value += 30;
                }
                csv.append(timestamp(i)).append(',').append(value).append('\n');
            }
            Files.writeString(dir.resolve("data/cat/" + f + ".csv"), csv);
        }
        Files.writeString(dir.resolve("labels/windows.json"), "{\"cat/a.csv\": [[\"" + timestamp(690)
                + ".000000\", \"" + timestamp(720) + ".000000\"]], \"cat/b.csv\": [], \"cat/c.csv\": []}");
    }

    private static String timestamp(int i) {
        return LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(5L * i).format(TS);
    }
}
