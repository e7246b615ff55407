package io.seqstream.engine.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricTrackTest {
    @Test
    void shouldQuantizeByTheRangeSoFarAndFlagBreakOutsBeyondFivePercent() {
        MetricTrack track = new MetricTrack(10, 20);
        assertThat(track.observe(5).bin()).isZero();
        assertThat(track.observe(5).beyondRange()).isFalse(); // no range yet
        MetricTrack.Observation top = track.observe(15);
        assertThat(top.bin()).isEqualTo(9);
        assertThat(top.beyondRange()).isFalse(); // the range was empty
        assertThat(track.observe(10).token()).isEqualTo("b5");
        assertThat(track.observe(15.5).beyondRange()).isFalse(); // within 5% of the width 10
        MetricTrack.Observation out = track.observe(16.1); // beyond 15.5 + 0.525
        assertThat(out.beyondRange()).isTrue();
        assertThat(out.bin()).isEqualTo(9);
        assertThat(track.observe(4.0).beyondRange()).isTrue();
    }

    @Test
    void shouldScoreABreakOutOneAndOtherwiseTheLikelihoodOfOneMinusTheProbability() {
        MetricTrack track = new MetricTrack(8, 10);
        AnomalyLikelihood twin = AnomalyLikelihood.forProbation(10);
        for (int i = 0; i < 200; i++) {
            double value = i % 10 == 5 ? 2 : (i % 2) * 4; // 0, 4, 0, ...: never beyond the range
            MetricTrack.Observation o = track.observe(value);
            double expected = twin.update(value, 1 - 0.8);
            assertThat(track.calibrate(o, 0.8)).isEqualTo(expected);
        }
        assertThat(track.calibrate(track.observe(100), 0.8)).isEqualTo(1.0);
    }
}
