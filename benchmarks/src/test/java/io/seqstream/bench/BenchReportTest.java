package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.engine.StepEngines;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final List<Integer> BATCHES = List.of(1, 256);

    private static BenchReport report(List<String> engines) {
        StepBenchmark.Settings step = new StepBenchmark.Settings(BATCHES, 1000, Duration.ofSeconds(1),
                Duration.ofMillis(500), 3, 42);
        return new BenchReport(new BenchReport.Setup("2025-01-01T00:00:00Z", 2, "17", false, 1000, 100, 4,
                "exactly_once_v2", BATCHES, step, Map.of()), BenchModel.ALL, engines);
    }

    @Test
    void shouldCarryEveryRequiredFieldAsNullWhenNothingWasMeasured() {
        BenchReport report = report(List.of("dl4j"));
        report.torch(TorchPeer.Result.unavailable("skipped"));
        report.e2eSkipped("skipped");

        Map<String, Object> json = report.json();

        assertThat(json).containsKeys(BenchReport.REQUIRED_FIELDS.toArray(String[]::new));
        BenchReport.REQUIRED_FIELDS.forEach(field -> assertThat(json.get(field)).as(field).isNull());
        assertThat(report.targets()).allSatisfy((target, met) -> assertThat(met).as(target).isNull());
        assertThat(report.table()).contains("not measured");
    }

    @Test
    void shouldCompareTheAutoEngineWithThePeerAndTheCeiling() {
        BenchReport report = report(List.of("dl4j", StepEngines.AUTO));
        report.gemm(new GemmCeiling.Result(100.0, "square1024", Map.of("square1024", 100.0), 2));
        report.cell(new StepBenchmark.Cell("large", "dl4j", 256, 1_000, new double[] {1_000}));
        report.cell(new StepBenchmark.Cell("large", StepEngines.AUTO, 256, 15_000, new double[] {15_000}));
        report.cell(new StepBenchmark.Cell("small", StepEngines.AUTO, 1, 20_000, new double[] {20_000}));
        report.torch(new TorchPeer.Result(true, null, "1.13", 2, "openblas", "/lib/libopenblas.so",
                Map.of("large", Map.of(256, 10_000.0), "small", Map.of(1, 5_000.0))));

        Map<String, Object> json = report.json();

        assertThat(report.headlineEngine()).isEqualTo(StepEngines.AUTO);
        assertThat((Double) json.get("step_large_b256_over_torch")).isEqualTo(1.5);
        // 15,000 events/s × 4,263,936 FLOP = 63.96 GFLOP/s of a 100 GFLOP/s ceiling.
        assertThat((Double) json.get("step_large_b256_of_ceiling")).isCloseTo(0.6396, within(1e-4));
        assertThat((Double) json.get("step_small_b1_over_torch")).isEqualTo(4.0);
        assertThat(json.get("step_large_b256_dl4j_eps")).isEqualTo(1000.0);
        assertThat(report.targets()).containsEntry("step_large_b256_ge_1_5x_torch", true)
                .containsEntry("step_large_b256_ge_50pct_ceiling", true)
                .containsEntry("step_small_b1_ge_2x_torch", true)
                .containsEntry("e2e_small_ge_60pct_of_count", null);
    }

    @Test
    void shouldRelateScoringThroughputToTheCountBaseline() {
        BenchReport report = report(List.of("dl4j"));
        report.e2e(new EndToEndBenchmark.Result("count", 1000, 1000, true, 1, 80_000, 40_000, 100, 100, 20.0,
                90.0, null, new EndToEndBenchmark.Bytes(70, 60, 0, 70)));
        report.e2e(new EndToEndBenchmark.Result("small", 1000, 1000, true, 1, 50_000, 25_000, 100, 100, 30.0,
                120.0, null, new EndToEndBenchmark.Bytes(70, 1100, 150, 600)));

        Map<String, Object> json = report.json();

        assertThat(json.get("e2e_small_over_count")).isEqualTo(0.625);
        assertThat(json.get("e2e_small_p99_ms")).isEqualTo(120.0);
        assertThat(json.get("bytes_per_event_count")).isEqualTo(130.0);
        assertThat(json.get("bytes_per_event_scoring")).isEqualTo(1850.0);
        assertThat(json.get("e2e_small_bytes_per_event_pending")).isEqualTo(150.0);
        assertThat(json.get("e2e_large_over_count")).isNull();
        assertThat(report.targets()).containsEntry("e2e_small_ge_60pct_of_count", true)
                .containsEntry("e2e_small_p99_lt_150ms", true);
    }
}
