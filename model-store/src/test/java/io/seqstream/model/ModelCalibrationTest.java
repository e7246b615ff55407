package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCalibrationTest {
    /** Quantile i at i/100 nats: surprisal s has the tail 1 − s/10 on [0, 10]. */
    private static double[] linear() {
        double[] q = new double[ModelCalibration.QUANTILES];
        for (int i = 0; i < q.length; i++) {
            q[i] = i / 100.0;
        }
        return q;
    }

    private static ModelCalibration withBags(List<String> bags) {
        return new ModelCalibration(linear(), 9.0, 4.0, 0.01, bags, 100);
    }

    @Test
    void shouldInterpolateTheTailProbabilityBetweenQuantiles() {
        ModelCalibration c = withBags(List.of());
        assertThat(c.eventTailProbability(-1)).isEqualTo(1.0);
        assertThat(c.eventTailProbability(0)).isEqualTo(1.0);
        assertThat(c.eventTailProbability(2.5)).isCloseTo(0.75, within(1e-12));
        assertThat(c.eventTailProbability(2.505)).isCloseTo(0.7495, within(1e-12));
        assertThat(c.eventTailProbability(10)).isCloseTo(0.0, within(1e-12));
        assertThat(c.eventTailProbability(10.5)).isEqualTo(0.0);
        assertThat(c.calibratedScore(2.5, false)).isCloseTo(0.25, within(1e-12));
        assertThat(c.calibratedScore(0.1, true)).as("a token outside the vocabulary").isEqualTo(1.0);
    }

    @Test
    void shouldCountTiedQuantilesAsAtLeastAsSurprising() {
        double[] q = new double[ModelCalibration.QUANTILES];
        for (int i = 0; i < q.length; i++) {
            q[i] = i < 900 ? 0.1 : 1.0 + i / 1000.0;
        }
        ModelCalibration c = new ModelCalibration(q, 2, 1, 0, List.of(), 10);
        assertThat(c.eventTailProbability(0.1)).isEqualTo(1.0);
        assertThat(c.eventTailProbability(0.5)).isCloseTo(1.0 - (899 + 0.4 / 1.8) / 1000, within(1e-12));
    }

    @Test
    void shouldJudgeASessionByUnknownTokensThenItsBagThenItsWorstEvent() {
        String seen = ModelCalibration.bag(Map.of(5, 2, 22, 1));
        ModelCalibration c = withBags(List.of(seen, "3:1"));
        assertThat(c.bagRule()).isTrue();
        assertThat(c.sessionAnomaly(true, seen, 0.1)).contains(ModelCalibration.RULE_UNKNOWN_TOKEN);
        assertThat(c.sessionAnomaly(false, seen, 8.9)).as("a training bag is normal however surprising").isEmpty();
        assertThat(c.sessionAnomaly(false, "5:3", 4.5)).contains(ModelCalibration.RULE_NEW_BAG);
        assertThat(c.sessionAnomaly(false, "5:3", 3.9)).as("a new bag with familiar transitions").isEmpty();
        assertThat(c.sessionAnomaly(false, null, 8.9)).as("no bag known: the worst event decides").isEmpty();
        assertThat(c.sessionAnomaly(false, null, 9.1)).contains(ModelCalibration.RULE_MAX_SURPRISAL);
        ModelCalibration noBags = withBags(List.of());
        assertThat(noBags.bagRule()).isFalse();
        assertThat(noBags.sessionAnomaly(false, "5:3", 8.0)).isEmpty();
        assertThat(noBags.sessionAnomaly(false, "5:3", 9.5)).contains(ModelCalibration.RULE_MAX_SURPRISAL);
    }

    @Test
    void shouldWriteBagsInAscendingIdOrder() {
        assertThat(ModelCalibration.bag(Map.of(22, 1, 5, 3, 11, 2))).isEqualTo("5:3 11:2 22:1");
        assertThat(ModelCalibration.bag(new int[] {5, 11, 22}, new int[] {3, 2, 1}, 2)).isEqualTo("5:3 11:2");
    }

    @Test
    void shouldRoundTripThroughJson(@TempDir Path dir) {
        ModelCalibration c = new ModelCalibration(linear(), 9.0, Double.NaN, 0.2, List.of("5:1", "3:2"), 42);
        c.write(dir.resolve(ModelCalibration.FILE));
        ModelCalibration back = ModelCalibration.read(dir).orElseThrow();
        assertThat(back).isEqualTo(c);
        assertThat(back.bags()).containsExactly("3:2", "5:1");
        assertThat(ModelCalibration.read(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void shouldRefuseQuantilesThatAreNotAscendingOrTooFew() {
        double[] q = linear();
        q[10] = 50;
        assertThatThrownBy(() -> new ModelCalibration(q, 1, 1, 0, List.of(), 1))
                .hasMessageContaining("not ascending at 11");
        assertThatThrownBy(() -> new ModelCalibration(new double[3], 1, 1, 0, List.of(), 1))
                .hasMessageContaining("Expected 1001");
    }
}
