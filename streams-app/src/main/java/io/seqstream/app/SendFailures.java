package io.seqstream.app;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The callback for a producer's sends whose records must all be written (the input a command publishes and then
 * waits to see scored): it counts the records the broker did not take and keeps the first reason, so that the
 * command stops with that reason instead of waiting for outputs of input that was never written.
 *
 * <p>One instance for all the sends of a run; thread-safe (the producer's I/O thread completes the sends).
 */
public final class SendFailures implements Callback {
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> first = new AtomicReference<>();

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failed.incrementAndGet();
            first.compareAndSet(null, exception);
        }
    }

    /** Records not written so far. */
    public long failed() {
        return failed.get();
    }

    /**
     * Throws if any record was not written, saying how many of {@code sent} and why (the first failure's reason).
     *
     * @throws IllegalStateException with the first failure as its cause
     */
    public void check(String topic, long sent) {
        if (failed.get() > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%,d of %,d records could not be written to "
                    + "%s: %s", failed.get(), sent, topic, first.get()), first.get());
        }
    }
}
