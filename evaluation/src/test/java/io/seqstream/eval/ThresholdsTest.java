package io.seqstream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdsTest {
    private static final double[] ONE_TO_TEN = {7, 3, 10, 1, 5, 2, 9, 4, 8, 6};

    @Test
    void shouldTakeTheNearestRankQuantile() {
        assertThat(Thresholds.quantile(ONE_TO_TEN, 0.9)).isEqualTo(9);
        assertThat(Thresholds.quantile(ONE_TO_TEN, 0.95)).isEqualTo(10);
        assertThat(Thresholds.quantile(ONE_TO_TEN, 1.0)).isEqualTo(10);
        assertThat(Thresholds.quantile(ONE_TO_TEN, 0.05)).isEqualTo(1);
    }

    @Test
    void shouldFlagAtMostTheQuantilesShareOfItsOwnValues() {
        double threshold = Thresholds.quantile(ONE_TO_TEN, 0.8);

        assertThat(Thresholds.flag(ONE_TO_TEN, threshold)).containsExactly(false, false, true, false, false,
                false, true, false, false, false);
    }

    @Test
    void shouldRejectAnEmptySetOrAQuantileOutOfRange() {
        assertThatThrownBy(() -> Thresholds.quantile(new double[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Thresholds.quantile(ONE_TO_TEN, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Thresholds.quantile(ONE_TO_TEN, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSweepRecallAndFprFromZeroToTheHighestScore() {
        List<Thresholds.Point> points = Thresholds.sweep(new double[] {1, 2}, new double[] {3, 4}, 4);

        assertThat(points).containsExactly(
                new Thresholds.Point(0, 1, 1),
                new Thresholds.Point(1, 1, 0.5),
                new Thresholds.Point(2, 1, 0),
                new Thresholds.Point(3, 0.5, 0),
                new Thresholds.Point(4, 0, 0));
    }

    @Test
    void shouldCountConfusionAtAThreshold() {
        assertThat(Thresholds.confusion(new double[] {1, 2, 5}, new double[] {3, 4}, 2.5))
                .isEqualTo(new Confusion(2, 1, 0, 2));
    }
}
