package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.model.RangeQuantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricSeriesTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadNabCsvsAndBareNumbersFromAFolderInPathOrder() throws Exception {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/x.csv"), "timestamp,value\n2014-01-01 00:00:00,1.5\n\n2014-01-01 00:05:00,-2\n");
        Files.writeString(dir.resolve("a.csv"), "3\n4e1\n");
        Files.writeString(dir.resolve("notes.txt"), "not a series");

        List<MetricSeries> series = MetricSeries.read(dir);

        assertThat(series).extracting(MetricSeries::name).containsExactly("a.csv", "b/x.csv");
        assertThat(series.get(0).values()).containsExactly(3, 40);
        assertThat(series.get(1).values()).containsExactly(1.5, -2);
        assertThat(series.get(1).head(1).values()).containsExactly(1.5);
    }

    @Test
    void shouldSayWhichLineIsNotANumber() throws Exception {
        Files.writeString(dir.resolve("bad.csv"), "value\n1\nabc\n");

        assertThatThrownBy(() -> MetricSeries.read(dir.resolve("bad.csv"))).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.csv:3: 'abc' is not a finite number");
    }

    @Test
    void shouldQuantizeEachSeriesFromItsStartAsTheStreamDoesAndCutItIntoChunks() {
        double[] values = {5, 5, 15, 10, 0, 20, 10};
        MetricSeries s = new MetricSeries("s.csv", values);

        TokenCorpus corpus = MetricSeries.corpus("test", List.of(s, s, s, s), 4, 3, 0.25, 1L);

        // each series: [5,5,15] [10,0,20] [10] -> the last part has one value and is dropped
        assertThat(corpus.train().size() + corpus.validation().size()).isEqualTo(8);
        List<String> expected = List.of(RangeQuantizer.tokens(values, 4));
        assertThat(expected).containsExactly("b0", "b0", "b3", "b2", "b0", "b3", "b2");
        assertThat(corpus.train()).allSatisfy(seq -> assertThat(seq).isIn(expected.subList(0, 3),
                expected.subList(3, 6)));
    }
}
