package io.seqstream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionTest {
    @Test
    void shouldComputeMetricsFromCounts() {
        Confusion c = new Confusion(8, 2, 2, 88);

        assertThat(c.precision()).isEqualTo(0.8, within(1e-12));
        assertThat(c.recall()).isEqualTo(0.8, within(1e-12));
        assertThat(c.f1()).isEqualTo(0.8, within(1e-12));
        assertThat(c.fpr()).isEqualTo(2.0 / 90, within(1e-12));
        assertThat(c.abnormal()).isEqualTo(10);
        assertThat(c.normal()).isEqualTo(90);
    }

    @Test
    void shouldCountFlagsPerClass() {
        Confusion c = Confusion.of(new boolean[] {true, false, false}, new boolean[] {true, true, false, true});

        assertThat(c).isEqualTo(new Confusion(3, 1, 1, 2));
    }

    @Test
    void shouldReproduceDeepLogsPublishedF1AtHdfsPrevalence() {
        // DeepLog on the full HDFS test set: 833 false alarms, 619 missed anomalies.
        Confusion deepLog = new Confusion(16_838 - 619, 833, 619, 553_366 - 833);

        // At the set's own prevalence the re-weighting changes nothing: 2TP / (2TP + FP + FN).
        assertThat(deepLog.f1AtHdfsPrevalence()).isEqualTo(32_438.0 / 33_890, within(1e-12));
        assertThat(deepLog.f1()).isEqualTo(32_438.0 / 33_890, within(1e-12));
        assertThat(deepLog.f1AtHdfsPrevalence()).isEqualTo(0.957, within(0.0005));
    }

    @Test
    void shouldReweightToAnotherPrevalenceFromRecallAndFpr() {
        // recall 0.5, fpr 0.1; at 100 abnormal : 1000 normal: TP 50, FP 100, precision 1/3, F1 = 0.4.
        Confusion c = new Confusion(5, 1, 5, 9);

        assertThat(c.f1()).isEqualTo(2 * (5.0 / 6) * 0.5 / (5.0 / 6 + 0.5), within(1e-12));
        assertThat(c.f1AtPrevalence(100, 1000)).isEqualTo(0.4, within(1e-12));
    }

    @Test
    void shouldGiveZeroNotNanWhenNothingIsFlagged() {
        Confusion c = new Confusion(0, 0, 4, 6);

        assertThat(c.precision()).isZero();
        assertThat(c.f1()).isZero();
        assertThat(c.f1AtHdfsPrevalence()).isZero();
        assertThat(new Confusion(0, 0, 0, 0).fpr()).isZero();
    }
}
