package io.seqstream.training;

import io.seqstream.model.RangeQuantizer;
import io.seqstream.model.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Training data for a numeric model: metric series read from CSV files, each quantized as the stream quantizes a
 * key's values ({@link RangeQuantizer}, the range growing from the series' first value) and cut into sequences
 * of at most {@code chunk} tokens.
 *
 * <p>A series file holds one value per line, the last comma-separated cell of the line ({@code timestamp,value}
 * as NAB writes it, or a bare number); a first line that is not a number is a header; empty lines are skipped.
 *
 * @param name   the file, relative to the folder read
 * @param values its values in file order
 */
public record MetricSeries(String name, double[] values) {
    public MetricSeries {
        values = values.clone();
    }

    /** The first {@code count} values (all when there are fewer). */
    public MetricSeries head(int count) {
        return new MetricSeries(name, Arrays.copyOf(values, Math.min(count, values.length)));
    }

    /** A CSV file, or every {@code .csv} file under a folder (sorted by path). */
    public static List<MetricSeries> read(Path fileOrFolder) throws IOException {
        if (Files.isRegularFile(fileOrFolder)) {
            return List.of(readFile(fileOrFolder.getFileName().toString(), fileOrFolder));
        }
        if (!Files.isDirectory(fileOrFolder)) {
            throw new IOException("No such file or folder: " + fileOrFolder);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(fileOrFolder)) {
            files = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".csv"))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("No .csv files under " + fileOrFolder);
        }
        List<MetricSeries> out = new ArrayList<>();
        for (Path file : files) {
            out.add(readFile(fileOrFolder.relativize(file).toString(), file));
        }
        return out;
    }

    private static MetricSeries readFile(String name, Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        double[] values = new double[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String cell = line.substring(line.lastIndexOf(',') + 1).strip();
            double value = RangeQuantizer.number(cell);
            if (Double.isNaN(value)) {
                if (n == 0 && i == firstNonEmpty(lines)) {
                    continue; // the header
                }
                throw new IOException(file + ":" + (i + 1) + ": '" + cell + "' is not a finite number");
            }
            values[n++] = value;
        }
        return new MetricSeries(name, Arrays.copyOf(values, n));
    }

    private static int firstNonEmpty(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Every series quantized into {@code bins} bins and cut into sequences of at most {@code chunk} tokens, split
     * for validation as {@link TokenCorpus#split} does; the fingerprint is the SHA-256 of the values.
     */
    public static TokenCorpus corpus(String source, List<MetricSeries> series, int bins, int chunk,
                                     double validationFraction, long seed) {
        if (chunk < 2) {
            throw new IllegalArgumentException("Sequences of numeric values need at least 2 values, not " + chunk);
        }
        List<List<String>> sequences = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (MetricSeries s : series) {
            String[] tokens = RangeQuantizer.tokens(s.values, bins);
            for (int from = 0; from < tokens.length; from += chunk) {
                List<String> part = List.of(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunk)));
                if (part.size() >= 2) {
                    sequences.add(part);
                }
            }
            all.append(s.name).append(':').append(Arrays.toString(s.values)).append('\n');
        }
        return TokenCorpus.split(source, Sha256.of(all.toString().getBytes(StandardCharsets.UTF_8)), sequences,
                validationFraction, seed);
    }
}
