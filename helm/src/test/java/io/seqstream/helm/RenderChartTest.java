package io.seqstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code helm template} without a helm binary: renders the chart with the values file named by
 * {@code -Dhelm.values=FILE} (the defaults without it) into {@code target/rendered/seqstream.yaml}, and what
 * {@code helm install --dry-run} prints (status, computed values, NOTES) into {@code target/rendered/install.txt}.
 * The README's render command runs this test.
 */
class RenderChartTest {
    static final Path OUT = Path.of("target", "rendered");

    @Test
    void shouldRenderTheGivenValuesIntoTarget() throws Exception {
        String property = System.getProperty("helm.values", "");
        String values = property.isBlank() ? "" : Files.readString(Path.of(property));

        Chart.Rendered rendered = Chart.render(values);
        Files.createDirectories(OUT);
        Files.writeString(OUT.resolve("seqstream.yaml"), rendered.manifest());
        Files.writeString(OUT.resolve("install.txt"), Chart.installDryRun(values));

        assertThat(rendered.objects()).extracting(o -> o.path("kind").asText()).contains("StatefulSet", "ConfigMap");
        assertThat(Files.readString(OUT.resolve("install.txt"))).contains("NOTES:");
    }
}
