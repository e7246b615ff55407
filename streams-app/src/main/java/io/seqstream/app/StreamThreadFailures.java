package io.seqstream.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What to do when a stream thread dies. Kafka Streams retries what it can inside the thread (a broker away
 * for less than {@code task.timeout.ms}, 5 minutes by default, costs nothing but time: tasks wait, or a failed
 * commit has its tasks closed dirty and re-created from the last commit); what escapes to the handler is
 * either a fault that will recur (a bug, a model that cannot step, wrong credentials) or a transient Kafka
 * error that outlasted those retries.
 *
 * <p>Transient are: a {@link RetriableException} anywhere in the cause chain (a {@code TimeoutException}
 * after {@code task.timeout.ms}), and an {@link IllegalStateException} thrown by the producer's transaction
 * manager. The latter is what {@code BrokerOutageIT} met: a commit timed out while the broker was away
 * ({@code max.block.ms}), Kafka Streams then tried {@code sendOffsetsToTransaction} on the same producer, and
 * the producer refused ("the previous call to `commitTransaction` timed out and must be retried"), killing
 * the thread. The producer is stuck, not the application: a new thread has a new producer, whose
 * {@code initTransactions} fences the old one and aborts its transaction.
 *
 * <p>A transient error replaces the thread: under exactly-once the dying thread's transaction is aborted and
 * its tasks closed dirty, and the new thread resumes them from the last committed offsets and changelogs, so
 * nothing is lost or scored twice. Anything else, or more than {@code maxReplacements} replacements within
 * {@code window} (a transient error that keeps coming back is not transient), shuts the client down, as
 * before, so the process exits and its supervisor restarts it.
 */
final class StreamThreadFailures {
    static final int MAX_REPLACEMENTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();

    StreamThreadFailures(int maxReplacements, Duration window, Clock clock) {
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    StreamThreadFailures() {
        this(MAX_REPLACEMENTS, WINDOW, Clock.systemUTC());
    }

    /** The response to a stream thread dying of {@code failure}. */
    synchronized StreamThreadExceptionResponse respond(Throwable failure) {
        if (!isTransient(failure)) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Instant now = clock.instant();
        while (!replacements.isEmpty() && replacements.peekFirst().isBefore(now.minus(window))) {
            replacements.removeFirst();
        }
        if (replacements.size() >= maxReplacements) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The class whose {@link IllegalStateException}s say that one producer is stuck in a transaction call. */
    static final String TRANSACTION_MANAGER = "org.apache.kafka.clients.producer.internals.TransactionManager";

    /**
     * True when an error Kafka's clients would retry, given time ({@link RetriableException}), or a producer stuck
     * after a timed-out transaction call, caused it.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || isStuckTransaction(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStuckTransaction(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        return t instanceof IllegalStateException && trace.length > 0
                && (trace[0].getClassName().equals(TRANSACTION_MANAGER)
                || trace.length > 1 && trace[1].getClassName().equals(TRANSACTION_MANAGER));
    }
}
