package io.seqstream.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table documents every setting with its real default. */
class ReadmeSettingsTest {

    @Test
    void shouldDocumentEverySettingWithItsDefaultInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        for (Setting setting : Setting.values()) {
            String defaultCell = setting.defaultValue().isEmpty() ? "(empty)" : "`" + setting.defaultValue() + "`";
            assertThat(readme).as("README row of %s", setting.key())
                    .contains("| `" + setting.key() + "` | " + defaultCell + " | " + setting.doc() + " |");
        }
    }
}
