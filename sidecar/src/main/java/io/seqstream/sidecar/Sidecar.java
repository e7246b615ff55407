package io.seqstream.sidecar;

import io.micrometer.core.instrument.MeterRegistry;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic for one model name and keeps a served-models directory's {@code current} pointer on
 * the newest announced version that passes every check ({@link ModelActivator}).
 *
 * <p>It reads the topic group-less from the beginning (the topic is compacted: its content is the state),
 * first to the end offsets found at start, and then acts only on the newest announcement of its model, so a
 * restart replays the latest announcement and, every step being idempotent, reaches the same state however the
 * previous run ended. Afterwards it acts on each newer announcement as it arrives. A malformed record is logged,
 * counted and skipped; a store that cannot be reached is retried every {@code retryInterval} until a newer
 * announcement supersedes the pending one.
 *
 * <p>{@link #run()} blocks until {@link #close()}; {@link #start} runs it on its own thread (for
 * {@code seqstream run} following the topic in-process).
 */
public final class Sidecar implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> kafka;
    private final String topic;
    private final ModelActivator activator;
    private final MeterRegistry registry;
    private final Duration retryInterval;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Throwable failure;

    /**
     * @param kafka Kafka client properties; must hold {@code bootstrap.servers}
     * @param topic the models topic ({@code topic.models})
     * @param modelName the model to follow ({@code model.name})
     * @param store where announced versions are downloaded from ({@code model.store})
     * @param dir the served-models directory shared with the application ({@code model.dir})
     * @param keepVersions verified versions kept on disk for a fast rollback ({@code sidecar.keep-versions})
     */
    public Sidecar(Map<String, ?> kafka, String topic, String modelName, ModelStore store, Path dir, int keepVersions,
            MeterRegistry registry) {
        this(kafka, topic, new ModelActivator(store, dir, modelName, keepVersions, registry), registry,
                Duration.ofSeconds(5));
    }

    Sidecar(Map<String, ?> kafka, String topic, ModelActivator activator, MeterRegistry registry,
            Duration retryInterval) {
        new ModelAnnouncements(kafka, topic, registry); // validates the properties
        this.kafka = Map.copyOf(kafka);
        this.topic = topic;
        this.activator = activator;
        this.registry = registry;
        this.retryInterval = retryInterval;
    }

    /** Starts a sidecar on a daemon thread of its own. */
    public static Sidecar start(Map<String, ?> kafka, String topic, String modelName, ModelStore store, Path dir,
            int keepVersions, MeterRegistry registry) {
        Sidecar sidecar = new Sidecar(kafka, topic, modelName, store, dir, keepVersions, registry);
        Thread thread = new Thread(sidecar, "seqstream-sidecar-" + modelName);
        thread.setDaemon(true);
        thread.start();
        return sidecar;
    }

    public ModelActivator activator() {
        return activator;
    }

    /** What the status file says now. */
    public SidecarStatus status() {
        return activator.status();
    }

    /** True once the topic has been read to the end offsets found at start and the newest announcement handled. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /**
     * Waits until the sidecar has caught up with the topic (and so handled the newest announcement).
     *
     * @throws IllegalStateException if the loop stopped first (naming why) or {@code timeout} passed
     */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp.await(100, TimeUnit.MILLISECONDS)) {
            if (stopped.getCount() == 0) {
                throw new IllegalStateException("Following " + topic + " stopped before it caught up"
                        + (failure == null ? "" : ": " + failure.getMessage()), failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + " could not be read within " + timeout.toSeconds()
                        + " s: is the cluster reachable?");
            }
        }
    }

    /** True while the loop runs (for a health check). */
    public boolean isRunning() {
        return stopped.getCount() > 0 && failure == null;
    }

    /** What stopped the loop, if it died; null otherwise. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("This sidecar already ran");
        }
        log.info("Following {} for model {} into {}", topic, activator.modelName(), activator.dir());
        try (KafkaConsumer<byte[], byte[]> c = ModelAnnouncements.consumer(kafka)) {
            consumer = c;
            if (closed.get()) {
                return;
            }
            activator.cleanLeftovers();
            List<TopicPartition> partitions = ModelAnnouncements.assignFromBeginning(c, topic);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            Pending pending = null;
            long retryAt = Long.MAX_VALUE;
            while (!closed.get()) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                    Optional<ModelAnnouncement> announcement = ModelAnnouncements.parse(record, registry);
                    if (announcement.isPresent() && announcement.get().getName().equals(activator.modelName())) {
                        pending = new Pending(announcement.get(), record.offset());
                        retryAt = 0;
                    }
                }
                boolean atEnd = isCaughtUp() || ModelAnnouncements.reachedEnd(c, end);
                if (atEnd && pending != null && System.nanoTime() >= retryAt) {
                    ModelActivator.Outcome outcome = activator.activate(pending.announcement, pending.offset);
                    if (outcome == ModelActivator.Outcome.RETRY) {
                        retryAt = System.nanoTime() + retryInterval.toNanos();
                    } else {
                        pending = null;
                        retryAt = Long.MAX_VALUE;
                    }
                }
                if (atEnd && !isCaughtUp()) {
                    log.info("Caught up with {}", topic);
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                failure = e;
                throw e;
            }
        } catch (Exception | Error e) {
            failure = e;
            log.error("The sidecar for {} stopped: {}", activator.modelName(), e.toString(), e);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } finally {
            consumer = null;
            stopped.countDown();
        }
    }

    /** Waits until the loop has stopped (closed or failed). */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the loop and waits for it (an activation in progress completes first). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (started.compareAndSet(false, true)) {
                stopped.countDown(); // never ran
            }
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        }
        try {
            if (!stopped.await(30, TimeUnit.SECONDS) && consumer != null) {
                log.warn("The sidecar for {} did not stop within 30 s", activator.modelName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Pending(ModelAnnouncement announcement, long offset) {
    }
}
