package io.seqstream.eval.nab;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a detector's per-record anomaly scores come from: a built-in {@link NabDetector} run over each file, a
 * folder of result CSVs, or (later) seqstream itself streaming every file as its own key through the topology.
 */
public interface NabScoreSource {
    /** The detector's name, for reports. */
    String name();

    /** Anomaly scores in [0, 1] for every file of the corpus, by relative path, one per record. */
    Map<String, double[]> scores(NabCorpus corpus) throws Exception;

    /** Runs an online detector over each file independently. */
    static NabScoreSource of(NabDetector detector) {
        return new NabScoreSource() {
            @Override
            public String name() {
                return detector.name();
            }

            @Override
            public Map<String, double[]> scores(NabCorpus corpus) {
                Map<String, double[]> scores = new LinkedHashMap<>();
                corpus.series().forEach((name, series) -> scores.put(name, detector.scores(series)));
                return scores;
            }
        };
    }

    /** Reads a detector's output in NAB's results layout (see {@link NabResults}). */
    static NabScoreSource fromResults(String name, Path dir) {
        return new NabScoreSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, double[]> scores(NabCorpus corpus) throws Exception {
                return NabResults.read(dir, corpus);
            }
        };
    }
}
