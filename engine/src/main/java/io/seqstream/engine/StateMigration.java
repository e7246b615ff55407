package io.seqstream.engine;

import java.util.Arrays;
import java.util.Locale;

/** What happens to a key's state made by another model version when the key's next event arrives: the {@code model.state-migration} setting. */
public enum StateMigration {
    /**
     * Rebuild h and c by replaying the key's history (its last observed tokens, mapped into the new vocabulary)
     * through the new version; keys without history are reset. The default.
     */
    REPLAY,
    /** Start h and c afresh, with {@code <s>} pending; the key's statistics are kept. */
    RESET,
    /**
     * Reuse h and c as they are, only when the old and new versions have the same architecture and the same
     * vocabulary (a retrain on more data, say); otherwise reset.
     */
    KEEP;

    /** The setting's spelling of this policy, also the metric tag: {@code replay}, {@code reset}, {@code keep}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a setting value, ignoring case and surrounding blanks. */
    public static StateMigration parse(String value) {
        String wanted = value == null ? "" : value.strip();
        for (StateMigration policy : values()) {
            if (policy.label().equalsIgnoreCase(wanted)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("Unknown state migration '" + value + "': expected one of "
                + Arrays.stream(values()).map(StateMigration::label).toList());
    }
}
