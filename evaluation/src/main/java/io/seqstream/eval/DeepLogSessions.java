package io.seqstream.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads session files in DeepLog's format: one session per line, its log keys separated by whitespace, in order.
 * Blank lines are skipped; nothing else about the keys is assumed (any non-blank tokens work).
 */
public final class DeepLogSessions {
    private DeepLogSessions() {
    }

    /** Every session of the file. */
    public static List<List<String>> read(Path file) throws IOException {
        return read(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} sessions of the file (all of them when it holds fewer). */
    public static List<List<String>> read(Path file, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        List<List<String>> sessions = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while (sessions.size() < limit && (line = in.readLine()) != null) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty()) {
                    sessions.add(List.of(trimmed.split("\\s+")));
                }
            }
        }
        return sessions;
    }
}
