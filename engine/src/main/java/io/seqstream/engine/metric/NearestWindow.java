package io.seqstream.engine.metric;

import java.nio.ByteBuffer;

/**
 * How unlike its own recent past a key's latest stretch of values is, and how suddenly it became so. The distance
 * of a stretch is the root-mean-square distance of the last {@code window} values from the nearest earlier stretch of
 * the same length among the key's last {@code history} values (stretches that end at least {@code window} values
 * back, so never overlapping the latest), relative to the width of the key's range, times {@value #SCALE} and capped
 * at 1. The raw score is how far that distance rises above the lowest of it and the distances of the
 * {@code floor × window} values before ({@value #DEFAULT_FLOOR} windows by default; with a floor of 0 the raw score
 * is the distance itself): a shape the series has shown within its history, at the same level, scores near 0; a
 * shape it has not shown, a level it has not held, a pattern that stops, score up to 1 as they begin, and fall back
 * once they have lasted {@code floor} windows (a series that turns noisier for good alarms at the turn, not for as
 * long as the noise lasts). Its raw scores get their own {@link AnomalyLikelihood}.
 *
 * <p>The nearest stretch is the left matrix profile of the series (Yeh et al., 2016) over raw values, not
 * z-normalized: on metric series the level matters. A bounded history keeps the scores stationary (with all of
 * a long series behind it the nearest distance only shrinks) and the state bounded: {@code window + history}
 * values and {@code floor × window} distances. Costs at most {@code window × history} subtractions per event, fewer
 * with early abandoning.
 *
 * <p>Mutable, one per key, not thread-safe; {@link #write} and {@link #read} carry it through the state store.
 */
public final class NearestWindow {
    /** Distances are multiplied by this (a tenth of the range apart scores 0.4) before capping at 1. */
    public static final double SCALE = 4;
    /** By default the raw score is a distance's rise above the lowest of it and the distances of this many windows. */
    public static final int DEFAULT_FLOOR = 2;
    /** The longest window, in values. */
    public static final int MAX_WINDOW = 1024;
    /** The longest history, in values: 160 KB of state per key, far below Kafka's 1 MB record limit. */
    public static final int MAX_HISTORY = 20_000;
    /** The highest floor, in windows. */
    public static final int MAX_FLOOR = 8;

    private final int window;
    private final int history;
    /** The last {@code window + history} values, value number {@code i} at {@code i % values.length}. */
    private final double[] values;
    private long seen;
    private final int floor;
    /** The distances of the last {@code floor × window} values, value number {@code i}'s at {@code i % length}. */
    private final double[] distances;
    private final AnomalyLikelihood likelihood;
    /** Scratch: the latest stretch, scaled by the range's width. Not stored. */
    private final double[] latest;
    private double lastRaw = Double.NaN;
    private double lastDistance = Double.NaN;

    /**
     * @param window values in a stretch, at least 1
     * @param history values back the earlier stretches may start, at least {@code window}
     * @param floor windows of distances the raw score rises above the lowest of (0: the distance itself)
     * @param probation events before the likelihood departs from 0.5
     */
    public NearestWindow(int window, int history, int floor, int probation) {
        this(window, history, floor, AnomalyLikelihood.forProbation(probation));
    }

    /** With a floor of {@value #DEFAULT_FLOOR} windows. */
    public NearestWindow(int window, int history, int probation) {
        this(window, history, DEFAULT_FLOOR, probation);
    }

    private NearestWindow(int window, int history, int floor, AnomalyLikelihood likelihood) {
        if (!valid(window, history, floor)) {
            throw new IllegalArgumentException("Need a window of 1 to " + MAX_WINDOW + " values, a history from the"
                    + " window to " + MAX_HISTORY + " values and a floor of 0 to " + MAX_FLOOR + " windows, not "
                    + window + ", " + history + " and " + floor);
        }
        this.window = window;
        this.history = history;
        this.floor = floor;
        this.values = new double[window + history];
        this.distances = new double[floor * window];
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
        double lowest = distances.length == 0 ? 0 : lastDistance;
        for (long i = Math.max(0, seen - distances.length); i < seen; i++) {
            lowest = Math.min(lowest, distances[(int) (i % distances.length)]);
        }
        if (distances.length > 0) {
            distances[(int) (seen % distances.length)] = lastDistance;
        }
        seen++;
        lastRaw = lastDistance - lowest;
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

    public int floor() {
        return floor;
    }

    private static boolean valid(int window, int history, int floor) {
        return window >= 1 && window <= MAX_WINDOW && history >= window && history <= MAX_HISTORY && floor >= 0
                && floor <= MAX_FLOOR;
    }

    /** Writes the window (see {@link #read}): settings, values seen, the kept values and distances, likelihood. */
    public void write(ByteBuffer buf) {
        buf.putInt(window).putInt(history).putInt(floor).putLong(seen);
        for (long i = seen - stored(values); i < seen; i++) {
            buf.putDouble(values[(int) (i % values.length)]);
        }
        for (long i = seen - stored(distances); i < seen; i++) {
            buf.putDouble(distances[(int) (i % distances.length)]);
        }
        likelihood.write(buf);
    }

    public int size() {
        return 20 + Double.BYTES * (stored(values) + stored(distances)) + likelihood.size();
    }

    /** Entries a ring holds: one per value seen, up to its capacity. */
    private int stored(double[] ring) {
        return (int) Math.min(seen, ring.length);
    }

    /** Reads what {@link #write} wrote. */
    public static NearestWindow read(ByteBuffer buf) {
        int window = buf.getInt();
        int history = buf.getInt();
        int floor = buf.getInt();
        long seen = buf.getLong();
        if (!valid(window, history, floor) || seen < 0
                || Math.min(seen, (long) window + history) + Math.min(seen, (long) floor * window)
                        > buf.remaining() / Double.BYTES) {
            throw new IllegalArgumentException("Corrupt nearest-window track: window " + window + ", history "
                    + history + ", floor " + floor + ", " + seen + " values seen, " + buf.remaining() + " bytes left");
        }
        double[] values = readRing(buf, seen, window + history);
        double[] distances = readRing(buf, seen, floor * window);
        NearestWindow track = new NearestWindow(window, history, floor, AnomalyLikelihood.read(buf));
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
        if (!valid(window, history, 0) || seen < 0 || stored > buf.remaining() / Double.BYTES) {
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
