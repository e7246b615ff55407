package io.seqstream.app;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers, for readiness: a background thread describes the cluster every
 * {@code interval} with a short timeout. Kafka Streams itself stays RUNNING while its broker is away (its clients
 * just retry), so its state alone cannot say that nothing is being scored.
 *
 * <p>One slow answer does not flip it: the cluster counts as unreachable only after {@code failuresToDown}
 * checks in a row failed, and as reachable again after the first one that succeeds. With the defaults (a check
 * every second, 2 s timeout, 2 failures) an outage shows within about 3–6 s and the return within a second or
 * two of the broker answering again.
 *
 * <p>Why not the clients' own {@code connection-count} metrics, which need no extra client: measured in
 * {@code BrokerOutageIT} (single broker stopped for 30 s), their sum on {@code /metrics} stayed at 2–3 for the
 * whole outage (presumably counting the connections the clients keep trying to open), while this check turned
 * readiness down 1.9–5.3 s after the stop and up again 0.5–2.1 s after the restart (six outages on a loaded
 * 2-core machine). A request that must be answered says more.
 */
public final class KafkaConnectivity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaConnectivity.class);

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    static final int FAILURES_TO_DOWN = 2;

    private final String bootstrap;
    private final Callable<?> probe;
    private final AutoCloseable client;
    private final int failuresToDown;
    private ScheduledExecutorService executor;
    private int consecutiveFailures;
    private Instant downSince;
    private volatile String problem;

    KafkaConnectivity(String bootstrap, Callable<?> probe, AutoCloseable client, int failuresToDown) {
        this.bootstrap = bootstrap;
        this.probe = probe;
        this.client = client;
        this.failuresToDown = failuresToDown;
    }

    /** Starts checking with the default interval, timeout and number of failures. */
    public static KafkaConnectivity start(Map<String, Object> adminConfig) {
        return start(adminConfig, INTERVAL, CALL_TIMEOUT, FAILURES_TO_DOWN);
    }

    /**
     * Starts checking the cluster that {@code adminConfig} (bootstrap servers and security settings) reaches.
     * Reachable until checks say otherwise.
     */
    public static KafkaConnectivity start(Map<String, Object> adminConfig, Duration interval, Duration callTimeout,
                                          int failuresToDown) {
        Admin admin = Admin.create(adminConfig);
        Callable<?> describeCluster = () -> admin.describeCluster(
                        new DescribeClusterOptions().timeoutMs((int) callTimeout.toMillis()))
                .nodes().get(callTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        KafkaConnectivity connectivity = new KafkaConnectivity(String.valueOf(adminConfig.get("bootstrap.servers")),
                describeCluster, () -> admin.close(Duration.ofSeconds(1)), failuresToDown);
        connectivity.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "seqstream-kafka-connectivity");
            thread.setDaemon(true);
            return thread;
        });
        connectivity.executor.scheduleWithFixedDelay(connectivity::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return connectivity;
    }

    /** Empty while the cluster answers; otherwise why it is taken as unreachable. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    public boolean reachable() {
        return problem == null;
    }

    /** One check; the scheduler runs it, and tests call it directly. */
    void check() {
        try {
            probe.call();
            succeeded();
        } catch (ExecutionException e) {
            failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed(e);
        }
    }

    private void succeeded() {
        consecutiveFailures = 0;
        if (problem != null) {
            log.info("Kafka at {} answers again after {} s", bootstrap,
                    Duration.between(downSince, Instant.now()).toMillis() / 1000.0);
            problem = null;
            downSince = null;
        }
    }

    private void failed(Throwable cause) {
        consecutiveFailures++;
        if (problem == null && consecutiveFailures >= failuresToDown) {
            downSince = Instant.now();
            String why = cause == null ? "no answer" : cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            problem = "kafka at " + bootstrap + " unreachable since " + downSince + " (" + why + ")";
            log.warn("Kafka at {} did not answer {} checks in a row ({}); not ready until it does", bootstrap,
                    consecutiveFailures, why);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            client.close();
        } catch (Exception e) {
            log.debug("Closing the connectivity check's client failed", e);
        }
    }
}
