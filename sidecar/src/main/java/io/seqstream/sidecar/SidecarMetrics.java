package io.seqstream.sidecar;

/**
 * Names of the Micrometer meters of the models topic and the sidecar (Prometheus adds {@code _total} to
 * counters: {@code seqstream_sidecar_rejections_total{model,reason}}). Tags are low-cardinality: the model name
 * and a {@link RejectionReason} tag, never a version.
 */
public final class SidecarMetrics {
    /** Counter: announced versions refused, tagged {@value #TAG_MODEL} and {@value #TAG_REASON}. */
    public static final String REJECTIONS = "seqstream.sidecar.rejections";
    /** Counter: announced versions activated (pointer written), tagged {@value #TAG_MODEL}. */
    public static final String ACTIVATIONS = "seqstream.sidecar.activations";
    /** Timer: from taking an announcement to writing the pointer (download, verify, load, probe). */
    public static final String ACTIVATION_TIME = "seqstream.sidecar.activation";
    /** Counter: records on the models topic that are not valid announcements, tagged {@value #TAG_REASON}. */
    public static final String MALFORMED_ANNOUNCEMENTS = "seqstream.models.announcements.malformed";

    public static final String TAG_MODEL = "model";
    public static final String TAG_REASON = "reason";

    private SidecarMetrics() {
    }
}
