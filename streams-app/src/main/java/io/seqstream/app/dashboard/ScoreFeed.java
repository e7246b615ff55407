package io.seqstream.app.dashboard;

import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Score;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the scores topic for the dashboard, with a consumer of its own: every partition assigned (no group, so
 * each instance sees the scores of all instances), {@code read_committed}, starting at the end. Keeps the most
 * recent scores in a bounded ring and a count of scores and anomalies per second of the last
 * {@link #HISTORY_SECONDS} seconds, and hands each polled batch and each finished second to its {@link Listener}s.
 * Values may be JSON or Avro single-object encoded, whatever {@code output.format} the writer used; a value that is
 * neither is counted as {@link #unreadable()} and passed over.
 *
 * <p>Thread-safe. One daemon thread polls; listeners are called on it, under the feed's lock (so that a
 * {@link #subscribe} snapshot and the calls after it neither overlap nor leave a gap), and must not block.
 */
public final class ScoreFeed implements AutoCloseable {
    /** How many seconds of counts a {@link Snapshot} keeps. */
    public static final int HISTORY_SECONDS = 300;

    private static final Logger log = LoggerFactory.getLogger(ScoreFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_WAIT = Duration.ofSeconds(5);
    private static final String CONSUMER_PREFIX = "consumer.";
    private static final List<String> OTHER_CLIENT_PREFIXES = List.of("producer.", "admin.", "main.consumer.",
            "restore.consumer.", "global.consumer.", "topic.");

    /** Told of what the feed reads, on the feed's thread: must return at once (queue, never block). */
    public interface Listener {
        /** The scores of one poll, in the order read. */
        void onScores(List<FeedScore> scores);

        /** A finished second, also when nothing was scored in it. */
        void onSecond(SecondCount second);
    }

    /**
     * Scores and anomalies read during one wall-clock second.
     *
     * @param second seconds since the Unix epoch
     */
    public record SecondCount(long second, long scores, long anomalies) {
    }

    private final String topic;
    private final int capacity;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by this. */
    private final Deque<FeedScore> recent = new ArrayDeque<>();
    /** Guarded by this. */
    private final Deque<SecondCount> history = new ArrayDeque<>();
    private volatile boolean closed;
    private volatile long unreadable;
    private volatile long total;
    private volatile long totalAnomalies;
    // Only the feed thread touches these.
    private long currentSecond;
    private long secondScores;
    private long secondAnomalies;

    private ScoreFeed(Map<String, ?> kafka, String topic, int capacity, Clock clock) {
        this.topic = topic;
        this.capacity = capacity;
        this.clock = clock;
        this.consumer = new KafkaConsumer<>(consumerProperties(kafka, "seqstream-dashboard"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "seqstream-dashboard-feed");
        thread.setDaemon(true);
    }

    /**
     * Starts following {@code topic}.
     *
     * @param kafka Kafka client properties ({@code bootstrap.servers} and the {@code kafka.*} settings, unprefixed);
     *              Kafka Streams' client prefixes are understood as it does ({@code consumer.*} applies, the others
     *              are left out)
     * @param capacity how many recent scores a {@link Snapshot} keeps
     */
    public static ScoreFeed start(Map<String, ?> kafka, String topic, int capacity) {
        return start(kafka, topic, capacity, Clock.systemUTC());
    }

    static ScoreFeed start(Map<String, ?> kafka, String topic, int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        ScoreFeed feed = new ScoreFeed(kafka, topic, capacity, clock);
        feed.thread.start();
        return feed;
    }

    /**
     * Properties of a plain consumer that reads committed data by assignment, made from Kafka Streams style
     * settings: {@code consumer.*} settings apply unprefixed, those of Streams' other clients are left out.
     */
    public static Properties consumerProperties(Map<String, ?> kafka, String clientId) {
        Properties props = new Properties();
        kafka.forEach((k, v) -> {
            if (!k.startsWith(CONSUMER_PREFIX) && OTHER_CLIENT_PREFIXES.stream().noneMatch(k::startsWith)) {
                props.put(k, v);
            }
        });
        kafka.forEach((k, v) -> {
            if (k.startsWith(CONSUMER_PREFIX)) {
                props.put(k.substring(CONSUMER_PREFIX.length()), v);
            }
        });
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions, nothing committed
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return props;
    }

    /**
     * What the feed holds at one moment: the recent scores and the finished seconds, oldest first, and the totals.
     */
    public record Snapshot(List<FeedScore> recent, List<SecondCount> history, long total, long anomalies) {
    }

    /**
     * Registers a listener and returns what the feed holds now, atomically: the listener is told of everything
     * read after the snapshot and of nothing in it, until {@link #unsubscribe}.
     */
    public synchronized Snapshot subscribe(Listener listener) {
        listeners.add(listener);
        return snapshot();
    }

    /** What the feed holds now. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(new ArrayList<>(recent), new ArrayList<>(history), total, totalAnomalies);
    }

    public void unsubscribe(Listener listener) {
        listeners.remove(listener);
    }

    /** Waits until the feed has its partitions and its starting offsets; true when it has. */
    public boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Scores read since the feed started. */
    public long total() {
        return total;
    }

    /** Anomalous scores read since the feed started. */
    public long totalAnomalies() {
        return totalAnomalies;
    }

    /** Values passed over because they were neither a JSON nor an Avro score. */
    public long unreadable() {
        return unreadable;
    }

    public String topic() {
        return topic;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the starting point now, not at the first poll
            assigned.countDown();
            log.info("Dashboard follows '{}' ({} partitions) from the end", topic, partitions.size());
            currentSecond = nowSecond();
            while (!closed) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                finishSeconds();
                if (!records.isEmpty()) {
                    accept(records);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("Dashboard feed woken up unexpectedly; it stops", e);
            }
        } catch (RuntimeException e) {
            log.error("Dashboard feed of '{}' failed; the dashboard shows no new scores", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The topic's partitions once it exists (Kafka Streams or an operator may create it after we start). */
    private List<TopicPartition> awaitPartitions() {
        boolean told = false;
        while (!closed) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, METADATA_WAIT);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                infos = null;
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (!told) {
                log.info("Dashboard waits for topic '{}' to exist", topic);
                told = true;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        List<FeedScore> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            FeedScore score = decode(r);
            if (score != null) {
                batch.add(score);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        long anomalies = batch.stream().filter(FeedScore::anomaly).count();
        secondScores += batch.size();
        secondAnomalies += anomalies;
        synchronized (this) {
            for (FeedScore score : batch) {
                if (recent.size() == capacity) {
                    recent.removeFirst();
                }
                recent.addLast(score);
            }
            total += batch.size();
            totalAnomalies += anomalies;
            List<FeedScore> view = List.copyOf(batch);
            for (Listener listener : listeners) {
                notify(listener, l -> l.onScores(view));
            }
        }
    }

    private FeedScore decode(ConsumerRecord<byte[], byte[]> r) {
        byte[] value = r.value();
        try {
            if (value == null) {
                throw new IllegalArgumentException("no value");
            }
            Score score = AvroSingleObject.hasHeader(value) ? AvroSingleObject.decode(value, Score.class)
                    : SchemaJson.read(value, Score.class);
            return FeedScore.of(score);
        } catch (IOException | RuntimeException e) {
            unreadable++;
            log.debug("Dashboard passes over {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            return null;
        }
    }

    /** Closes every second that has ended since the last call, zero-count seconds included. */
    private void finishSeconds() {
        long now = nowSecond();
        if (now <= currentSecond) {
            return;
        }
        List<SecondCount> finished = new ArrayList<>();
        finished.add(new SecondCount(currentSecond, secondScores, secondAnomalies));
        for (long s = Math.max(currentSecond + 1, now - HISTORY_SECONDS); s < now; s++) {
            finished.add(new SecondCount(s, 0, 0));
        }
        currentSecond = now;
        secondScores = 0;
        secondAnomalies = 0;
        synchronized (this) {
            for (SecondCount second : finished) {
                if (history.size() == HISTORY_SECONDS) {
                    history.removeFirst();
                }
                history.addLast(second);
                for (Listener listener : listeners) {
                    notify(listener, l -> l.onSecond(second));
                }
            }
        }
    }

    private static void notify(Listener listener, java.util.function.Consumer<Listener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.warn("Dashboard listener {} failed: {}", listener, e.toString());
        }
    }

    private long nowSecond() {
        return Math.floorDiv(clock.millis(), 1000L);
    }

    /** Stops the feed and waits briefly for its consumer to close. */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
