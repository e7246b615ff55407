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

/**
 * The whole command in {@code --quick} mode: every phase but the PyTorch peer, one engine, smoke sizes; the
 * end-to-end runs use the in-process broker (~30 s).
 */
class BenchCommandIT {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void shouldEndWithAJsonLineCarryingEveryRequiredFieldAndWriteAPngChart(@TempDir Path out) throws Exception {
        StringWriter stdout = new StringWriter();

        int status = BenchCommand.execute(new PrintWriter(stdout), "--quick", "--skip-torch", "--engines", "auto",
                "--records", "300", "--keys", "50", "--paced-seconds", "1", "--out", out.toString());

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
        assertThat(json.get("step_large_b256_of_ceiling").asDouble()).isPositive();
        assertThat(json.get("step_large_b256_over_torch").isNull()).isTrue();
        assertThat(json.get("torch_reason").asText()).contains("--skip-torch");
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
}
