package io.seqstream.eval.nab;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a detector's output in NAB's results layout, {@code <dir>/<category>/<detector>_<file>.csv} with
 * {@code timestamp,value,anomaly_score}, so that NAB's own scorer (or {@code seqstream eval nab --scores}) reads it.
 */
public final class NabResultsWriter {
    private NabResultsWriter() {
    }

    public static void write(Path dir, String detector, NabCorpus corpus, Map<String, double[]> scores)
            throws IOException {
        for (var e : corpus.series().entrySet()) {
            Path target = dir.resolve(e.getKey());
            target = target.resolveSibling(detector + "_" + target.getFileName());
            Files.createDirectories(target.getParent());
            NabSeries series = e.getValue();
            double[] s = scores.get(e.getKey());
            try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
                w.write("timestamp,value," + NabResults.SCORE_COLUMN + "\n");
                for (int i = 0; i < series.size(); i++) {
                    w.write(series.timestamps().get(i).format(NabTimestamps.DATA_FORMAT) + "," + series.values()[i]
                            + "," + s[i] + "\n");
                }
            }
        }
    }
}
