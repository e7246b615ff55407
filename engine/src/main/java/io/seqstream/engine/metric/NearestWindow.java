package io.seqstream.engine.metric;

import java.nio.ByteBuffer;

/**
 * How unlike its own recent past a key's latest stretch of values is, and how suddenly it became so. The distance
 * of a stretch is the root-mean-square distance of the last {@code window} values from the nearest earlier stretch of
 * the same length among the key's last {@code history} values (stretches that end at least {@code window} values
 * back, so never overlapping the latest), relative to the width of the key's range, times {@value #SCALE} and capped
 * at 1. The raw score is how far that distance rises above the lowest distance of the last {@value #FLOOR_SPAN}
 * {@code × window} values: a shape the series has shown within its history, at the same level, scores near 0; a
 * shape it has not shown, a level it has not held, a pattern that stops, score up to 1 as they begin, and fall back
 * once they have lasted {@value #FLOOR_SPAN} windows (a series that turns noisier for good alarms at the turn, not
 * for as long as the noise lasts). Its raw scores get their own {@link AnomalyLikelihood}.
 *
 * <p>The nearest stretch is the left matrix profile of the series (Yeh et al., 2016) over raw values, not
 * z-normalized: on metric series the level matters. A bounded history keeps the scores stationary (with all of
 * a long series behind it the nearest distance only shrinks) and the state bounded: {@code window + history}
 * values and {@value #FLOOR_SPAN} {@code × window} distances. Costs at most {@code window × history} subtractions
 * per event, fewer with early abandoning.
 *
 * <p>Mutable, one per key, not thread-safe; {@link #write} and {@link #read} carry it through the state store.
 */
public final class NearestWindow {
    /** Distances are multiplied by this (a tenth of the range apart scores 0.4) before capping at 1. */
    public static final double SCALE = 4;
    /** The raw score is a distance's rise above the lowest of the distances of this many windows' values. */
    public static final int FLOOR_SPAN = 2;

    private final int window;
    private final int history;
    /** The last {@code window + history} values, value number {@code i} at {@code i % values.length}. */
    private final double[] values;
    private long seen;
    /** The distances of the last {@code FLOOR_SPAN × window} values, value number {@code i}'s at {@code i % length}. */
    private final double[] distances;
    private final AnomalyLikelihood likelihood;
    /** Scratch: the latest stretch, scaled by the range's width. Not stored. */
    private final double[] latest;
    private double lastRaw = Double.NaN;
    private double lastDistance = Double.NaN;

    /**
     * @param window values in a stretch, at least 1
     * @param history values back the earlier stretches may start, at least {@code window}
     * @param probation events before the likelihood departs from 0.5
     */
    public NearestWindow(int window, int history, int probation) {
        this(window, history, AnomalyLikelihood.forProbation(probation));
    }

    private NearestWindow(int window, int history, AnomalyLikelihood likelihood) {
        if (window < 1 || history < window) {
            throw new IllegalArgumentException("Need a window of at least 1 value and a history at least as long,"
                    + " not " + window + " and " + history);
        }
        this.window = window;
        this.history = history;
        this.values = new double[window + history];
        this.distances = new double[FLOOR_SPAN * window];
        this.latest = new double[window];
        this.likelihood = likelihood;
    }

    /**
     * Adds a value, given the key's range including it, and returns the likelihood of the raw scores so far
     * ({@link #lastRaw()} is this value's).
     */
    public double update(double value, double min, double max) {
        values[(int) (seen % values.length)] = value;
        lastDistance = distance(min, max, seen + 1);
        double floor = lastDistance;
        for (long i = Math.max(0, seen - distances.length); i < seen; i++) {
            floor = Math.min(floor, distances[(int) (i % distances.length)]);
        }
        distances[(int) (seen % distances.length)] = lastDistance;
        seen++;
        lastRaw = lastDistance - floor;
        return likelihood.update(value, lastRaw);
    }

    /** The scaled distance of the stretch ending with value number {@code end - 1} from its nearest earlier one. */
    private double distance(double min, double max, long end) {
        // values over the width, as halves over a half width: a range wider than Double.MAX_VALUE does not overflow
        double perWidth = 0.5 / (max / 2 - min / 2);
        if (end < 2L * window || !(perWidth > 0 && perWidth < Double.POSITIVE_INFINITY)) {
            return 0; // a flat range (or one too narrow to divide by)
        }
        int n = values.length;
        for (int k = 0; k < window; k++) {
            latest[k] = values[(int) ((end - window + k) % n)] * perWidth;
        }
        long first = Math.max(window, end - history); // earliest end of an earlier stretch
        double best = Double.POSITIVE_INFINITY;
        for (long e = first; e <= end - window; e++) {
            double sum = 0;
            int at = (int) ((e - window) % n);
            for (int k = 0; k < window && sum < best; k++) {
                double d = latest[k] - values[at] * perWidth;
                sum += d * d;
                at = at + 1 == n ? 0 : at + 1;
            }
            best = Math.min(best, sum);
        }
        return Math.min(1, SCALE * Math.sqrt(best / window));
    }

    /** The raw score of the last value: 0 to 1. */
    public double lastRaw() {
        return lastRaw;
    }

    /** The distance of the last value's stretch from its nearest earlier one (before the floor): 0 to 1. */
    public double lastDistance() {
        return lastDistance;
    }

    public int window() {
        return window;
    }

    public int history() {
        return history;
    }

    /** Writes the window (see {@link #read}): settings, values seen, the kept values and distances, likelihood. */
    public void write(ByteBuffer buf) {
        buf.putInt(window).putInt(history).putLong(seen);
        for (long i = seen - stored(values); i < seen; i++) {
            buf.putDouble(values[(int) (i % values.length)]);
        }
        for (long i = seen - stored(distances); i < seen; i++) {
            buf.putDouble(distances[(int) (i % distances.length)]);
        }
        likelihood.write(buf);
    }

    public int size() {
        return 16 + Double.BYTES * (stored(values) + stored(distances)) + likelihood.size();
    }

    /** Entries a ring holds: one per value seen, up to its capacity. */
    private int stored(double[] ring) {
        return (int) Math.min(seen, ring.length);
    }

    /** Reads what {@link #write} wrote. */
    public static NearestWindow read(ByteBuffer buf) {
        int window = buf.getInt();
        int history = buf.getInt();
        long seen = buf.getLong();
        if (window < 1 || history < window || seen < 0
                || Math.min(seen, (long) window + history) + Math.min(seen, (long) FLOOR_SPAN * window)
                        > buf.remaining() / Double.BYTES) {
            throw new IllegalArgumentException("Corrupt nearest-window track: window " + window + ", history "
                    + history + ", " + seen + " values seen, " + buf.remaining() + " bytes left");
        }
        double[] values = readRing(buf, seen, window + history);
        double[] distances = readRing(buf, seen, FLOOR_SPAN * window);
        NearestWindow track = new NearestWindow(window, history, AnomalyLikelihood.read(buf));
        track.seen = seen;
        place(values, seen, track.values);
        place(distances, seen, track.distances);
        return track;
    }

    /**
     * Reads past a window written before windows kept their distances (key state format 7): its raw scores meant
     * another thing, so its likelihood cannot go on, and a fresh window takes its place.
     */
    public static void skipWithoutDistances(ByteBuffer buf) {
        int window = buf.getInt();
        int history = buf.getInt();
        long seen = buf.getLong();
        long stored = Math.min(seen, (long) window + history);
        if (window < 1 || history < window || seen < 0 || stored > buf.remaining() / Double.BYTES) {
            throw new IllegalArgumentException("Corrupt nearest-window track: window " + window + ", history "
                    + history + ", " + seen + " values seen, " + buf.remaining() + " bytes left");
        }
        buf.position(buf.position() + (int) stored * Double.BYTES);
        AnomalyLikelihood.read(buf);
    }

    /** The last {@code min(seen, capacity)} entries of a ring of {@code capacity}, oldest first. */
    private static double[] readRing(ByteBuffer buf, long seen, int capacity) {
        double[] kept = new double[(int) Math.min(seen, capacity)];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = buf.getDouble();
        }
        return kept;
    }

    /** Puts the last entries of {@code seen}, oldest first, where a ring of {@code ring.length} keeps them. */
    private static void place(double[] kept, long seen, double[] ring) {
        for (int i = 0; i < kept.length; i++) {
            ring[(int) ((seen - kept.length + i) % ring.length)] = kept[i];
        }
    }
}
