package io.seqstream.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How text becomes tokens. */
public enum VocabularyKind {
    /** One token per Unicode code point. */
    CHAR,
    /** Words (runs of letters, digits and apostrophes) and single punctuation marks; whitespace separates. */
    WORD,
    /** Each whitespace-separated item is already a token, e.g. a log key such as {@code E5} or {@code 17}. */
    ID,
    /**
     * Metric values: each whitespace-separated item is a number, which the stream turns into one of the
     * vocabulary's bin tokens {@code b0..b<n-1>} by the key's range so far ({@link RangeQuantizer}).
     */
    NUMERIC;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static VocabularyKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown vocabulary kind '" + text + "': expected char, word, id or numeric", e);
        }
    }
}
