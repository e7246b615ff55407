package io.seqstream.sidecar;

import io.seqstream.model.ModelException;
import io.seqstream.model.ModelNotFoundException;
import java.util.Locale;

/**
 * Why the sidecar refused an announced version; the {@code reason} tag of
 * {@value SidecarMetrics#REJECTIONS} and the reason shown by {@code seqstream sidecar status}.
 */
public enum RejectionReason {
    /** A file's SHA-256 differs from the one its manifest records (e.g. a truncated or altered network.zip). */
    CHECKSUM,
    /** The manifest's own SHA-256 differs from the announcement's {@code manifestSha256}. */
    MANIFEST_SHA,
    /** A file the manifest lists, or the manifest itself, is missing. */
    INCOMPLETE,
    /** The vocabulary does not fit the network or the manifest. */
    VOCABULARY,
    /** The network's shape differs from the architecture the manifest records. */
    ARCHITECTURE,
    /** The smoke inference did not reproduce the probe outputs recorded at training time. */
    PROBE,
    /** The files verify but the network or vocabulary cannot be read. */
    LOAD,
    /** The store has no such version. */
    NOT_FOUND;

    /** The metric tag and status label: {@code manifest-sha}, {@code not-found}, ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The reason of a model exception thrown while downloading, verifying or loading a version. The store's
     * exceptions name the file at fault; this maps its wording onto the short reasons (one place, covered by the
     * sidecar's tests against the real store).
     */
    static RejectionReason of(ModelException e) {
        if (e instanceof ModelNotFoundException) {
            return NOT_FOUND;
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("probe")) {
            return PROBE;
        }
        if (message.contains("incomplete") || message.contains("missing")) {
            return INCOMPLETE;
        }
        if (message.contains("manifest") && message.contains("announce")) {
            return MANIFEST_SHA;
        }
        if (message.contains("corrupt") || message.contains("sha-256") || message.contains("checksum")) {
            return CHECKSUM;
        }
        if (message.contains("architecture") || message.contains("not a token network")) {
            return ARCHITECTURE;
        }
        if (message.contains("vocab")) {
            return VOCABULARY;
        }
        return LOAD;
    }
}
