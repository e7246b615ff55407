package io.seqstream.it;

import io.seqstream.schemas.v1.Score;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the committed scores of an environment on a thread of its own while a test runs, remembering when each
 * one arrived, so that a test can wait for a count and measure the gaps between committed scores.
 */
final class ScoreArrivals implements AutoCloseable {
    private record Arrival(long nanos, Score score) {
    }

    private final ItEnvironment env;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Arrival> arrivals = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    ScoreArrivals(ItEnvironment env) {
        this.env = env;
        this.consumer = env.consumer(true, env.topics.scores().name());
        this.thread = new Thread(this::poll, "score-arrivals");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    Score score = env.topics.scores().valueSerde().deserializer().deserialize(record.topic(),
                            record.value());
                    synchronized (arrivals) {
                        arrivals.add(new Arrival(System.nanoTime(), score));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Committed scores seen so far. */
    int count() {
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    /** The scores seen so far, in arrival order. */
    List<Score> scores() {
        synchronized (arrivals) {
            return arrivals.stream().map(Arrival::score).toList();
        }
    }

    /** The longest time without a committed score between two instants of {@link System#nanoTime()}, in ms. */
    long longestGapMs(long fromNanos, long toNanos) {
        long previous = fromNanos;
        long longest = 0;
        synchronized (arrivals) {
            for (Arrival a : arrivals) {
                if (a.nanos() < fromNanos) {
                    continue;
                }
                if (a.nanos() > toNanos) {
                    break;
                }
                longest = Math.max(longest, a.nanos() - previous);
                previous = a.nanos();
            }
        }
        return Math.max(longest, toNanos - previous) / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
