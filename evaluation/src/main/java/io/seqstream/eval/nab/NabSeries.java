package io.seqstream.eval.nab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * One NAB data file: its path relative to the corpus root ({@code realKnownCause/nyc_taxi.csv}, the key of the
 * labels file) and its records in file order.
 */
public record NabSeries(String name, List<LocalDateTime> timestamps, double[] values) {
    public NabSeries {
        timestamps = List.copyOf(timestamps);
        if (timestamps.size() != values.length) {
            throw new IllegalArgumentException(name + ": " + timestamps.size() + " timestamps but " + values.length
                    + " values");
        }
    }

    public int size() {
        return values.length;
    }

    /** Reads a {@code timestamp,value} CSV with a header line. */
    public static NabSeries read(String name, Path csv) throws IOException {
        List<LocalDateTime> timestamps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (header == null) {
                throw new IllegalArgumentException(csv + " is empty");
            }
            String line;
            int lineNo = 1;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length < 2) {
                    throw new IllegalArgumentException(csv + ":" + lineNo + ": expected timestamp,value");
                }
                timestamps.add(NabTimestamps.parse(cells[0]));
                try {
                    values.add(Double.parseDouble(cells[1].strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(csv + ":" + lineNo + ": value is not a number: " + cells[1]);
                }
            }
        }
        return new NabSeries(name, timestamps, values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
