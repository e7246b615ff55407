package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyStateTest {

    @Test
    void shouldFitOnlyTheModelVersionAndShapeThatMadeIt() {
        KeyState lstm = KeyState.start("m@1", 2, 8, true, 0, 0L);

        assertThat(lstm.fits("m@1", 2, 8, true)).isTrue();
        assertThat(lstm.fits("m@2", 2, 8, true)).as("another version").isFalse();
        assertThat(lstm.fits("m@1", 1, 8, true)).as("another depth").isFalse();
        assertThat(lstm.fits("m@1", 2, 16, true)).as("another width").isFalse();
        assertThat(lstm.fits("m@1", 2, 8, false)).as("a simple RNN has no cells").isFalse();
        assertThat(KeyState.start("m@1", 2, 8, false, 0, 0L).fits("m@1", 2, 8, false)).isTrue();
    }
}
