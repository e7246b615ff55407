package io.seqstream.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BagDetectorTest {
    @Test
    void shouldFlagOnlySessionsWhoseKeyCountsNoTrainingSessionHad() {
        BagDetector detector = BagDetector.train(List.of(List.of("5", "5", "22", "11"), List.of("5", "26")));

        assertThat(detector.size()).isEqualTo(2);
        assertThat(detector.isAnomalous(List.of("22", "5", "11", "5"))).as("same counts, other order").isFalse();
        assertThat(detector.isAnomalous(List.of("5", "22", "11"))).as("one 5 too few").isTrue();
        assertThat(detector.isAnomalous(List.of("5", "26", "26"))).as("one 26 too many").isTrue();
        assertThat(detector.flag(List.of(List.of("26", "5"), List.of("7")))).containsExactly(false, true);
    }
}
