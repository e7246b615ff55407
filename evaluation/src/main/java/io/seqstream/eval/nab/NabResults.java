package io.seqstream.eval.nab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a detector's output in NAB's results layout: for each data file {@code <category>/<file>.csv} a CSV
 * {@code <dir>/<category>/<file>.csv} or {@code <dir>/<category>/<detector>_<file>.csv} with a header naming an
 * {@code anomaly_score} column (NAB writes {@code timestamp,value,anomaly_score,...}) and one row per record.
 */
public final class NabResults {
    public static final String SCORE_COLUMN = "anomaly_score";

    private NabResults() {
    }

    /** The anomaly scores of every file of the corpus, by relative path. */
    public static Map<String, double[]> read(Path dir, NabCorpus corpus) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("scores: not a directory: " + dir);
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (var e : corpus.series().entrySet()) {
            Path file = locate(dir, e.getKey());
            double[] s = readScores(file);
            if (s.length != e.getValue().size()) {
                throw new IllegalArgumentException(file + ": " + s.length + " rows but " + e.getKey() + " has "
                        + e.getValue().size() + " records");
            }
            scores.put(e.getKey(), s);
        }
        return scores;
    }

    static Path locate(Path dir, String relativePath) throws IOException {
        Path exact = dir.resolve(relativePath);
        if (Files.isRegularFile(exact)) {
            return exact;
        }
        Path category = exact.getParent();
        String fileName = exact.getFileName().toString();
        List<Path> prefixed = new ArrayList<>();
        if (Files.isDirectory(category)) {
            try (Stream<Path> files = Files.list(category)) {
                files.filter(p -> p.getFileName().toString().endsWith("_" + fileName)).forEach(prefixed::add);
            }
        }
        if (prefixed.size() != 1) {
            throw new IllegalArgumentException("scores: expected " + exact + " or one <detector>_" + fileName
                    + " beside it, found " + prefixed.size());
        }
        return prefixed.get(0);
    }

    static double[] readScores(Path csv) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (header == null) {
                throw new IllegalArgumentException(csv + " is empty");
            }
            int column = Arrays.asList(header.strip().split(",", -1)).indexOf(SCORE_COLUMN);
            if (column < 0) {
                throw new IllegalArgumentException(csv + ": header has no " + SCORE_COLUMN + " column: " + header);
            }
            double[] scores = new double[1024];
            int n = 0;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                double s;
                try {
                    s = Double.parseDouble(cells[column].strip());
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw new IllegalArgumentException(csv + ":" + (n + 2) + ": no numeric " + SCORE_COLUMN);
                }
                if (n == scores.length) {
                    scores = Arrays.copyOf(scores, n * 2);
                }
                scores[n++] = s;
            }
            return Arrays.copyOf(scores, n);
        }
    }
}
