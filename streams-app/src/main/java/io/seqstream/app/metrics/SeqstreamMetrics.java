package io.seqstream.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * seqstream's meters. Names are Micrometer dotted names; the Prometheus registry renders them as
 * {@code seqstream_events_scored_total}, {@code seqstream_dead_lettered_total{reason=...}}, and so on. Tags
 * are low-cardinality only (never a key or a token).
 */
public final class SeqstreamMetrics {
    public static final String EVENTS_SCORED = "seqstream.events.scored";
    public static final String ANOMALIES = "seqstream.anomalies";
    public static final String DEAD_LETTERED = "seqstream.dead.lettered";
    public static final String SEQUENCES_CLOSED = "seqstream.sequences.closed";
    public static final String STATE_RESETS = "seqstream.state.resets";
    public static final String STEP = "seqstream.step";
    public static final String BATCH_SIZE = "seqstream.batch.size";
    public static final String TAG_REASON = "reason";
    public static final String TAG_MODEL = "model";

    private final MeterRegistry registry;
    private final Counter scored;
    private final Counter anomalies;
    private final Timer step;
    private final DistributionSummary batch;

    public SeqstreamMetrics(MeterRegistry registry, String modelLabel) {
        this.registry = registry;
        this.scored = Counter.builder(EVENTS_SCORED).description("Tokens scored")
                .tag(TAG_MODEL, modelLabel).register(registry);
        this.anomalies = Counter.builder(ANOMALIES).description("Tokens outside the model's top-g predictions")
                .tag(TAG_MODEL, modelLabel).register(registry);
        this.step = Timer.builder(STEP).description("Time of one batched LSTM step")
                .tag(TAG_MODEL, modelLabel).register(registry);
        this.batch = DistributionSummary.builder(BATCH_SIZE).description("Keys stepped together in one batch")
                .tag(TAG_MODEL, modelLabel).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void scored(boolean anomaly) {
        scored.increment();
        if (anomaly) {
            anomalies.increment();
        }
    }

    public void deadLettered(String reason) {
        registry.counter(DEAD_LETTERED, TAG_REASON, reason).increment();
    }

    public void sequenceClosed(String reason) {
        registry.counter(SEQUENCES_CLOSED, TAG_REASON, reason).increment();
    }

    public void stateReset(String reason) {
        registry.counter(STATE_RESETS, TAG_REASON, reason).increment();
    }

    public void stepped(long nanos, int batchSize) {
        step.record(nanos, TimeUnit.NANOSECONDS);
        batch.record(batchSize);
    }
}
