package io.seqstream.engine.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyLikelihoodTest {
    @Test
    void shouldGiveOneHalfThroughTheProbationaryPeriod() {
        AnomalyLikelihood a = AnomalyLikelihood.forProbation(40);
        for (int i = 0; i < 40; i++) {
            assertThat(a.update(i % 7, i % 2)).isEqualTo(0.5);
        }
        assertThat(a.update(3, 0.5)).isNotEqualTo(0.5);
    }

    @Test
    void shouldFlagAJumpOfTheRawScoreOnceThenHoldTheRepeatAtTheYellowLevel() {
        AnomalyLikelihood a = new AnomalyLikelihood(10, 10);
        for (int i = 0; i < 301; i++) {
            a.update(i % 7, 0.1);
        }
        // mean of the averages 0.1, variance 0 -> nupic's floor 0.0003; the average after one raw 1.0 is 0.19:
        // 0.5 erfc((0.19 - 0.1) / sqrt(0.0003) / 1.4142)
        double first = a.update(3, 1.0);
        assertThat(1 - first).isCloseTo(1.0170048e-7, within(1e-13));
        // a second tail under 1e-5 right after the first is held at 1e-3
        assertThat(a.update(3, 1.0)).isCloseTo(0.999, within(1e-12));
        assertThat(a.distribution()[0]).isCloseTo(0.1, within(1e-12));
        assertThat(a.distribution()[1]).isCloseTo(Math.sqrt(0.0003), within(1e-12));
    }

    @Test
    void shouldFitTheDistributionWhenTheValuesSquaresOverflow() {
        AnomalyLikelihood a = new AnomalyLikelihood(10, 10);
        for (int i = 0; i < 301; i++) {
            a.update(i % 2 == 0 ? 1e200 : -1e200, 0.1);
        }
        assertThat(a.distribution()[0]).as("fitted, not the null distribution").isCloseTo(0.1, within(1e-12));
    }

    @Test
    void shouldKeepTheNullDistributionForAFlatSeries() {
        AnomalyLikelihood a = AnomalyLikelihood.forProbation(20);
        double last = 0;
        for (int i = 0; i < 500; i++) {
            last = a.update(42.0, i == 400 ? 1.0 : 0.0);
        }
        assertThat(a.distribution()).containsExactly(0.5, 1e3);
        assertThat(last).isCloseTo(0.5, within(1e-3));
    }

    @Test
    void shouldEqualNupicsLikelihoodOverAHistoryShorterThanItsWindow() {
        double[][] series = series(6_000, 1);
        AnomalyLikelihood ours = AnomalyLikelihood.forProbation(750);
        NupicLikelihood nupic = new NupicLikelihood(375, 375, 8_640);
        for (double[] event : series) {
            assertThat(ours.update(event[0], event[1])).isCloseTo(nupic.anomalyProbability(event[0], event[1]),
                    within(1e-9));
        }
    }

    @Test
    void shouldMatchNupicsLikelihoodOverAnEqualWindowOnLongSeries() {
        // past the window nupic restarts its moving average at the window's first score; this keeps the true one,
        // so the two differ in the first 9 of 8,600 averages only
        double[][] series = series(20_000, 2);
        AnomalyLikelihood ours = AnomalyLikelihood.forProbation(750);
        NupicLikelihood nupic = new NupicLikelihood(375, 375, AnomalyLikelihood.HISTORY_BLOCKS * 100);
        double worst = 0;
        int disagreements = 0;
        for (double[] event : series) {
            double x = ours.update(event[0], event[1]);
            double y = nupic.anomalyProbability(event[0], event[1]);
            worst = Math.max(worst, Math.abs(x - y));
            if ((x > 0.999) != (y > 0.999)) {
                disagreements++;
            }
        }
        // the restarted averages move the window's mean by about 3e-4 here; likelihoods near 1 move by less
        assertThat(worst).isLessThan(1e-2);
        assertThat(disagreements).isLessThanOrEqualTo(2);
    }

    @Test
    void shouldContinueIdenticallyAfterAWriteAndRead() {
        double[][] series = series(9_500, 3);
        AnomalyLikelihood a = AnomalyLikelihood.forProbation(300);
        AnomalyLikelihood b = AnomalyLikelihood.forProbation(300);
        for (int i = 0; i < series.length; i++) {
            if (i % 1_000 == 999) {
                ByteBuffer buf = ByteBuffer.allocate(b.size());
                b.write(buf);
                assertThat(buf.hasRemaining()).isFalse();
                b = AnomalyLikelihood.read(buf.flip());
            }
            assertThat(b.update(series[i][0], series[i][1])).isEqualTo(a.update(series[i][0], series[i][1]));
        }
    }

    @Test
    void shouldRefuseAProbationLongerThanTheHistory() {
        assertThatThrownBy(() -> new AnomalyLikelihood(5_000, 5_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 8600");
    }

    /** A noisy daily cycle with rare raw-score bursts: {value, raw score} per event. */
    private static double[][] series(int n, long seed) {
        Random random = new Random(seed);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            double value = 50 + 20 * Math.sin(2 * Math.PI * i / 288) + random.nextGaussian() * 3;
            double raw = random.nextDouble() < 0.01 ? 0.5 + random.nextDouble() / 2 : random.nextDouble() * 0.2;
            out[i] = new double[] {value, raw};
        }
        return out;
    }
}
