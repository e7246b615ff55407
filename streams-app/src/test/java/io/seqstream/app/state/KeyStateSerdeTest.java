package io.seqstream.app.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.engine.KeyState;
import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.model.Vocabulary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class KeyStateSerdeTest {
    private final KeyStateSerde serde = new KeyStateSerde();

    private static KeyState lstmState() {
        return new KeyState("hdfs@3", new float[][] {{0.1f, -0.2f, 0.3f}, {1f, 2f, 3f}},
                new float[][] {{-1f, 0f, Float.MIN_VALUE}, {4f, 5f, -6.5f}}, 17, new int[] {4, 9, 17}, 8,
                42, 3, 12.5, 4.25, 1000L, 2000L, 3000L);
    }

    @Test
    void shouldRoundTripEveryFieldOfAnLstmStateWithItsHistory() {
        KeyState state = lstmState();

        byte[] bytes = serde.serialize("t", state);
        KeyState back = serde.deserialize("t", bytes);

        assertThat(bytes[0]).isEqualTo(KeyStateSerde.VERSION);
        assertThat(back.model()).isEqualTo("hdfs@3");
        assertThat(back.hidden()).isDeepEqualTo(state.hidden());
        assertThat(back.cell()).isDeepEqualTo(state.cell());
        assertThat(back.pendingToken()).isEqualTo(17);
        assertThat(back.history()).containsExactly(4, 9, 17);
        assertThat(back.tokens()).isEqualTo(42);
        assertThat(back.anomalies()).isEqualTo(3);
        assertThat(back.surprisalSum()).isEqualTo(12.5);
        assertThat(back.surprisalMax()).isEqualTo(4.25);
        assertThat(back.firstEventTime()).isEqualTo(1000L);
        assertThat(back.lastEventTime()).isEqualTo(2000L);
        assertThat(back.lastSeenAt()).isEqualTo(3000L);
    }

    @Test
    void shouldRoundTripTheLastTokensSurprisalAndTopK() {
        KeyState state = lstmState().withLastScore(2.75, new int[] {9, 4, 70_000});

        KeyState back = serde.deserialize("t", serde.serialize("t", state));

        assertThat(back.lastSurprisal()).isEqualTo(2.75);
        assertThat(back.lastTopTokens()).containsExactly(9, 4, 70_000);
        assertThat(back.history()).containsExactly(4, 9, 17);
    }

    @Test
    void shouldReadVersion3StatesWithoutTheLastScore() {
        byte[] v6 = serde.serialize("t", lstmState());
        // version 3 = version 6 without the trailing metric marker (1 byte), session flags and empty bag (2 bytes),
        // last surprisal (8 bytes) and empty top-k (1 byte)
        byte[] v3 = Arrays.copyOf(v6, v6.length - 12);
        v3[0] = KeyStateSerde.VERSION_HISTORY;

        KeyState back = serde.deserialize("t", v3);

        assertThat(back.history()).containsExactly(4, 9, 17);
        assertThat(back.tokens()).isEqualTo(42);
        assertThat(back.lastSurprisal()).isZero();
        assertThat(back.lastTopTokens()).isEmpty();
    }

    @Test
    void shouldRoundTripWhatTheSessionRuleNeeds() {
        KeyState state = KeyState.start("m@1", 1, 2, true, 0, 0L, 4);
        for (int id : new int[] {5, 5, 22, Vocabulary.UNK_ID, 5, Vocabulary.END_ID}) {
            state.recordScore(1.0, false, id, 0L, 0L);
        }

        KeyState back = serde.deserialize("t", serde.serialize("t", state));

        assertThat(back.sawUnknown()).isTrue();
        assertThat(back.bagLost()).isFalse();
        assertThat(back.bag()).isEqualTo("2:1 5:3 22:1");
        assertThat(back.bagIds()).containsExactly(2, 5, 22);
        assertThat(back.bagCounts()).containsExactly(1, 3, 1);
    }

    @Test
    void shouldReadVersion4StatesAsSequencesWithoutAKnownBag() {
        KeyState state = lstmState().withLastScore(2.75, new int[] {9, 4});
        byte[] v6 = serde.serialize("t", state);
        // version 4 = version 6 without the trailing session flags, empty bag and metric marker (3 bytes)
        byte[] v4 = Arrays.copyOf(v6, v6.length - 3);
        v4[0] = KeyStateSerde.VERSION_LAST_SCORE;

        KeyState back = serde.deserialize("t", v4);

        assertThat(back.lastTopTokens()).containsExactly(9, 4);
        assertThat(back.bagLost()).isTrue();
        assertThat(back.bag()).isNull();
        assertThat(back.sawUnknown()).isFalse();
    }

    @Test
    void shouldReadVersion5StatesAsStatesWithoutAMetricTrack() {
        KeyState state = lstmState().withSession(true, new int[] {3}, new int[] {2}, false);
        byte[] v6 = serde.serialize("t", state);
        byte[] v5 = Arrays.copyOf(v6, v6.length - 1);
        v5[0] = KeyStateSerde.VERSION_SESSION;

        KeyState back = serde.deserialize("t", v5);

        assertThat(back.bag()).isEqualTo("3:2");
        assertThat(back.metric()).isNull();
    }

    @Test
    void shouldRoundTripANumericKeysMetricTrackMidEstimation() {
        // a nearest window of 8 over 50 values: 450 values wrap its ring many times
        MetricTrack track = new MetricTrack(32, 200, 8, 50);
        MetricTrack twin = new MetricTrack(32, 200, 8, 50);
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 450; i++) {
            double value = Math.sin(i / 7.0) * 10 + random.nextGaussian();
            double p = random.nextDouble();
            // a distribution over the 32 bins that leans towards the high ones by p
            track.calibrate(track.observe(value), b -> (1 + p * b) / (32 + p * 496));
            twin.calibrate(twin.observe(value), b -> (1 + p * b) / (32 + p * 496));
        }
        KeyState back = serde.deserialize("t", serde.serialize("t", lstmState().withMetric(track)));

        MetricTrack restored = back.metric();
        assertThat(restored.events()).isEqualTo(450);
        assertThat(restored.min()).isEqualTo(track.min());
        assertThat(restored.max()).isEqualTo(track.max());
        for (int i = 0; i < 300; i++) {
            double value = Math.sin(i / 3.0) * 12;
            double p = random.nextDouble();
            assertThat(restored.calibrate(restored.observe(value), b -> (1 + p * b) / (32 + p * 496)))
                    .isEqualTo(twin.calibrate(twin.observe(value), b -> (1 + p * b) / (32 + p * 496)));
            assertThat(restored.lastRaw()).isEqualTo(twin.lastRaw());
            assertThat(restored.lastShapeRaw()).isEqualTo(twin.lastShapeRaw());
        }
    }

    @Test
    void shouldReadVersion6MetricTracksKeepingRangeAndTransitionsWithAFreshLikelihood() {
        MetricTrack twin = new MetricTrack(16, 20);
        byte[] v8 = serializedWithATrackLike(twin);
        byte[] v6 = Arrays.copyOf(v8, v8.length - 1); // a version 6 track ends before the nearest-window marker
        v6[0] = KeyStateSerde.VERSION_METRIC;

        assertLegacyTrackRestarted(serde.deserialize("t", v6).metric(), twin);
    }

    @Test
    void shouldReadVersion7MetricTracksSkippingTheirNearestWindow() {
        MetricTrack twin = new MetricTrack(16, 20);
        byte[] v8 = serializedWithATrackLike(twin);
        // a version 7 window: window 4, history 8, 20 values seen, the last 12 of them, and its likelihood
        io.seqstream.engine.metric.AnomalyLikelihood likelihood =
                io.seqstream.engine.metric.AnomalyLikelihood.forProbation(20);
        for (int i = 0; i < 20; i++) {
            likelihood.update(i, 0.1);
        }
        ByteBuffer window = ByteBuffer.allocate(16 + 12 * Double.BYTES + likelihood.size());
        window.putInt(4).putInt(8).putLong(20);
        for (int i = 8; i < 20; i++) {
            window.putDouble(i % 7);
        }
        likelihood.write(window);
        byte[] v7 = Arrays.copyOf(v8, v8.length + window.capacity());
        v7[0] = KeyStateSerde.VERSION_WINDOW;
        v7[v8.length - 1] = 1; // the nearest-window marker
        System.arraycopy(window.array(), 0, v7, v8.length, window.capacity());

        assertLegacyTrackRestarted(serde.deserialize("t", v7).metric(), twin);
    }

    /** A state with a metric track that has seen what {@code twin} is fed here, 60 values, as this build writes it. */
    private byte[] serializedWithATrackLike(MetricTrack twin) {
        MetricTrack track = new MetricTrack(16, 20);
        for (int i = 0; i < 60; i++) {
            track.calibrate(track.observe(i % 7), b -> 1.0 / 16);
            twin.calibrate(twin.observe(i % 7), b -> 1.0 / 16);
        }
        return serde.serialize("t", lstmState().withMetric(track));
    }

    /**
     * An older format's track keeps its range and transitions (its raw scores go on as the twin's) and restarts
     * its likelihood: 0.5 through a fresh probation of the same length, where the twin's has passed it.
     */
    private static void assertLegacyTrackRestarted(MetricTrack back, MetricTrack twin) {
        assertThat(back.shape()).containsExactly(0, 0, 0);
        assertThat(back.events()).isZero();
        assertThat(back.min()).isEqualTo(twin.min());
        assertThat(back.max()).isEqualTo(twin.max());
        assertThat(back.transitionsSeen()).isEqualTo(twin.transitionsSeen());
        boolean twinLearned = false;
        for (int i = 0; i < 20; i++) {
            double got = back.calibrate(back.observe(i % 5), b -> 1.0 / 16);
            twinLearned |= twin.calibrate(twin.observe(i % 5), b -> 1.0 / 16) != 0.5;
            assertThat(back.lastRaw()).isEqualTo(twin.lastRaw());
            assertThat(got).as("event %d after the upgrade", i).isEqualTo(0.5);
        }
        assertThat(twinLearned).isTrue();
    }

    @Test
    void shouldRefuseUnknownSessionFlags() {
        byte[] bytes = serde.serialize("t", lstmState());
        bytes[bytes.length - 3] = 4;

        assertThatThrownBy(() -> serde.deserialize("t", bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("session flags 0x4");
    }

    @Test
    void shouldRoundTripASimpleRnnStateWithoutCells() {
        KeyState state = KeyState.start("m@1", 2, 4, false, 0, 5L);
        state.hidden()[1][3] = 0.75f;

        KeyState back = serde.deserialize("t", serde.serialize("t", state));

        assertThat(back.cell()).hasDimensions(2, 0);
        assertThat(back.hidden()[1][3]).isEqualTo(0.75f);
        assertThat(back.history()).isEmpty();
    }

    @Test
    void shouldStoreSmallTokenIdsInTwoBytesAndLargeOnesInFour() {
        KeyState small = KeyState.start("m@1", 1, 2, true, 0, 0L, 4);
        KeyState large = KeyState.start("m@1", 1, 2, true, 0, 0L, 4);
        for (int id : new int[] {3, 65_535, 7, 9}) {
            small.recordScore(0, false, id, 0L, 0L);
            large.recordScore(0, false, id == 7 ? 70_000 : id, 0L, 0L);
        }

        byte[] smallBytes = serde.serialize("t", small);
        byte[] largeBytes = serde.serialize("t", large);

        assertThat(smallBytes[1] & KeyStateSerde.FLAG_SHORT_HISTORY).isNotZero();
        assertThat(largeBytes[1] & KeyStateSerde.FLAG_SHORT_HISTORY).isZero();
        assertThat(largeBytes.length - smallBytes.length).as("4 history ids and 4 bag ids, 2 bytes more each")
                .isEqualTo(8 * 2);
        assertThat(serde.deserialize("t", smallBytes).history()).containsExactly(3, 65_535, 7, 9);
        assertThat(serde.deserialize("t", largeBytes).history()).containsExactly(3, 65_535, 70_000, 9);
    }

    @Test
    void shouldGiveStatesReadTheReadersHistoryCapacityKeepingTheNewestTokens() {
        byte[] bytes = serde.serialize("t", lstmState());

        KeyState shorter = new KeyStateSerde(false, 2).deserialize("t", bytes);
        KeyState none = new KeyStateSerde(false, 0).deserialize("t", bytes);

        assertThat(shorter.historyCapacity()).isEqualTo(2);
        assertThat(shorter.history()).containsExactly(9, 17);
        assertThat(none.history()).isEmpty();
        assertThat(none.pendingToken()).isEqualTo(17);
    }

    @Test
    void shouldReadVersionOneBytesWithAnEmptyHistory() {
        KeyState state = lstmState();
        byte[] legacy = legacyBytes(state, false);
        assertThat(legacy[0]).isEqualTo(KeyStateSerde.VERSION_FLOAT32);

        KeyState back = new KeyStateSerde(false, 5).deserialize("t", legacy);

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
        assertThat(back.history()).isEmpty();
        assertThat(back.historyCapacity()).as("it gathers history from now on").isEqualTo(5);
        back.recordScore(0, false, 21, 0L, 0L);
        assertThat(back.history()).containsExactly(21);
    }

    @Test
    void shouldReadVersionTwoFloat16BytesWithAnEmptyHistory() {
        KeyState state = lstmState();
        byte[] legacy = legacyBytes(state, true);
        assertThat(legacy[0]).isEqualTo(KeyStateSerde.VERSION_FLOAT16);

        KeyState back = serde.deserialize("t", legacy);

        assertThat(back.model()).isEqualTo("hdfs@3");
        assertThat(back.hidden()[1]).containsExactly(1f, 2f, 3f);
        assertThat(back.cell()[1]).containsExactly(4f, 5f, -6.5f);
        assertThat(back.hidden()[0][1]).isCloseTo(-0.2f, within(1e-3f));
        assertThat(back.pendingToken()).isEqualTo(17);
        assertThat(back.tokens()).isEqualTo(42);
        assertThat(back.lastSeenAt()).isEqualTo(3000L);
        assertThat(back.history()).isEmpty();
    }

    @Test
    void shouldRefuseUnknownVersionsAndFlags() {
        byte[] bytes = serde.serialize("t", KeyState.start("m@1", 1, 2, true, 0, 0L));

        byte[] unknownVersion = bytes.clone();
        unknownVersion[0] = 9;
        byte[] unknownFlag = bytes.clone();
        unknownFlag[1] |= 0x40;

        assertThatThrownBy(() -> serde.deserialize("t", unknownVersion)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> serde.deserialize("t", unknownFlag)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("flags");
    }

    @Test
    void shouldRefuseTruncatedOrOverlongBytes() {
        KeyState state = KeyState.start("m@1", 1, 8, true, 0, 0L);
        state.recordScore(0, false, 5, 0L, 0L);
        byte[] bytes = serde.serialize("t", state);

        assertThatThrownBy(() -> serde.deserialize("t", Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt");
        assertThatThrownBy(() -> serde.deserialize("t", Arrays.copyOf(bytes, bytes.length + 2)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
    }

    @Test
    void shouldStoreFloat16StateInHalfTheSpaceAndReadBothPrecisions() {
        KeyState state = KeyState.start("m@1", 2, 256, true, 0, 0L);
        Random random = new Random(3);
        for (float[] row : state.hidden()) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextFloat() * 2 - 1;
            }
        }
        state.recordScore(0, false, 11, 0L, 0L);
        KeyStateSerde compact = new KeyStateSerde(true);

        byte[] half = compact.serialize("t", state);
        byte[] full = serde.serialize("t", state);

        assertThat(half[0]).isEqualTo(KeyStateSerde.VERSION);
        assertThat(half[1] & KeyStateSerde.FLAG_FLOAT16).isNotZero();
        assertThat(full[1] & KeyStateSerde.FLAG_FLOAT16).isZero();
        assertThat(half.length).isLessThan(full.length / 2 + 100);
        KeyState back = serde.deserialize("t", half);
        for (int j = 0; j < 256; j++) {
            assertThat(back.hidden()[1][j]).isCloseTo(state.hidden()[1][j], within(1e-3f));
        }
        assertThat(back.history()).containsExactly(11);
        assertThat(compact.deserialize("t", full).hidden()).isDeepEqualTo(state.hidden());
    }

    @Test
    void shouldPassNullThrough() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    /** The bytes versions 1 (float32) and 2 (float16) wrote, before state had a history. */
    private static byte[] legacyBytes(KeyState state, boolean float16) {
        byte[] model = state.model().getBytes(StandardCharsets.UTF_8);
        int layers = state.layers();
        int hiddenSize = state.hidden()[0].length;
        int cellSize = state.cell()[0].length;
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + model.length + 4 + 8 * 2 + 8 * 2 + 8 * 3 + 2 + 4 + 4
                + (float16 ? 2 : 4) * layers * (hiddenSize + cellSize));
        buf.put(float16 ? (byte) 2 : (byte) 1);
        buf.putShort((short) model.length).put(model);
        buf.putInt(state.pendingToken());
        buf.putLong(state.tokens()).putLong(state.anomalies());
        buf.putDouble(state.surprisalSum()).putDouble(state.surprisalMax());
        buf.putLong(state.firstEventTime()).putLong(state.lastEventTime()).putLong(state.lastSeenAt());
        buf.putShort((short) layers).putInt(hiddenSize).putInt(cellSize);
        for (float[][] rows : new float[][][] {state.hidden(), state.cell()}) {
            for (float[] row : rows) {
                for (float v : row) {
                    if (float16) {
                        buf.putShort(Float16.fromFloat(v));
                    } else {
                        buf.putFloat(v);
                    }
                }
            }
        }
        return buf.array();
    }
}
