package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreProgressTest {
    private static final TopicPartition P0 = new TopicPartition("app-sequence-state-changelog", 0);
    private static final TopicPartition P1 = new TopicPartition("app-sequence-state-changelog", 1);

    @Test
    void shouldCountRestoredRecordsAndThePartitionsStillRestoring() {
        RestoreProgress progress = new RestoreProgress();

        progress.onRestoreStart(P0, "sequence-state", 0, 1_000);
        progress.onRestoreStart(P1, "sequence-state", 100, 600);
        progress.onBatchRestored(P0, "sequence-state", 499, 500);
        progress.onBatchRestored(P1, "sequence-state", 599, 500);

        assertThat(progress.restoredRecords()).isEqualTo(1_000);
        assertThat(progress.activeRestorations()).isEqualTo(2);

        progress.onRestoreEnd(P1, "sequence-state", 500);
        progress.onBatchRestored(P0, "sequence-state", 999, 500);
        progress.onRestoreSuspended(P0, "sequence-state", 1_000);

        assertThat(progress.restoredRecords()).isEqualTo(1_500);
        assertThat(progress.activeRestorations()).isZero();
    }
}
