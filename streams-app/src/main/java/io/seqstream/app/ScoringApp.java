package io.seqstream.app;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.model.ModelVersion;
import io.seqstream.app.state.RestoreProgress;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.engine.StepEngines;
import io.seqstream.model.LoadedModel;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scoring application: the topology from {@link ScoringTopology#build} inside a {@link KafkaStreams}
 * client. A systemic fault (one that is not a bad record) shuts the client down: under exactly-once its open
 * transaction is aborted, so nothing half-done becomes visible. A transient Kafka error that outlasted Kafka
 * Streams' own retries replaces the stream thread instead (see {@link StreamThreadFailures}).
 */
public final class ScoringApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScoringApp.class);

    private final KafkaStreams streams;
    private final ActiveModel models;
    private final KafkaConnectivity connectivity;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable fatal;
    private final RestoreProgress restoration = new RestoreProgress();

    private ScoringApp(Topology topology, SeqstreamConfig config, ActiveModel models) {
        this.models = models;
        this.streams = new KafkaStreams(topology, StreamsSettings.scoring(config));
        try {
            this.connectivity = KafkaConnectivity.start(ClusterCheck.adminConfig(config, "connectivity"));
        } catch (RuntimeException e) {
            streams.close(Duration.ZERO);
            throw e;
        }
        streams.setGlobalStateRestoreListener(restoration);
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            } else if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        StreamThreadFailures failures = new StreamThreadFailures();
        streams.setUncaughtExceptionHandler(e -> {
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = failures.respond(e);
            if (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
                log.warn("Stream thread failed on a transient Kafka error; replacing it (its transaction is aborted, "
                        + "its tasks resume from the last commit): {}", e.toString());
            } else {
                fatal = e;
                log.error("Stream thread failed; shutting down this instance", e);
            }
            return response;
        });
    }

    /** Builds the topology for a fixed {@code model} (owned by the caller) and starts it. */
    public static ScoringApp start(SeqstreamConfig config, LoadedModel model, MeterRegistry registry) {
        return start(config, ActiveModel.of(model), null, registry);
    }

    /**
     * Builds the topology and starts it.
     *
     * @param models the served model; activating another version in it swaps it in while the stream runs
     * @param shadow a candidate scoring the same events into the shadow scores topic, or null
     */
    public static ScoringApp start(SeqstreamConfig config, ActiveModel models, ActiveModel shadow,
                                   MeterRegistry registry) {
        int blasThreads = StepEngines.blasThreads(config.integer(Setting.ENGINE_BLAS_THREADS));
        log.info("Stepping engine {}: {} kernels, {} BLAS thread(s)", config.string(Setting.ENGINE),
                StepEngines.kernels(), blasThreads);
        SeqstreamMetrics metrics = new SeqstreamMetrics(registry);
        ScoringApp app = new ScoringApp(ScoringTopology.build(config, models, shadow, metrics), config,
                models);
        metrics.trackActiveModel(models);
        metrics.keysInState(app, ScoringApp::keysInState);
        if (shadow != null) {
            new SeqstreamMetrics(registry, "shadow").trackActiveModel(shadow);
        }
        app.streams.start();
        return app;
    }

    /** Keys in this instance's local sequence-state stores (RocksDB's estimate); NaN while they cannot be read. */
    double keysInState() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(ScoringTopology.STATE_STORE,
                    QueryableStoreTypes.<String, Object>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return Double.NaN;
        }
    }

    /** Waits until the client has joined its group and is processing; false on timeout or failure. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && fatal == null;
    }

    /** Blocks until the client has stopped, by {@link #close()} or by a fatal error. */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /**
     * Ready only when Kafka Streams is RUNNING, a model is loaded and the Kafka cluster answers (Kafka Streams
     * stays RUNNING while its broker is away; see {@link KafkaConnectivity}); otherwise says why not.
     */
    public Readiness readiness() {
        java.util.Optional<String> unreachable = connectivity.problem();
        if (unreachable.isPresent()) {
            return Readiness.notReady(unreachable.get());
        }
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return Readiness.notReady("kafka streams " + state);
        }
        ModelVersion model = models.current();
        if (model == null) {
            return Readiness.notReady("no model loaded");
        }
        return Readiness.ready("serving " + model.label());
    }

    /**
     * False once the application cannot recover by itself: Kafka Streams in ERROR (or on its way there), or stopped
     * after a fatal error. What a liveness probe should see: restarting the process is the cure.
     */
    public boolean isLive() {
        KafkaStreams.State state = streams.state();
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                && !(state == KafkaStreams.State.NOT_RUNNING && fatal != null);
    }

    /** The served model. */
    public ActiveModel models() {
        return models;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The fault that stopped the application, or null. */
    public Throwable fatalError() {
        return fatal;
    }

    /** Restoration of the local stores from their changelogs: records restored, partitions in progress. */
    public RestoreProgress restoration() {
        return restoration;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        connectivity.close();
        streams.close(Duration.ofSeconds(30));
    }
}
