package io.seqstream.training;

import java.util.Locale;

/** How a text file is cut into training sequences. */
public enum CorpusMode {
    /** One sequence per line; blank lines are skipped. For log-key sessions, sentences, records. */
    LINES,
    /** The whole file cut into consecutive chunks of a fixed number of characters. For character models. */
    CHUNKS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CorpusMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown mode '" + text + "': expected lines or chunks", e);
        }
    }
}
