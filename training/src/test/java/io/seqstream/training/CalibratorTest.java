package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.model.ModelCalibration;
import io.seqstream.model.Vocabulary;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CalibratorTest {
    @Test
    void shouldTakeTheBagThresholdFromSequencesWhoseBagIsTheirOwn() {
        // Sequences 0-2 share a bag; 3 and 4 each have their own.
        double[] worst = {9.0, 2.0, 3.0, 5.0, 4.0};
        String[] bags = {"5:2", "5:2", "5:2", "5:3", "5:1 7:1"};
        double[] events = {1, 2, 3, 4, 5, 9};

        ModelCalibration c = Calibrator.summarise(events, worst, bags);

        assertThat(c.sessionMaxSurprisal()).isEqualTo(9.0);
        assertThat(c.bagSurprisal()).as("the 0.99 quantile (nearest rank) of 2,3,4,5,9").isEqualTo(9.0);
        assertThat(c.uniqueBagShare()).isCloseTo(0.4, within(1e-12));
        assertThat(c.bagRule()).as("40% unique bags is above the 5% limit").isFalse();
        assertThat(c.eventSurprisal()[0]).isEqualTo(1.0);
        assertThat(c.eventSurprisal()[ModelCalibration.QUANTILES - 1]).isEqualTo(9.0);
        assertThat(c.eventSurprisal()[500]).as("the median of 1,2,3,4,5,9").isCloseTo(3.5, within(1e-12));
    }

    @Test
    void shouldKeepTheBagsWhenFewSequencesHaveABagOfTheirOwn() {
        int n = 100;
        double[] worst = new double[n];
        String[] bags = new String[n];
        Arrays.fill(worst, 1.0);
        Arrays.fill(bags, "5:2");
        bags[7] = "5:9";
        worst[7] = 6.5;
        bags[8] = null; // too many distinct tokens to keep: counts as a bag of its own

        ModelCalibration c = Calibrator.summarise(new double[] {1, 2}, worst, bags);

        assertThat(c.uniqueBagShare()).isCloseTo(0.02, within(1e-12));
        assertThat(c.bagRule()).isTrue();
        assertThat(c.bags()).containsExactly("5:2", "5:9");
        assertThat(c.bagSurprisal()).as("rank 98 of 99 sorted worst values: the 1.0s").isEqualTo(1.0);
        worst[9] = 3.0;
        worst[10] = 4.0;
        assertThat(Calibrator.summarise(new double[] {1, 2}, worst, bags).bagSurprisal())
                .as("rank 98 of 99: the second largest").isEqualTo(4.0);
    }

    @Test
    void shouldWriteABagOfTheTargetsWithoutTheEndMarker() {
        assertThat(Calibrator.bagOf(new int[] {5, 5, 9, Vocabulary.END_ID})).isEqualTo("5:2 9:1");
        int[] many = new int[ModelCalibration.MAX_BAG_TOKENS + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = 3 + i;
        }
        assertThat(Calibrator.bagOf(many)).as("too many distinct tokens").isNull();
    }
}
