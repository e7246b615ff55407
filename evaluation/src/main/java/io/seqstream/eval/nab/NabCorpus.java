package io.seqstream.eval.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A NAB-shaped corpus: the data files (a folder of category subfolders of {@code timestamp,value} CSVs) with their
 * anomaly windows (NAB's {@code combined_windows.json}: relative path to a list of {@code [start, end]} pairs).
 * Every labelled file must exist and every data file must be labelled; every window end must be a timestamp of its
 * file, as NAB requires.
 */
public final class NabCorpus {
    private final Map<String, NabSeries> series;
    private final Map<String, List<Window>> windows;

    public NabCorpus(Map<String, NabSeries> series, Map<String, List<Window>> windows) {
        if (!series.keySet().equals(windows.keySet())) {
            List<String> unlabelled = new ArrayList<>(series.keySet());
            unlabelled.removeAll(windows.keySet());
            List<String> missing = new ArrayList<>(windows.keySet());
            missing.removeAll(series.keySet());
            throw new IllegalArgumentException("data and labels disagree: "
                    + (missing.isEmpty() ? "" : "labelled but no data file: " + missing + " ")
                    + (unlabelled.isEmpty() ? "" : "data file without labels: " + unlabelled));
        }
        Map<String, NabSeries> sortedSeries = new TreeMap<>(series);
        Map<String, List<Window>> copy = new LinkedHashMap<>();
        sortedSeries.forEach((name, s) -> {
            List<Window> ws = List.copyOf(windows.get(name));
            for (Window w : ws) {
                if (!s.timestamps().contains(w.start()) || !s.timestamps().contains(w.end())) {
                    throw new IllegalArgumentException("labels: window " + w.start() + " .. " + w.end() + " of " + name
                            + " does not start and end on timestamps of the file");
                }
            }
            copy.put(name, ws);
        });
        this.series = Collections.unmodifiableMap(new LinkedHashMap<>(sortedSeries));
        this.windows = Collections.unmodifiableMap(copy);
    }

    /** Loads {@code dataDir/<category>/<file>.csv} and the windows file. */
    public static NabCorpus load(Path dataDir, Path windowsJson) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("not a directory: " + dataDir);
        }
        Map<String, NabSeries> series = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dataDir, 2)) {
            for (Path csv : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".csv"))
                    .filter(p -> dataDir.relativize(p).getNameCount() == 2).sorted()::iterator) {
                String name = dataDir.relativize(csv).toString().replace('\\', '/');
                series.put(name, NabSeries.read(name, csv));
            }
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException(dataDir + " holds no <category>/<file>.csv data files");
        }
        return new NabCorpus(series, readWindows(windowsJson));
    }

    /** Reads NAB's {@code combined_windows.json}, keeping the file's order. */
    public static Map<String, List<Window>> readWindows(Path windowsJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(windowsJson.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(windowsJson + " is not a JSON object of file -> windows");
        }
        Map<String, List<Window>> windows = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            List<Window> ws = new ArrayList<>();
            for (JsonNode pair : entry.getValue()) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IllegalArgumentException(windowsJson + ": " + entry.getKey()
                            + ": each window must be a [start, end] pair");
                }
                ws.add(new Window(NabTimestamps.parse(pair.get(0).asText()), NabTimestamps.parse(pair.get(1).asText())));
            }
            windows.put(entry.getKey(), ws);
        }
        return windows;
    }

    /** Data files by relative path, sorted by path. */
    public Map<String, NabSeries> series() {
        return series;
    }

    public List<Window> windows(String name) {
        return windows.get(name);
    }

    /** The number of windows over all files: NAB's perfect score is this times the profile's tpWeight. */
    public int windowCount() {
        return windows.values().stream().mapToInt(List::size).sum();
    }

    public int recordCount() {
        return series.values().stream().mapToInt(NabSeries::size).sum();
    }
}
