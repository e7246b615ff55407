package io.seqstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T00:00:00Z"));
    private final StreamThreadFailures failures = new StreamThreadFailures(2, Duration.ofMinutes(10), new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    });

    @Test
    void shouldReplaceTheThreadWhenATimeoutOutlastedKafkaStreamsOwnRetries() {
        StreamsException commitTimedOut = new StreamsException("task 0_1 commit failed",
                new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(COMMIT)"));

        assertThat(failures.respond(commitTimedOut)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void shouldReplaceTheThreadWhenItsProducerIsStuckAfterATimedOutCommit() {
        // What BrokerOutageIT met: thrown by TransactionManager.throwIfPendingState, wrapped by the stream thread.
        IllegalStateException stuck = new IllegalStateException("Cannot attempt operation `sendOffsetsToTransaction`"
                + " because the previous call to `commitTransaction` timed out and must be retried");
        stuck.setStackTrace(new StackTraceElement[] {
                new StackTraceElement(StreamThreadFailures.TRANSACTION_MANAGER, "throwIfPendingState", null, 1272),
                new StackTraceElement(StreamThreadFailures.TRANSACTION_MANAGER, "sendOffsetsToTransaction", null, 425)});

        assertThat(failures.respond(new StreamsException(stuck))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void shouldShutDownOnAFaultThatWillRecur() {
        assertThat(failures.respond(new StreamsException(new IllegalStateException("model cannot step"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.respond(new SaslAuthenticationException("invalid credentials")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void shouldShutDownWhenTransientErrorsKeepComingBackWithinTheWindow() {
        TimeoutException timeout = new TimeoutException("no broker");

        assertThat(failures.respond(timeout)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        now.set(now.get().plusSeconds(60));
        assertThat(failures.respond(timeout)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        now.set(now.get().plusSeconds(60));
        assertThat(failures.respond(timeout)).as("a third within 10 minutes")
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

        now.set(now.get().plus(Duration.ofMinutes(10)));
        assertThat(failures.respond(timeout)).as("after the window").isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
}
