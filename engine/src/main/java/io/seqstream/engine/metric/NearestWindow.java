package io.seqstream.engine.metric;

import java.nio.ByteBuffer;

/**
 * How unlike its own recent past a key's latest stretch of values is: the root-mean-square distance of the last
 * {@code window} values from the nearest earlier stretch of the same length among the key's last {@code history}
 * values (stretches that end at least {@code window} values back, so never overlapping the latest), relative to
 * the width of the key's range, times {@value #SCALE} and capped at 1. A series that repeats a shape it has shown
 * within its history, at the same level, scores near 0; a shape it has not shown, a level it has not held, a
 * pattern that stops, score up to 1. Its raw scores get their own {@link AnomalyLikelihood}.
 *
 * <p>The nearest stretch is the left matrix profile of the series (Yeh et al., 2016) over raw values, not
 * z-normalized: on metric series the level matters. A bounded history keeps the scores stationary (with all of
 * a long series behind it the nearest distance only shrinks) and the state bounded: {@code window + history}
 * values. Costs at most {@code window × history} subtractions per event, fewer with early abandoning.
 *
 * <p>Mutable, one per key, not thread-safe; {@link #write} and {@link #read} carry it through the state store.
 */
public final class NearestWindow {
    /** Distances are multiplied by this (a tenth of the range apart scores 0.4) before capping at 1. */
    public static final double SCALE = 4;

    private final int window;
    private final int history;
    /** The last {@code window + history} values, value number {@code i} at {@code i % values.length}. */
    private final double[] values;
    private long seen;
    private final AnomalyLikelihood likelihood;
    /** Scratch: the latest stretch, scaled by the range's width. Not stored. */
    private final double[] latest;
    private double lastRaw = Double.NaN;

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
        this.latest = new double[window];
        this.likelihood = likelihood;
    }

    /**
     * Adds a value, given the key's range including it, and returns the likelihood of the raw scores so far
     * ({@link #lastRaw()} is this value's).
     */
    public double update(double value, double min, double max) {
        values[(int) (seen % values.length)] = value;
        seen++;
        lastRaw = raw(min, max);
        return likelihood.update(value, lastRaw);
    }

    private double raw(double min, double max) {
        // values over the width, as halves over a half width: a range wider than Double.MAX_VALUE does not overflow
        double perWidth = 0.5 / (max / 2 - min / 2);
        if (seen < 2L * window || !(perWidth > 0 && perWidth < Double.POSITIVE_INFINITY)) {
            return 0; // a flat range (or one too narrow to divide by)
        }
        int n = values.length;
        long end = seen; // the latest stretch is values end - window .. end - 1
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

    public int window() {
        return window;
    }

    public int history() {
        return history;
    }

    public void write(ByteBuffer buf) {
        buf.putInt(window).putInt(history).putLong(seen);
        for (long i = seen - stored(); i < seen; i++) {
            buf.putDouble(values[(int) (i % values.length)]);
        }
        likelihood.write(buf);
    }

    public int size() {
        return 16 + Double.BYTES * stored() + likelihood.size();
    }

    /** Values the ring holds: all seen, up to its capacity. */
    private int stored() {
        return (int) Math.min(seen, values.length);
    }

    public static NearestWindow read(ByteBuffer buf) {
        int window = buf.getInt();
        int history = buf.getInt();
        long seen = buf.getLong();
        long stored = Math.min(seen, (long) window + history);
        if (window < 1 || history < window || seen < 0 || stored > buf.remaining() / Double.BYTES) {
            throw new IllegalArgumentException("Corrupt nearest-window track: window " + window + ", history "
                    + history + ", " + seen + " values seen, " + buf.remaining() + " bytes left");
        }
        double[] kept = new double[(int) stored];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = buf.getDouble();
        }
        NearestWindow track = new NearestWindow(window, history, AnomalyLikelihood.read(buf));
        track.seen = seen;
        for (int i = 0; i < kept.length; i++) {
            long index = seen - kept.length + i;
            track.values[(int) (index % track.values.length)] = kept[i];
        }
        return track;
    }
}
