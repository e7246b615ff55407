package io.seqstream.engine.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    void shouldWeighTheModelsProbabilityAgainstTheKeysOwnTransitions() {
        MetricTrack track = new MetricTrack(4, 1000);
        double w = 0.5;
        track.calibrate(track.observe(0), b -> 0.3, w); // b0, nothing before it: the model's
        assertThat(track.lastProbability()).isEqualTo(0.3);
        track.calibrate(track.observe(10), b -> 0.2, w); // b3 after b0, never seen: still the model's
        assertThat(track.lastProbability()).isCloseTo(0.2, within(1e-15));
        track.calibrate(track.observe(0), b -> 0.1, w); // b0 after b3
        track.calibrate(track.observe(10), b -> 0.2, w); // b3 after b0, seen once of once
        assertThat(track.lastProbability()).isCloseTo((1 + w * 0.2) / (1 + w), within(1e-15));
        track.calibrate(track.observe(0), b -> 0.1, w);
        track.calibrate(track.observe(5), b -> 0.4, w); // b2 after b0: b0 was followed by b3 twice, never by b2
        assertThat(track.lastProbability()).isCloseTo(w * 0.4 / (2 + w), within(1e-15));
        assertThat(track.transitionsSeen()).isEqualTo(3);
    }

    @Test
    void shouldScoreRawTheProbabilityOfTheBinsMoreLikelyThanTheObservedOne() {
        MetricTrack track = new MetricTrack(4, 1000);
        double[] model = {0.1, 0.2, 0.3, 0.4};
        double w = 1;
        // range [0, 12]: 0 is b0, 4 is b1, 7 is b2, 12 is b3
        for (double v : new double[] {0, 12, 0, 12, 0, 4, 0}) {
            track.calibrate(track.observe(v), b -> model[b], w);
        }
        assertThat(track.lastRaw()).as("b0 after b1, never seen: the model's b1, b2 and b3 are more likely")
                .isCloseTo(0.2 + 0.3 + 0.4, within(1e-15));
        // b0 was followed by b3 twice and b1 once: q = (n + w·model) / (3 + w) = 0.1, 1.2, 0.3, 2.4 over 4
        track.calibrate(track.observe(4), b -> model[b], w); // b1: only b3 is more likely
        assertThat(track.lastRaw()).isCloseTo(2.4 / 4, within(1e-15));
        assertThat(track.lastProbability()).isCloseTo(1.2 / 4, within(1e-15));
        track.calibrate(track.observe(0), b -> model[b], w);
        track.calibrate(track.observe(12), b -> model[b], w); // b3: now 2 of 4, the most likely
        assertThat(track.lastRaw()).isZero();
        track.calibrate(track.observe(0), b -> model[b], w);
        // b0 followed by b3 3 times, b1 twice: q = 0.1, 2.2, 0.3, 3.4 over 6; b2 (0.3) is below b1 and b3
        track.calibrate(track.observe(7), b -> model[b], w);
        assertThat(track.lastRaw()).isCloseTo((2.2 + 3.4) / 6, within(1e-15));
    }

    @Test
    void shouldScoreABreakOutOneAndOtherwiseTheLikelihoodOfItsRawScores() {
        MetricTrack track = new MetricTrack(8, 10);
        AnomalyLikelihood twin = AnomalyLikelihood.forProbation(10);
        int surprised = 0;
        for (int i = 0; i < 200; i++) {
            double value = i % 10 == 5 ? 2 : (i % 2) * 4; // 0, 4, 0, ...: never beyond the range
            MetricTrack.Observation o = track.observe(value);
            double got = track.calibrate(o, b -> 0.125);
            assertThat(got).isEqualTo(twin.update(value, track.lastRaw()));
            surprised += track.lastRaw() > 0 ? 1 : 0;
        }
        assertThat(surprised).as("the 2 among 0s and 4s is less likely than a 0 or a 4").isPositive();
        assertThat(track.calibrate(track.observe(100), b -> 0.125)).isEqualTo(1.0);
    }

    @Test
    void shouldScoreTheHigherOfTheTransitionsAndTheNearestWindowsLikelihoods() {
        MetricTrack track = new MetricTrack(8, 20, 4, 30);
        MetricTrack transitions = new MetricTrack(8, 20);
        NearestWindow window = new NearestWindow(4, 30, 20);
        java.util.Random random = new java.util.Random(5);
        int fromWindow = 0;
        for (int i = 0; i < 400; i++) {
            double value = i % 12 < 6 ? i % 12 : 12 - i % 12 + random.nextGaussian() * (i > 300 ? 2 : 0.1);
            MetricTrack.Observation o = track.observe(value);
            double got = track.calibrate(o, b -> 0.125);
            double byTransitions = transitions.calibrate(transitions.observe(value), b -> 0.125);
            double byWindow = window.update(value, track.min(), track.max());
            assertThat(got).isEqualTo(o.beyondRange() ? 1.0 : Math.max(byTransitions, byWindow));
            assertThat(track.lastShapeRaw()).isEqualTo(window.lastRaw());
            fromWindow += !o.beyondRange() && byWindow > byTransitions ? 1 : 0;
        }
        assertThat(fromWindow).isPositive(); // the window decided some events
    }

    @Test
    void shouldKeepItsNearestWindowUnderTheSameSettingsAndStartAFreshOneUnderNew() {
        MetricTrack track = new MetricTrack(8, 20, 4, 30);
        for (int i = 0; i < 50; i++) {
            track.calibrate(track.observe(i % 9), b -> 0.125);
        }
        double raw = track.lastShapeRaw();
        track.withShape(4, 30, 2);
        assertThat(track.lastShapeRaw()).isEqualTo(raw);
        track.withShape(4, 30, 3);
        assertThat(track.shape()).containsExactly(4, 30, 3);
        assertThat(track.lastShapeRaw()).isNaN(); // fresh
        track.withShape(4, 40, 3);
        assertThat(track.shape()).containsExactly(4, 40, 3);
        assertThat(track.lastShapeRaw()).isNaN(); // fresh
        track.withShape(0, 40, 3);
        assertThat(track.shape()).containsExactly(0, 0, 0);
    }

    @Test
    void shouldLeaveAWindowStartedLaterOutUntilItsProbationHasPassed() {
        MetricTrack track = new MetricTrack(8, 20); // no window, as a new setting finds a track
        MetricTrack twin = new MetricTrack(8, 20);
        java.util.Random random = new java.util.Random(9);
        for (int i = 0; i < 100; i++) {
            double value = i % 10 + random.nextGaussian() * 0.1;
            assertThat(track.calibrate(track.observe(value), b -> 0.125))
                    .isEqualTo(twin.calibrate(twin.observe(value), b -> 0.125));
        }
        track.withShape(4, 30, 2); // its likelihood gives 0.5 for 20 values, never more than the transitions' (>= 0.5)
        int differs = 0;
        for (int i = 100; i < 300; i++) {
            double value = i % 10 + random.nextGaussian() * (i < 200 ? 0.1 : 3);
            double got = track.calibrate(track.observe(value), b -> 0.125);
            double transitions = twin.calibrate(twin.observe(value), b -> 0.125);
            if (i < 120) {
                assertThat(got).as("event %d, the window in probation", i).isEqualTo(transitions);
            } else {
                assertThat(got).isGreaterThanOrEqualTo(transitions);
                differs += got > transitions ? 1 : 0;
            }
        }
        assertThat(differs).as("the window speaks after its probation").isPositive();
    }

    @Test
    void shouldRefuseATrackClaimingMoreTransitionsThanItsBytesHold() {
        MetricTrack track = new MetricTrack(64, 10);
        for (int i = 0; i < 10; i++) {
            track.calibrate(track.observe(i), b -> 1.0 / 64);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(track.size());
        track.write(buf);
        buf.putInt(2 + 16 + 4, 4000).flip(); // 4,000 transitions claimed (of 64 × 64), 9 written

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetricTrack.read(buf))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4000 transitions");
    }

    @Test
    void shouldRefuseAPriorWeightOfZero() {
        MetricTrack track = new MetricTrack(4, 10);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> track.calibrate(track.observe(1), b -> 0.25, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above 0");
    }

    @Test
    void shouldKeepQuantizingAndFlaggingAcrossARangeWiderThanTheLargestDouble() {
        MetricTrack track = new MetricTrack(4, 10);
        track.observe(-1e308);
        assertThat(track.observe(1e308).bin()).isEqualTo(3);
        assertThat(track.observe(0).bin()).isEqualTo(2);
        assertThat(track.observe(-0.9e308).bin()).isZero();
        assertThat(track.observe(1.05e308).beyondRange()).isFalse(); // within 5% of a width of 2e308
        assertThat(track.observe(Double.MAX_VALUE).beyondRange()).isTrue();
    }
}
