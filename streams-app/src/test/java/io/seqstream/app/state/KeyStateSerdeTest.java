package io.seqstream.app.state;

import io.seqstream.engine.KeyState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class KeyStateSerdeTest {
    private final KeyStateSerde serde = new KeyStateSerde();

    @Test
    void shouldRoundTripEveryFieldOfAnLstmState() {
        KeyState state = new KeyState("hdfs@3", new float[][] {{0.1f, -0.2f, 0.3f}, {1f, 2f, 3f}},
                new float[][] {{-1f, 0f, Float.MIN_VALUE}, {4f, 5f, -6.5f}}, 17, 42, 3, 12.5, 4.25, 1000L, 2000L, 3000L);

        KeyState back = serde.deserialize("t", serde.serialize("t", state));

        assertThat(back.model()).isEqualTo("hdfs@3");
        assertThat(back.hidden()).isDeepEqualTo(state.hidden());
        assertThat(back.cell()).isDeepEqualTo(state.cell());
        assertThat(back.pendingToken()).isEqualTo(17);
        assertThat(back.tokens()).isEqualTo(42);
        assertThat(back.anomalies()).isEqualTo(3);
        assertThat(back.surprisalSum()).isEqualTo(12.5);
        assertThat(back.surprisalMax()).isEqualTo(4.25);
        assertThat(back.firstEventTime()).isEqualTo(1000L);
        assertThat(back.lastEventTime()).isEqualTo(2000L);
        assertThat(back.lastSeenAt()).isEqualTo(3000L);
    }

    @Test
    void shouldRoundTripASimpleRnnStateWithoutCells() {
        KeyState state = KeyState.start("m@1", 2, 4, false, 0, 5L);
        state.hidden()[1][3] = 0.75f;

        KeyState back = serde.deserialize("t", serde.serialize("t", state));

        assertThat(back.cell()).hasDimensions(2, 0);
        assertThat(back.hidden()[1][3]).isEqualTo(0.75f);
    }

    @Test
    void shouldStartWithAVersionByteAndRefuseUnknownVersions() {
        byte[] bytes = serde.serialize("t", KeyState.start("m@1", 1, 2, true, 0, 0L));
        assertThat(bytes[0]).isEqualTo(KeyStateSerde.VERSION);

        bytes[0] = 9;
        assertThatThrownBy(() -> serde.deserialize("t", bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void shouldRefuseTruncatedBytes() {
        byte[] bytes = serde.serialize("t", KeyState.start("m@1", 1, 8, true, 0, 0L));

        assertThatThrownBy(() -> serde.deserialize("t", java.util.Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt");
    }

    @Test
    void shouldStoreFloat16StateInHalfTheSpaceAndReadBothVersions() {
        KeyState state = KeyState.start("m@1", 2, 256, true, 0, 0L);
        java.util.Random random = new java.util.Random(3);
        for (float[] row : state.hidden()) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextFloat() * 2 - 1;
            }
        }
        KeyStateSerde compact = new KeyStateSerde(true);

        byte[] half = compact.serialize("t", state);
        byte[] full = serde.serialize("t", state);

        assertThat(half[0]).isEqualTo(KeyStateSerde.VERSION_FLOAT16);
        assertThat(half.length).isLessThan(full.length / 2 + 100);
        KeyState back = serde.deserialize("t", half);
        for (int j = 0; j < 256; j++) {
            assertThat(back.hidden()[1][j]).isCloseTo(state.hidden()[1][j], org.assertj.core.api.Assertions.within(1e-3f));
        }
        assertThat(compact.deserialize("t", full).hidden()).isDeepEqualTo(state.hidden());
    }

    @Test
    void shouldPassNullThrough() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }
}
