package io.seqstream.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * seqstream's meters. Names are Micrometer dotted names; the Prometheus registry renders them as
 * {@code seqstream_events_scored_total}, {@code seqstream_dead_lettered_total{reason=...}}, and so on. Tags
 * are low-cardinality only (never a key or a token): a model tag names a version, of which a process serves few.
 */
public final class SeqstreamMetrics {
    public static final String EVENTS_SCORED = "seqstream.events.scored";
    public static final String ANOMALIES = "seqstream.anomalies";
    public static final String DEAD_LETTERED = "seqstream.dead.lettered";
    public static final String SEQUENCES_CLOSED = "seqstream.sequences.closed";
    public static final String STEP = "seqstream.step";
    public static final String BATCH_SIZE = "seqstream.batch.size";
    /** Upper bounds of the batch-size histogram's buckets (Prometheus: {@code seqstream_batch_size_bucket}). */
    public static final double[] BATCH_SIZE_BUCKETS = {1, 8, 64, 256, 1024, 4096};
    /** Versions the application tried to swap in, by outcome (activated, rejected). */
    public static final String MODEL_SWAPS = "seqstream.model.swaps";
    /** Time a stream thread took to switch to a newly activated version (activation to the thread's switch). */
    public static final String THREAD_SWITCH = "seqstream.model.thread.switch";
    /** How long a stream thread's switch itself took (building the engine on the new version): it steps nothing meanwhile. */
    public static final String THREAD_SWITCH_DURATION = "seqstream.model.thread.switch.duration";
    /** Keys whose state was carried over to a new version, by policy and outcome (replayed, kept, reset). */
    public static final String STATE_MIGRATIONS = "seqstream.state.migrations";
    /**
     * Wall clock when a score is forwarded minus the input record's timestamp (a histogram: Prometheus gets
     * {@code seqstream_event_to_score_latency_seconds_bucket}).
     */
    public static final String EVENT_TO_SCORE_LATENCY = "seqstream.event.to.score.latency";
    /** Keys with state in this instance's local sequence-state stores (RocksDB's estimate). */
    public static final String KEYS_IN_STATE = "seqstream.keys.in.state";
    /** 1 for the version served now, tagged {@code model=name@version} and {@code role}; a retired version has none. */
    public static final String MODEL_ACTIVE = "seqstream.model.active";
    public static final String TAG_REASON = "reason";
    public static final String TAG_ROLE = "role";
    /** {@link #MODEL_SWAPS} outcomes. */
    public static final String OUTCOME_ACTIVATED = "activated";
    public static final String OUTCOME_REJECTED = "rejected";
    public static final String TAG_MODEL = "model";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_POLICY = "policy";

    private final MeterRegistry registry;
    private final String role;
    private final Map<String, Counter> scored = new ConcurrentHashMap<>();
    private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();
    private final Timer step;
    private final DistributionSummary batch;
    private final Timer eventToScore;
    /** The {@link #MODEL_ACTIVE} gauge of the version this role serves now. */
    private Gauge active;

    /** Meters of the served model. */
    public SeqstreamMetrics(MeterRegistry registry) {
        this(registry, "served");
    }

    /** @param role {@code served}, or {@code shadow} for a shadow model's meters */
    public SeqstreamMetrics(MeterRegistry registry, String role) {
        this.registry = registry;
        this.role = role;
        this.step = Timer.builder(STEP).description("Time of one batched LSTM step")
                .tag("role", role).register(registry);
        this.batch = DistributionSummary.builder(BATCH_SIZE).description("Keys stepped together in one batch")
                .serviceLevelObjectives(BATCH_SIZE_BUCKETS).tag("role", role).register(registry);
        this.eventToScore = Timer.builder(EVENT_TO_SCORE_LATENCY)
                .description("Wall clock at a score's forwarding minus its input record's timestamp")
                .tag("role", role).publishPercentileHistogram().register(registry);
        // Swaps are rare: show both outcomes from the start, at zero.
        swapTimer(OUTCOME_ACTIVATED);
        swapTimer(OUTCOME_REJECTED);
    }

    /**
     * Binds the JVM's own meters (memory, GC, threads, class loading, CPU, uptime) to {@code registry}; returns the
     * GC binder, which holds listeners and should be closed with the application.
     */
    public static AutoCloseable bindJvmMetrics(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return gc;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One scored token, by the version that scored it. */
    public void scored(String model, boolean anomaly) {
        scored.computeIfAbsent(model, m -> Counter.builder(EVENTS_SCORED).description("Tokens scored")
                .tag(TAG_MODEL, m).tag("role", role).register(registry)).increment();
        if (anomaly) {
            anomalies.computeIfAbsent(model, m -> Counter.builder(ANOMALIES)
                    .description("Tokens outside the model's top-g predictions")
                    .tag(TAG_MODEL, m).tag("role", role).register(registry)).increment();
        }
    }

    /** A score forwarded {@code millis} after its input record's timestamp (clamped at 0 for clock skew). */
    public void eventToScore(long millis) {
        eventToScore.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Gauges the keys in state as {@code count} reports it (called when it is scraped). */
    public <T> void keysInState(T source, ToDoubleFunction<T> count) {
        Gauge.builder(KEYS_IN_STATE, source, count).description("Keys with state in this instance's local stores")
                .tag("role", role).strongReference(true).register(registry);
    }

    /**
     * Follows the version {@code models} serves: {@link #MODEL_ACTIVE} is 1 for it, and the gauge of the version
     * it replaces is removed.
     */
    public void trackActiveModel(io.seqstream.app.model.ActiveModel models) {
        models.onActivation(version -> activeModel(version.label()));
    }

    synchronized void activeModel(String label) {
        if (active != null) {
            registry.remove(active);
        }
        active = Gauge.builder(MODEL_ACTIVE, () -> 1).description("1 for the model version served now")
                .tag(TAG_MODEL, label).tag("role", role).register(registry);
    }

    public void deadLettered(String reason) {
        registry.counter(DEAD_LETTERED, TAG_REASON, reason).increment();
    }

    public void sequenceClosed(String reason) {
        registry.counter(SEQUENCES_CLOSED, TAG_REASON, reason, "role", role).increment();
    }

    public void stepped(long nanos, int batchSize) {
        step.record(nanos, TimeUnit.NANOSECONDS);
        batch.record(batchSize);
    }

    /** A version the application tried to swap in: activated or rejected, and how long verifying it took. */
    public void modelSwap(String outcome, long nanos) {
        swapTimer(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer swapTimer(String outcome) {
        return Timer.builder(MODEL_SWAPS).description("Model versions verified for a swap, by outcome")
                .tag(TAG_OUTCOME, outcome).register(registry);
    }

    /**
     * A stream thread switched to the active version.
     *
     * @param afterActivation nanoseconds from the activation to the switch
     * @param took nanoseconds the switch itself took
     */
    public void threadSwitched(long afterActivation, long took) {
        Timer.builder(THREAD_SWITCH).description("Activation of a version to a stream thread's switch to it")
                .tag("role", role).register(registry).record(afterActivation, TimeUnit.NANOSECONDS);
        Timer.builder(THREAD_SWITCH_DURATION).description("Duration of a stream thread's switch to a new version")
                .tag("role", role).register(registry).record(took, TimeUnit.NANOSECONDS);
    }

    /** A key's state carried over to a new version. */
    public void stateMigrated(String policy, String outcome) {
        registry.counter(STATE_MIGRATIONS, TAG_POLICY, policy, TAG_OUTCOME, outcome, "role", role).increment();
    }
}
