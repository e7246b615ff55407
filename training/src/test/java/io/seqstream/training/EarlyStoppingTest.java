package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {
    @Test
    void shouldStopAfterPatienceEpochsWithoutImprovementAndRememberTheBest() {
        EarlyStopping stopping = new EarlyStopping(2);

        assertThat(stopping.record(3.0)).isTrue();
        assertThat(stopping.record(2.0)).isTrue();
        assertThat(stopping.record(2.5)).isFalse();
        assertThat(stopping.shouldStop()).isFalse();
        assertThat(stopping.record(1.5)).isTrue();
        assertThat(stopping.record(1.5)).as("equal is no improvement").isFalse();
        assertThat(stopping.shouldStop()).isFalse();
        assertThat(stopping.record(Double.NaN)).isFalse();

        assertThat(stopping.shouldStop()).isTrue();
        assertThat(stopping.bestEpoch()).isEqualTo(4);
        assertThat(stopping.bestLoss()).isEqualTo(1.5);
    }
}
