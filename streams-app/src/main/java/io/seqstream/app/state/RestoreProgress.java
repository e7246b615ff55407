package io.seqstream.app.state;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restoration of the local state stores from their changelogs (after a wiped or lost state directory, or a task
 * moving to this instance): logs when it starts, its progress at most every {@link #LOG_EVERY_NANOS}, and when it
 * ends, and counts the records restored so that a caller can wait for it.
 */
public final class RestoreProgress implements StateRestoreListener {
    private static final Logger log = LoggerFactory.getLogger(RestoreProgress.class);
    static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final Set<TopicPartition> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong toRestore = new AtomicLong();
    private volatile long lastLogNanos = System.nanoTime();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        long records = Math.max(0, endingOffset - startingOffset);
        active.add(partition);
        toRestore.addAndGet(records);
        log.info("Restoring store {} from {}: up to {} records", storeName, partition, records);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        restored.addAndGet(numRestored);
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            long target = toRestore.get();
            log.info(String.format(Locale.ROOT, "Restoring state: %,d of %,d records (%.0f%%), %d partitions in progress",
                    restored.get(), target, target == 0 ? 100.0 : 100.0 * restored.get() / target, active.size()));
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        active.remove(partition);
        log.info("Restored store {} from {}: {} records", storeName, partition, totalRestored);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        active.remove(partition);
        log.info("Restoring store {} from {} suspended after {} records (the task moved)", storeName, partition,
                totalRestored);
    }

    /** Changelog records restored since the application started. */
    public long restoredRecords() {
        return restored.get();
    }

    /** Changelog partitions being restored now. */
    public int activeRestorations() {
        return active.size();
    }
}
