package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole command in {@code --quick} mode: every phase but the PyTorch peer, one engine, smoke sizes; the
 * end-to-end runs (an HDFS model trained on 200 sessions for one epoch, then both workloads) and the scaling run
 * use the in-process broker (~1 min).
 */
class BenchCommandIT {
    private static final Path HDFS = Path.of("..", "..", "shared", "data", "hdfs");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void shouldEndWithAJsonLineCarryingEveryRequiredFieldAndWriteAPngChart(@TempDir Path out) throws Exception {
        StringWriter stdout = new StringWriter();

        int status = BenchCommand.execute(new PrintWriter(stdout), "--quick", "--skip-torch", "--engines", "auto",
                "--records", "300", "--keys", "50", "--paced-seconds", "1", "--paced-lead-in", "1",
                "--open-sessions", "20",
                "--hdfs", HDFS.toString(), "--scaling-keys", "500,2000", "--scaling-events", "100",
                "--out", out.toString());

        List<String> lines = stdout.toString().strip().lines().toList();
        assertThat(status).as(stdout.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String field : BenchReport.REQUIRED_FIELDS) {
            assertThat(json.has(field)).as("field %s in %s", field, json).isTrue();
        }
        // Measured in this run: the ceiling and both end-to-end ratios; the peer was skipped.
        assertThat(json.get("gemm_gflops").isNumber()).isTrue();
        assertThat(json.get("e2e_small_over_count").asDouble()).isPositive();
        assertThat(json.get("e2e_large_over_count").asDouble()).isPositive();
        assertThat(json.get("e2e_small_p99_ms").isNumber()).isTrue();
        // latencies only of the events sent after the lead-in: the count topology's one output each
        assertThat(json.get("paced_lead_in_seconds").asDouble()).isEqualTo(1.0);
        assertThat(json.get("e2e_count_paced_events").asLong()).isPositive();
        assertThat(json.get("e2e_count_paced_scored").asLong()).isEqualTo(json.get("e2e_count_paced_events").asLong());
        assertThat(json.get("step_large_b256_of_ceiling").asDouble()).isPositive();
        assertThat(json.get("step_large_b256_over_torch").isNull()).isTrue();
        assertThat(json.get("torch_reason").asText()).contains("--skip-torch");
        // the realistic workload: an HDFS model trained in the run, its count baseline on the same records
        assertThat(json.get("e2e_hdfs_over_count").asDouble()).isPositive();
        assertThat(json.get("e2e_hdfs_p99_ms").isNumber()).isTrue();
        assertThat(json.get("bytes_per_event_scoring").asDouble())
                .isGreaterThan(json.get("bytes_per_event_count").asDouble());
        assertThat(json.get("e2e_hdfs_batch_mean_backlog").asDouble()).isGreaterThanOrEqualTo(1.0);
        // Kafka Streams' thread metrics: exactly-once commits while the backlog drains, some time blocked on Kafka
        assertThat(json.get("e2e_hdfs_commits").asLong()).isPositive();
        assertThat(json.get("e2e_hdfs_blocked_share").asDouble()).isBetween(0.0, 1.0);
        // the paced pass: the producers' flushes and transactions of real commits, the application's own timer of
        // scores forwarded (its 99th percentile no earlier than its median)
        assertThat(json.get("e2e_hdfs_paced_commits").asLong()).isPositive();
        assertThat(json.get("e2e_hdfs_paced_flush_ms").asDouble()).isPositive();
        assertThat(json.get("e2e_hdfs_paced_transaction_ms").asDouble()).isPositive();
        assertThat(json.get("e2e_hdfs_paced_cpu_share").asDouble()).isPositive();
        assertThat(json.get("e2e_hdfs_paced_forwarded_p50_ms").asDouble()).isPositive();
        assertThat(json.get("e2e_hdfs_paced_forwarded_p99_ms").asDouble())
                .isGreaterThanOrEqualTo(json.get("e2e_hdfs_paced_forwarded_p50_ms").asDouble());
        assertThat(json.get("e2e_hdfs_count_paced_forwarded_p50_ms").isNull()).isTrue();
        assertThat(json.get("step_kernels").asText()).startsWith("vector (");
        // the scaling run: every state written was restored after the state directory was wiped
        for (String keys : List.of("500", "2000")) {
            assertThat(json.get("scaling_" + keys + "_restore_s").asDouble()).as(keys).isPositive();
            assertThat(json.get("scaling_" + keys + "_state_dir_mb").asDouble()).as(keys).isPositive();
            assertThat(json.get("scaling_" + keys + "_eps").asDouble()).as(keys).isPositive();
        }
        assertThat(json.get("scaling_2000_changelog_mb").asDouble())
                .isGreaterThan(3 * json.get("scaling_500_changelog_mb").asDouble());
        assertThat(json.get("restore_1m_keys_s").isNull()).isTrue();
        assertThat(json.get("scaling_errors")).isEmpty();
        assertThat(json.get("errors")).isEmpty();
        assertThat(stdout.toString()).contains("End to end", "Stepping engine alone", "Targets");

        Path png = out.resolve(BenchCommand.CHART_FILE);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).isEqualTo(PNG_SIGNATURE);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isGreaterThan(image.getHeight());
        assertThat(Files.readString(out.resolve(BenchCommand.JSON_FILE)).strip())
                .isEqualTo(lines.get(lines.size() - 1));
    }

    @Test
    void shouldRejectAnUnknownEngineAsBadUsage(@TempDir Path out) {
        StringWriter stdout = new StringWriter();

        int status = BenchCommand.execute(new PrintWriter(stdout), "--engines", "abacus", "--out", out.toString());

        assertThat(status).isEqualTo(2);
        assertThat(out).isEmptyDirectory();
    }

    @ParameterizedTest
    @CsvSource({"--paced-lead-in, -1", "--paced-lead-in, 1e12", "--paced-seconds, 0"})
    void shouldRejectAPacedPassThatCannotRunAsBadUsage(String option, String value, @TempDir Path out) {
        StringWriter stdout = new StringWriter();

        int status = BenchCommand.execute(new PrintWriter(stdout), option, value, "--out", out.toString());

        assertThat(status).isEqualTo(2);
        assertThat(out).isEmptyDirectory();
    }
}
