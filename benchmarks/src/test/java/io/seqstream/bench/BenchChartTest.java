package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartTest {
    private static final List<Integer> BATCHES = List.of(1, 256);
    private static final int PANEL_WIDTH = 620;

    @Test
    void shouldDrawTheCpuPerEventOfEachBacklogBesideItsRate(@TempDir Path dir) throws Exception {
        BufferedImage measured = render(dir.resolve("measured.png"), 1.2, 2.5);
        BufferedImage unmeasured = render(dir.resolve("unmeasured.png"), null, null);

        // two stepping panels, end to end, CPU per event
        assertThat(measured.getWidth()).isEqualTo(4 * PANEL_WIDTH);
        assertThat(differingPixels(measured, unmeasured, 0, 3 * PANEL_WIDTH)).isZero();
        // the same runs, the same rates: only the CPU panel shows what was measured
        assertThat(differingPixels(measured, unmeasured, 3 * PANEL_WIDTH, 4 * PANEL_WIDTH)).isGreaterThan(1000);
    }

    private static BufferedImage render(Path png, Double streamCpuSeconds, Double processCpuSeconds)
            throws Exception {
        StepBenchmark.Settings step = new StepBenchmark.Settings(BATCHES, 1000, Duration.ofSeconds(1),
                Duration.ofMillis(500), 3, 42);
        BenchReport report = new BenchReport(new BenchReport.Setup("2025-01-01T00:00:00Z", 2, "17",
                "vector (256-bit)", false, 1000, 100, 4, "exactly_once_v2", null, 15, 10, BATCHES, step, Map.of()),
                BenchModel.ALL, List.of("dl4j"));
        report.torch(TorchPeer.Result.unavailable("skipped"));
        report.e2e(result(BenchReport.HDFS_COUNT, 50_000, 0.2, streamCpuSeconds == null ? null : 0.2,
                processCpuSeconds == null ? null : 0.5));
        report.e2e(result(BenchReport.HDFS, 10_000, 0.4, streamCpuSeconds, processCpuSeconds));
        BenchChart.write(report, png);
        return ImageIO.read(png.toFile());
    }

    /** A backlog of 10,000 events in 1 s. */
    private static EndToEndBenchmark.Result result(String topology, double eps, double jitShare, Double cpu,
                                                   Double process) {
        return new EndToEndBenchmark.Result(topology, "hdfs", null, 10_000, 10_000, true, 1, eps, eps / 2, 100, 100,
                20.0, 90.0, null, null, null, null, new EndToEndBenchmark.ThreadTime(0.2, 10, 5.0, jitShare, cpu,
                process), null);
    }

    private static long differingPixels(BufferedImage a, BufferedImage b, int fromX, int toX) {
        long differing = 0;
        for (int x = fromX; x < toX; x++) {
            for (int y = 0; y < a.getHeight(); y++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    differing++;
                }
            }
        }
        return differing;
    }
}
