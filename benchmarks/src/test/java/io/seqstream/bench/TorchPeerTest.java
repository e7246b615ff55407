package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TorchPeerTest {

    @Test
    void shouldReadThePeersResults() throws Exception {
        TorchPeer.Result result = TorchPeer.parse("{\"available\": true, \"torch\": \"1.13.0\", \"threads\": 2, "
                + "\"blas\": \"openblas\", \"blas_library\": \"/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\", "
                + "\"results\": {\"small\": {\"1\": 4598.5, \"256\": 63963.0}, \"large\": {\"256\": 6515.0}}}");

        assertThat(result.available()).isTrue();
        assertThat(result.blas()).isEqualTo("openblas");
        assertThat(result.eventsPerSecond("small", 1)).isEqualTo(4598.5);
        assertThat(result.eventsPerSecond("large", 256)).isEqualTo(6515.0);
        assertThat(result.eventsPerSecond("large", 1)).isNull();
    }

    @Test
    void shouldSayHowToInstallPyTorchWhenThePeerCannotImportIt() throws Exception {
        TorchPeer.Result result = TorchPeer.parse(
                "{\"available\": false, \"reason\": \"PyTorch cannot be imported: No module named 'torch'\"}");

        assertThat(result.available()).isFalse();
        assertThat(result.reason()).contains("No module named 'torch'", TorchPeer.INSTALL_HINT);
    }

    @Test
    void shouldReportAMissingPythonInsteadOfFailing() {
        StepBenchmark.Settings settings = new StepBenchmark.Settings(List.of(1), 10, Duration.ofMillis(1),
                Duration.ofMillis(1), 1, 1);

        TorchPeer.Result result = TorchPeer.run(Path.of("/nonexistent/python3"), BenchModel.ALL, settings,
                Duration.ofSeconds(5));

        assertThat(result.available()).isFalse();
        assertThat(result.reason()).contains("/nonexistent/python3", "apt-get install");
    }
}
