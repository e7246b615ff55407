package io.seqstream.engine.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NearestWindowTest {
    /** Feeds values with the range so far, as MetricTrack does, and returns the last distance. */
    private static double feed(NearestWindow track, double... values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            track.update(v, min, max);
        }
        return track.lastDistance();
    }

    @Test
    void shouldScoreTheRmsDistanceToTheNearestEarlierStretchOverTheRangesWidth() {
        NearestWindow track = new NearestWindow(2, 4, 10);
        // latest [0, 9]; earlier stretches [0, 10], [10, 5], [5, 5]: squared distances 1, 116, 41; width 10
        assertThat(feed(track, 0, 10, 5, 5, 0, 9)).isCloseTo(NearestWindow.SCALE * Math.sqrt(1 / 2.0) / 10,
                within(1e-12));
    }

    @Test
    void shouldSearchOnlyTheHistory() {
        double[] values = {100, 40, 60, 45, 55, 41, 59}; // width 60; latest [41, 59]
        // a history of 4 reaches [40, 60], RMS 1; one of 2 only [45, 55], RMS 4
        assertThat(feed(new NearestWindow(2, 4, 10), values)).isCloseTo(NearestWindow.SCALE * 1 / 60, within(1e-12));
        assertThat(feed(new NearestWindow(2, 2, 10), values)).isCloseTo(NearestWindow.SCALE * 4 / 60, within(1e-12));
    }

    @Test
    void shouldCapTheScoreAtOne() {
        // latest [0, 10] against [5, 5] only: RMS 5, half the width, times 4
        assertThat(feed(new NearestWindow(2, 2, 10), 0, 10, 5, 5, 0, 10)).isEqualTo(1.0);
    }

    @Test
    void shouldScoreZeroUntilTwoWindowsHavePassedAndOnAFlatRange() {
        NearestWindow track = new NearestWindow(3, 10, 10);
        assertThat(feed(track, 0, 9, 4, 7, 1)).isZero(); // 5 values, fewer than two windows
        assertThat(feed(new NearestWindow(2, 4, 10), 3, 3, 3, 3, 3)).isZero();
    }

    @Test
    void shouldScoreARepeatedPatternZeroAndABreakInItAboveZero() {
        NearestWindow track = new NearestWindow(4, 40, 10);
        double[] values = new double[60];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 6; // a saw tooth 0..5
        }
        assertThat(feed(track, values)).isZero();
        values[59] = 2.5; // a value within the range, out of step
        assertThat(feed(new NearestWindow(4, 40, 10), values)).isGreaterThan(0.2);
    }

    @Test
    void shouldScoreTheRiseOfTheDistanceAboveTheLowestOfTheLastTwoWindows() {
        NearestWindow track = new NearestWindow(3, 30, 10);
        java.util.Random random = new java.util.Random(3);
        java.util.List<Double> distances = new java.util.ArrayList<>();
        int rising = 0;
        for (int i = 0; i < 400; i++) {
            double v = (i % 9) + (i % 50 < 5 ? random.nextGaussian() * 3 : 0); // a saw tooth with noisy spells
            track.update(v, -10, 20);
            distances.add(track.lastDistance());
            double floor = distances.subList(Math.max(0, i - NearestWindow.DEFAULT_FLOOR * 3), i + 1).stream()
                    .mapToDouble(Double::doubleValue).min().orElseThrow();
            assertThat(track.lastRaw()).as("value %d", i).isEqualTo(track.lastDistance() - floor);
            rising += track.lastRaw() > 0 ? 1 : 0;
        }
        assertThat(rising).as("the noisy spells rise above the floor").isPositive();
    }

    @Test
    void shouldScoreTheDistanceItselfWithAFloorOfZeroWindows() {
        NearestWindow track = new NearestWindow(3, 30, 0, 10);
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            track.update(random.nextGaussian(), -5, 5);
            assertThat(track.lastRaw()).isEqualTo(track.lastDistance());
        }
        assertThat(track.lastDistance()).isPositive();
    }

    @Test
    void shouldAlarmWhereASeriesTurnsNoisierAndFallBackOnceTheNoiseHasLasted() {
        NearestWindow track = new NearestWindow(4, 200, 10);
        java.util.Random random = new java.util.Random(13);
        double atTurn = 0;
        double later = 0;
        for (int i = 0; i < 600; i++) {
            double v = Math.sin(i / 3.0) + (i >= 400 ? random.nextGaussian() : 0);
            track.update(v, -5, 5);
            if (i >= 400 && i < 404) {
                atTurn = Math.max(atTurn, track.lastRaw());
            } else if (i >= 500) {
                later += track.lastRaw() / 100;
            }
        }
        // the distances stay high while the noise lasts; their rise above the floor does not
        assertThat(track.lastDistance()).isGreaterThan(0.1);
        assertThat(later).isLessThan(atTurn / 2);
    }

    @Test
    void shouldReturnTheLikelihoodOfItsRawScores() {
        NearestWindow track = new NearestWindow(5, 50, 20);
        AnomalyLikelihood twin = AnomalyLikelihood.forProbation(20);
        java.util.Random random = new java.util.Random(7);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 300; i++) {
            double v = Math.sin(i / 4.0) + 0.1 * random.nextGaussian();
            min = Math.min(min, v);
            max = Math.max(max, v);
            double got = track.update(v, min, max);
            assertThat(got).isEqualTo(twin.update(v, track.lastRaw()));
        }
    }

    @ParameterizedTest(name = "written after {0} values")
    @ValueSource(ints = {0, 4, 15, 137}) // empty; both rings partly filled; distances wrapped; both wrapped, mid-way
    void shouldContinueIdenticallyAfterAWriteAndARead(int before) {
        NearestWindow track = new NearestWindow(3, 20, 10);
        NearestWindow twin = new NearestWindow(3, 20, 10);
        java.util.Random random = new java.util.Random(11);
        double[] values = random.doubles(200, -5, 5).toArray();
        for (int i = 0; i < before; i++) {
            track.update(values[i], -5, 5);
            twin.update(values[i], -5, 5);
        }
        ByteBuffer buf = ByteBuffer.allocate(track.size());
        track.write(buf);
        assertThat(buf.remaining()).isZero();
        NearestWindow back = NearestWindow.read(buf.flip());
        for (int i = before; i < 200; i++) {
            assertThat(back.update(values[i], -5, 5)).isEqualTo(twin.update(values[i], -5, 5));
            assertThat(back.lastRaw()).isEqualTo(twin.lastRaw());
            assertThat(back.lastDistance()).isEqualTo(twin.lastDistance());
        }
    }

    @Test
    void shouldRefuseATrackClaimingMoreValuesThanItsBytesHold() {
        NearestWindow track = new NearestWindow(3, 20, 10);
        for (int i = 0; i < 10; i++) {
            track.update(i, 0, 9);
        }
        ByteBuffer buf = ByteBuffer.allocate(track.size());
        track.write(buf);
        // a history of a million and as many values seen: 8 MB of values claimed in a buffer of a few hundred bytes
        buf.putInt(4, 1_000_000).putLong(12, 1_000_000L).flip();

        assertThatThrownBy(() -> NearestWindow.read(buf)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Corrupt nearest-window track");
    }

    @ParameterizedTest(name = "floor of {0} windows")
    @ValueSource(ints = {0, 1, 3})
    void shouldKeepItsFloorThroughAWriteAndARead(int floor) {
        NearestWindow track = new NearestWindow(3, 20, floor, 10);
        NearestWindow twin = new NearestWindow(3, 20, floor, 10);
        java.util.Random random = new java.util.Random(17);
        double[] values = random.doubles(100, -5, 5).toArray();
        for (int i = 0; i < 40; i++) {
            track.update(values[i], -5, 5);
            twin.update(values[i], -5, 5);
        }
        ByteBuffer buf = ByteBuffer.allocate(track.size());
        track.write(buf);
        NearestWindow back = NearestWindow.read(buf.flip());
        assertThat(back.floor()).isEqualTo(floor);
        for (int i = 40; i < 100; i++) {
            assertThat(back.update(values[i], -5, 5)).isEqualTo(twin.update(values[i], -5, 5));
            assertThat(back.lastRaw()).isEqualTo(twin.lastRaw());
        }
    }

    @Test
    void shouldRefuseATrackClaimingAFloorOrAHistoryBeyondTheLimits() {
        NearestWindow track = new NearestWindow(3, 20, 10);
        ByteBuffer buf = ByteBuffer.allocate(track.size()); // nothing seen: no values, only settings and likelihood
        track.write(buf);
        buf.flip();
        ByteBuffer floor = ByteBuffer.allocate(buf.limit()).put(buf.duplicate()).putInt(8, 9).flip();
        ByteBuffer history = ByteBuffer.allocate(buf.limit()).put(buf.duplicate()).putInt(4, 1_000_000_000).flip();

        assertThatThrownBy(() -> NearestWindow.read(floor)).hasMessageContaining("floor 9");
        assertThatThrownBy(() -> NearestWindow.read(history)).hasMessageContaining("history 1000000000");
    }

    @Test
    void shouldSkipExactlyAWindowWrittenWithoutDistancesAndRefuseACorruptOne() {
        AnomalyLikelihood likelihood = AnomalyLikelihood.forProbation(10);
        ByteBuffer old = ByteBuffer.allocate(16 + 5 * Double.BYTES + likelihood.size() + 1);
        old.putInt(2).putInt(3).putLong(9); // window 2, history 3, 9 values seen: the last 5 kept
        for (int i = 4; i < 9; i++) {
            old.putDouble(i);
        }
        likelihood.write(old);
        old.put((byte) 42).flip();

        NearestWindow.skipWithoutDistances(old);

        assertThat(old.get()).as("the byte after the window").isEqualTo((byte) 42);
        old.rewind().putInt(4, 1_000_000).putLong(8, 1_000_000L); // a history of a million, as many values seen
        assertThatThrownBy(() -> NearestWindow.skipWithoutDistances(old.rewind()))
                .hasMessageContaining("Corrupt nearest-window track");
    }

    @Test
    void shouldRefuseAHistoryShorterThanTheWindow() {
        assertThatThrownBy(() -> new NearestWindow(8, 4, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a history from the window");
    }
}
