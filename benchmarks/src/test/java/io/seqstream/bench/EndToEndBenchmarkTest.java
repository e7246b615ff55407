package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndToEndBenchmarkTest {

    @Test
    void shouldTakeNearestRankPercentiles() {
        long[] latencies = new long[100];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = 100 - i; // 100 … 1, unsorted
        }

        assertThat(EndToEndBenchmark.percentile(latencies, 50)).isEqualTo(50.0);
        assertThat(EndToEndBenchmark.percentile(latencies, 99)).isEqualTo(99.0);
        assertThat(EndToEndBenchmark.percentile(new long[] {7}, 99)).isEqualTo(7.0);
        assertThat(EndToEndBenchmark.percentile(new long[0], 50)).isNull();
    }

    @Test
    void shouldFlagAboutFivePercentOfRandomlyRankedTokensAsAnomalies() {
        assertThat(EndToEndBenchmark.anomalyThreshold(BenchModel.SMALL)).isEqualTo(122);
        assertThat(EndToEndBenchmark.anomalyThreshold(BenchModel.LARGE)).isEqualTo(4750);
    }
}
