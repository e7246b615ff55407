package io.seqstream.app;

/**
 * Whether the application can do its work now, and if not, why: what {@code /health/ready} answers.
 *
 * @param ready true when Kafka Streams is RUNNING and a model is loaded
 * @param reason why it is not ready (e.g. {@code kafka streams REBALANCING}), or what it serves when it is
 */
public record Readiness(boolean ready, String reason) {

    public static Readiness ready(String reason) {
        return new Readiness(true, reason);
    }

    public static Readiness notReady(String reason) {
        return new Readiness(false, reason);
    }
}
