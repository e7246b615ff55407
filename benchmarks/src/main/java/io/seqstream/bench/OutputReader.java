package io.seqstream.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one output topic from the beginning with {@code read_committed} on a thread of its own, so that an
 * output counts only once its transaction has committed. Counts outputs, notes when the first
 * {@code backlog} had arrived, and for every later output of an event stamped since {@link #measureFrom}
 * records its latency: the wall-clock time of receipt minus the record's timestamp, which the topology carries
 * over from the input event.
 */
final class OutputReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long backlog;
    private final Thread thread;
    private volatile long received;
    private volatile long backlogDoneNanos;
    /** No latency is recorded before {@link #measureFrom} is called. */
    private volatile long measureFromMs = Long.MAX_VALUE;
    private volatile Throwable failure;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Written by the reader thread only; read after {@link #close()}. */
    private long[] latencies = new long[1024];
    private int latencyCount;

    OutputReader(String bootstrapServers, String topic, int partitions, long backlog) {
        this.backlog = backlog;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                // Answer a fetch as soon as committed data is there, not after up to 500 ms: the latency
                // measured is the application's, not this reader's.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> assigned = java.util.stream.IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        this.thread = new Thread(this::readLoop, "bench-reader-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop() {
        try {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                if (records.isEmpty()) {
                    continue;
                }
                long nowMs = System.currentTimeMillis();
                long nowNanos = System.nanoTime();
                long n = received;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    n++;
                    if (n > backlog && r.timestamp() >= measureFromMs) {
                        addLatency(nowMs - r.timestamp());
                    }
                }
                if (received < backlog && n >= backlog) {
                    backlogDoneNanos = nowNanos;
                }
                received = n;
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void addLatency(long millis) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = millis;
    }

    long received() {
        if (failure != null) {
            throw new IllegalStateException("Reading the output failed: " + failure, failure);
        }
        return received;
    }

    /** {@link System#nanoTime()} when the first {@code backlog} outputs had been received, or 0 if not yet. */
    long backlogDoneNanos() {
        return backlogDoneNanos;
    }

    /**
     * Records the latencies of the outputs of events stamped at {@code epochMs} or later (none before this is
     * called); outputs of earlier events (a paced pass's lead-in) count as received only.
     */
    void measureFrom(long epochMs) {
        measureFromMs = epochMs;
    }

    /**
     * Latencies in ms of the outputs after the backlog, of events since {@link #measureFrom}; call after
     * {@link #close()}.
     */
    long[] latencies() {
        return Arrays.copyOf(latencies, latencyCount);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
