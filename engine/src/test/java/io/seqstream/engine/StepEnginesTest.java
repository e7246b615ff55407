package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class StepEnginesTest {

    @AfterAll
    static void restoreDefault() {
        StepEngines.blasThreads(0);
    }

    @Test
    void shouldSetTheThreadsOfOpenBlasCalls() {
        assertThat(StepEngines.blasThreads(1)).isEqualTo(1);
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);

        assertThat(StepEngines.blasThreads(0)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void shouldRefuseANegativeThreadCount() {
        assertThatThrownBy(() -> StepEngines.blasThreads(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one per core");
    }
}
