package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelRefTest {

    @Test
    void shouldParseNameAndOptionalVersion() {
        assertThat(ModelRef.parse("hdfs")).isEqualTo(new ModelRef("hdfs", Optional.empty()));
        assertThat(ModelRef.parse("hdfs@3")).isEqualTo(ModelRef.of("hdfs", "3"));
        assertThat(ModelRef.parse("hdfs@latest")).isEqualTo(ModelRef.latest("hdfs"));
        assertThat(ModelRef.parse("hdfs@3")).hasToString("hdfs@3");
    }

    @Test
    void shouldRefuseNamesThatCouldEscapeTheStore() {
        assertThatThrownBy(() -> ModelRef.parse("../etc")).hasMessageContaining("Invalid model name");
        assertThatThrownBy(() -> ModelRef.parse("a/b@1")).hasMessageContaining("Invalid model name");
    }
}
