package io.seqstream.training;

import java.util.Locale;

/** The recurrent cell of a token network, named as model manifests name it. */
public enum Cell {
    /** DL4J {@code LSTM} with tanh activations. */
    LSTM,
    /** DL4J {@code SimpleRnn} (Elman) with tanh activation. */
    SIMPLE;

    /** The name used in manifests and on the command line: {@code lstm} or {@code simple}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Cell parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown cell '" + text + "': expected lstm or simple", e);
        }
    }
}
