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
        return report(engines, null);
    }

    private static BenchReport report(List<String> engines, Double pacedRate) {
        StepBenchmark.Settings step = new StepBenchmark.Settings(BATCHES, 1000, Duration.ofSeconds(1),
                Duration.ofMillis(500), 3, 42);
        return new BenchReport(new BenchReport.Setup("2025-01-01T00:00:00Z", 2, "17", "vector (256-bit)", false, 1000, 100, 4,
                "exactly_once_v2", pacedRate, 15, 10, BATCHES, step, Map.of()), BenchModel.ALL, engines);
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
    void shouldNotJudgeTargetsAgainstAPeerOnTheReferenceBlas() {
        BenchReport report = report(List.of(StepEngines.AUTO));
        report.cell(new StepBenchmark.Cell("large", StepEngines.AUTO, 256, 15_000, new double[] {15_000}));
        report.torch(new TorchPeer.Result(true, null, "1.13", 2, "reference", "/lib/libblas.so.3",
                Map.of("large", Map.of(256, 500.0))));

        assertThat(report.json()).containsEntry("step_large_b256_over_torch", 30.0);
        assertThat(report.targets()).containsEntry("step_large_b256_ge_1_2x_torch", null)
                .containsEntry("step_large_b256_ge_1_5x_torch", null);
        assertThat(report.table()).contains("reference BLAS");
    }

    @Test
    void shouldNotJudgeTheLatencyTargetWhenEveryPassRanAtAFixedRate() {
        BenchReport report = report(List.of("dl4j"), 4_000.0);
        report.e2e(result(BenchReport.HDFS_COUNT, "hdfs", null, 100_000, 80.0,
                new EndToEndBenchmark.Bytes(60, 10, 0, 60)));
        report.e2e(result(BenchReport.HDFS, "hdfs", BenchReport.HDFS_COUNT, 50_000, 120.0,
                new EndToEndBenchmark.Bytes(60, 300, 40, 500)));

        assertThat(report.json()).containsEntry("paced_rate", 4_000.0).containsEntry("e2e_hdfs_p99_ms", 120.0)
                .containsEntry("paced_seconds", 15.0).containsEntry("paced_lead_in_seconds", 10.0);
        assertThat(report.targets()).containsEntry("e2e_hdfs_p99_le_150ms", null)
                .containsEntry("e2e_hdfs_ge_0_5x_count", true);
        assertThat(report.table()).contains("a paced pass at 4,000 events/s (--paced-rate) for latency: 15 s "
                        + "measured after a 10 s lead-in at that rate",
                "not judged: paced at a fixed rate");
    }

    @Test
    void shouldRelateEachScoringRunToTheCountRunOnItsOwnWorkload() {
        BenchReport report = report(List.of("dl4j"));
        report.e2e(result("count", "uniform", null, 80_000, 90.0, new EndToEndBenchmark.Bytes(70, 60, 0, 70)));
        report.e2e(result("small", "uniform", "count", 20_000, 400.0, new EndToEndBenchmark.Bytes(70, 1100, 150, 600)));
        report.e2e(result(BenchReport.HDFS_COUNT, "hdfs", null, 100_000, 80.0,
                new EndToEndBenchmark.Bytes(60, 10, 0, 60)));
        report.e2e(result(BenchReport.HDFS, "hdfs", BenchReport.HDFS_COUNT, 50_000, 120.0,
                new EndToEndBenchmark.Bytes(60, 300, 40, 500)));

        Map<String, Object> json = report.json();

        assertThat(json.get("e2e_small_over_count")).isEqualTo(0.25);
        assertThat(json.get("e2e_worst_over_count")).isEqualTo(0.25);
        assertThat(json.get("e2e_hdfs_over_count")).isEqualTo(0.5);
        assertThat(json.get("e2e_hdfs_p99_ms")).isEqualTo(120.0);
        assertThat(json.get("e2e_small_p99_ms")).isEqualTo(400.0);
        // what each topology wrote besides its input, on the realistic workload
        assertThat(json.get("bytes_per_event_count")).isEqualTo(70.0);
        assertThat(json.get("bytes_per_event_scoring")).isEqualTo(840.0);
        assertThat(json.get("e2e_hdfs_count_eps")).isEqualTo(100_000.0);
        assertThat(json.get("e2e_small_bytes_per_event_pending")).isEqualTo(150.0);
        assertThat(json.get("e2e_large_over_count")).isNull();
        assertThat(report.targets()).containsEntry("e2e_hdfs_ge_0_5x_count", true)
                .containsEntry("e2e_hdfs_p99_le_150ms", true)
                .containsEntry("e2e_small_ge_60pct_of_count", false)
                .containsEntry("e2e_small_p99_lt_150ms", false);
        assertThat(report.table()).contains("hdfs-count", "0.50");
    }

    @Test
    void shouldSayHowBatchesWereSizedInEachPass() {
        BenchReport report = report(List.of("dl4j"));
        // 10 batches of 5 keys on average; 4 of at most 1 key, 9 of at most 8, all 10 of at most 64
        EndToEndBenchmark.Batches backlog = new EndToEndBenchmark.Batches(10, 50, new long[] {4, 9, 10, 10, 10, 10});
        EndToEndBenchmark.Batches total = new EndToEndBenchmark.Batches(30, 90, new long[] {20, 29, 30, 30, 30, 30});
        EndToEndBenchmark.Batches paced = total.minus(backlog);
        report.e2e(new EndToEndBenchmark.Result(BenchReport.HDFS, "hdfs", null, 10, 10, true, 2, 5, 5, 5, 5, 1.0,
                2.0, null, null, backlog, paced, new EndToEndBenchmark.ThreadTime(0.55, 12, 40.0, 0.25, 0.9, 1.5),
                null));

        assertThat(backlog.mean()).isEqualTo(5.0);
        assertThat(paced.mean()).isEqualTo(2.0);
        assertThat(paced.shareAtMost(1)).isEqualTo(0.8);
        assertThat(paced.shareAtMost(8)).isEqualTo(1.0);
        assertThat(report.json()).containsEntry("e2e_hdfs_batch_mean_backlog", 5.0)
                .containsEntry("e2e_hdfs_batch_mean_paced", 2.0);
        assertThat(report.table()).contains("hdfs paced", "80%")
                .contains("blocked  55%,     12 commits, 40 ms per commit; JIT  25%; CPU µs per event: stream "
                        + "90000.0, JIT 50000.0, process 150000.0");
        // over the backlog's 10 events in 2 s: 0.9 s of the stream threads' CPU, 0.5 s compiling (a quarter of the
        // wall time), 1.5 s of the process's CPU
        assertThat(report.json()).containsEntry("e2e_hdfs_blocked_share", 0.55).containsEntry("e2e_hdfs_commits", 12L)
                .containsEntry("e2e_hdfs_jit_share", 0.25).containsEntry("e2e_hdfs_cpu_us_per_event", 90_000.0)
                .containsEntry("e2e_hdfs_jit_us_per_event", 50_000.0)
                .containsEntry("e2e_hdfs_process_cpu_us_per_event", 150_000.0);
    }

    @Test
    void shouldSayWhatThePacedPassCostAndWhereItsLatencyWent() {
        BenchReport report = report(List.of("dl4j"));
        report.e2e(paced(BenchReport.HDFS_COUNT, new PacedLoad(0.85, 0.2, 104, 23.9, 11.1, null, null)));
        report.e2e(paced(BenchReport.HDFS, new PacedLoad(0.9, 0.21, 166, 20.1, 5.0, 30.0, 250.0)));

        assertThat(report.json()).containsEntry("e2e_hdfs_paced_cpu_share", 0.9)
                .containsEntry("e2e_hdfs_paced_jit_share", 0.21).containsEntry("e2e_hdfs_paced_commits", 166L)
                .containsEntry("e2e_hdfs_paced_flush_ms", 20.1).containsEntry("e2e_hdfs_paced_transaction_ms", 5.0)
                .containsEntry("e2e_hdfs_paced_forwarded_p50_ms", 30.0)
                .containsEntry("e2e_hdfs_paced_forwarded_p99_ms", 250.0)
                .containsEntry("e2e_hdfs_count_paced_cpu_share", 0.85)
                .containsEntry("e2e_hdfs_count_paced_forwarded_p99_ms", null)
                .containsEntry("e2e_count_paced_cpu_share", null);
        assertThat(report.table())
                .contains("hdfs-count   CPU  85%, JIT  20%,    104 commits, per commit: flush 23.9 ms, transaction "
                        + "11.1 ms; forwarded after - | - ms")
                .contains("hdfs         CPU  90%, JIT  21%,    166 commits, per commit: flush 20.1 ms, transaction "
                        + "5.0 ms; forwarded after ≤30 | ≤250 ms");
    }

    private static EndToEndBenchmark.Result paced(String topology, PacedLoad load) {
        return new EndToEndBenchmark.Result(topology, "hdfs", null, 1000, 1000, true, 1, 1000, 500, 100, 100,
                20.0, 300.0, null, null, null, null, null, load);
    }

    private static EndToEndBenchmark.Result result(String topology, String workload, String baseline, double eps,
                                                   double p99, EndToEndBenchmark.Bytes bytes) {
        return new EndToEndBenchmark.Result(topology, workload, baseline, 1000, 1000, true, 1, eps, eps / 2, 100, 100,
                20.0, p99, null, bytes, null, null, null, null);
    }
}
