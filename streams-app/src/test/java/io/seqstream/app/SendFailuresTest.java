package io.seqstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class SendFailuresTest {

    @Test
    void shouldPassWhenEveryRecordWasWritten() {
        SendFailures failures = new SendFailures();
        failures.onCompletion(null, null);
        failures.onCompletion(null, null);

        assertThat(failures.failed()).isZero();
        assertThatCode(() -> failures.check("events", 2)).doesNotThrowAnyException();
    }

    @Test
    void shouldSayHowManyRecordsWereNotWrittenAndTheFirstReason() {
        SendFailures failures = new SendFailures();
        TimeoutException expired = new TimeoutException("Expiring 3 record(s) for events-0: 120000 ms has passed");
        failures.onCompletion(null, null);
        failures.onCompletion(null, expired);
        failures.onCompletion(null, new TimeoutException("a later one"));

        assertThat(failures.failed()).isEqualTo(2);
        assertThatThrownBy(() -> failures.check("events", 1_500))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("2 of 1,500 records could not be written to events: " + expired)
                .hasCause(expired);
    }
}
