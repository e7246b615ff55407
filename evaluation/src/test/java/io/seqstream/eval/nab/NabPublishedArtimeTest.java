package io.seqstream.eval.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scorer against numbers NAB published: ARTime's outputs on the full benchmark (58 files, 116 windows; bundled,
 * see {@code src/test/resources/nab/README.md}) must score exactly ARTime's row of NAB's
 * {@code results/final_results.json} (74.85377223215792, 65.15400017974811, 80.36228493638114), with NAB's own
 * optimized thresholds.
 */
class NabPublishedArtimeTest {
    private static NabCorpus corpus;
    private static Map<String, double[]> scores;

    @BeforeAll
    static void load() throws Exception {
        Map<String, List<LocalDateTime>> timestamps = new LinkedHashMap<>();
        Map<String, List<Window>> windows = new LinkedHashMap<>();
        scores = new LinkedHashMap<>();
        try (InputStream in = NabPublishedArtimeTest.class.getResourceAsStream("/nab/artime-published.txt.gz");
             BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(in),
                     StandardCharsets.UTF_8))) {
            String name = null;
            List<LocalDateTime> ts = null;
            double[] s = null;
            int filled = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "file" -> {
                        name = f[1];
                        ts = new ArrayList<>();
                        s = new double[Integer.parseInt(f[2])];
                        filled = 0;
                        timestamps.put(name, ts);
                        windows.put(name, new ArrayList<>());
                        scores.put(name, s);
                    }
                    case "t" -> ts.add(NabTimestamps.parse(f[1] + " " + f[2]));
                    case "d" -> {
                        for (int i = 0; i < Integer.parseInt(f[2]); i++) {
                            ts.add(ts.get(ts.size() - 1).plusSeconds(Long.parseLong(f[1])));
                        }
                    }
                    case "s" -> {
                        for (int i = 0; i < Integer.parseInt(f[2]); i++) {
                            s[filled++] = Double.parseDouble(f[1]);
                        }
                    }
                    case "w" -> {
                        String[] ends = line.substring(2).split("\\|");
                        windows.get(name).add(new Window(NabTimestamps.parse(ends[0]), NabTimestamps.parse(ends[1])));
                    }
                    default -> {
                    }
                }
            }
        }
        // the series' values play no part in scoring: the scores stand in for them
        Map<String, NabSeries> series = new LinkedHashMap<>();
        timestamps.forEach((n, ts) -> series.put(n, new NabSeries(n, ts, scores.get(n))));
        corpus = new NabCorpus(series, windows);
    }

    @Test
    void shouldReproduceArtimesPublishedFinalResults() {
        assertThat(corpus.series()).hasSize(58);
        assertThat(corpus.windowCount()).isEqualTo(116);

        NabScorer.Result result = new NabScorer(corpus, Profile.nabDefaults()).score(scores);

        assertThat(result.profile("standard").normalized()).isCloseTo(74.85377223215792, within(1e-9));
        assertThat(result.profile("reward_low_FP_rate").normalized()).isCloseTo(65.15400017974811, within(1e-9));
        assertThat(result.profile("reward_low_FN_rate").normalized()).isCloseTo(80.36228493638114, within(1e-9));
    }
}
