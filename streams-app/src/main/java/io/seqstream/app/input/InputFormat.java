package io.seqstream.app.input;

import java.util.Locale;

/** How the values of the input topic are encoded. */
public enum InputFormat {
    /** UTF-8 text, split into tokens by the model's vocabulary (characters, words or ids). */
    TEXT,
    /** A JSON object: {@code {"token": "E5"}} or {@code {"tokens": ["E5", "E7"]}}, optionally {@code "end": true}. */
    JSON,
    /** Avro single-object encoding of {@code io.seqstream.schemas.v1.SequenceEvent}; no schema registry. */
    AVRO;

    public static InputFormat parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown input format '" + text + "': expected text, json or avro", e);
        }
    }
}
