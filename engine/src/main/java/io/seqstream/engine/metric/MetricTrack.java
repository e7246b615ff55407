package io.seqstream.engine.metric;

import io.seqstream.model.RangeQuantizer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * What a numeric model keeps per key beside the LSTM's state: the key's value range (its quantizer), how often each
 * bin followed each other bin in the key's history, and the {@link AnomalyLikelihood} of its raw scores.
 * {@link #observe} turns a value into its bin token and tells whether the value broke out of the range seen so far
 * by more than {@value #SPATIAL_TOLERANCE} of its width (NAB's HTM detector's spatial anomaly). {@link #calibrate}
 * scores the event: each bin's probability is the model's, used as a prior of weight {@code w} against the key's own
 * transitions, {@code q(bin) = (n(previous → bin) + w · p_model(bin)) / (n(previous) + w)}; the raw score is the
 * probability of the bins more likely than the observed one, {@code Σ q(b) over q(b) > q(observed)} (0 for the most
 * likely bin, near 1 for a transition the key has never made: the p-value of the observation, as a top-g rule ranks
 * tokens, rather than one minus its probability, which stays high on every noisy series). Beside those transitions,
 * which see one step back, a {@link NearestWindow} (when the track has one) scores how unlike the key's recent past
 * its latest stretch of values is, with a likelihood of its own. The calibrated score is 1 for a break-out, else the
 * anomaly likelihood of the transitions' raw scores or, when higher, that of the nearest window's.
 *
 * <p>Mutable, one per key; not thread-safe.
 */
public final class MetricTrack {
    /** A value beyond the range by more than this share of its width is a spatial anomaly. */
    public static final double SPATIAL_TOLERANCE = 0.05;

    /** One observed value. */
    public record Observation(double value, int bin, boolean beyondRange) {
        public String token() {
            return RangeQuantizer.token(bin);
        }
    }

    /** The default weight of the model's probability against the key's own transition counts. */
    public static final double DEFAULT_PRIOR_WEIGHT = 0.05;
    /** The default {@link NearestWindow} stretch, in values. */
    public static final int DEFAULT_WINDOW = 16;
    /** The default {@link NearestWindow} history, in values. */
    public static final int DEFAULT_HISTORY = 1000;

    private final RangeQuantizer range;
    private final AnomalyLikelihood likelihood;
    /** Null when the track scores transitions only. */
    private NearestWindow shape;
    private int previousBin = -1;
    // transitions previous * bins + bin, ascending, and how often each was seen
    private int[] transitions = new int[0];
    private int[] counts = new int[0];
    // not stored: for inspection
    private double lastProbability = Double.NaN;
    private double lastRaw = Double.NaN;
    /** Scratch: each bin's probability after the previous bin. Not stored. */
    private double[] scratch;

    /** Transitions only, no {@link NearestWindow}. */
    public MetricTrack(int bins, int probation) {
        this(new RangeQuantizer(bins), AnomalyLikelihood.forProbation(probation));
    }

    /**
     * With a {@link NearestWindow} of {@code window} values over a history of {@code history} values and a floor of
     * {@value NearestWindow#DEFAULT_FLOOR} windows; a window of 0 means none.
     */
    public MetricTrack(int bins, int probation, int window, int history) {
        this(bins, probation);
        withShape(window, history, NearestWindow.DEFAULT_FLOOR);
    }

    private MetricTrack(RangeQuantizer range, AnomalyLikelihood likelihood) {
        this.range = range;
        this.likelihood = likelihood;
    }

    /** Widens the range to the value and returns its bin, noting whether it broke out of the range before. */
    public Observation observe(double value) {
        double min = range.min();
        double max = range.max();
        boolean beyond = false;
        if (!Double.isNaN(min) && max > min) {
            // in halves, so that a range wider than Double.MAX_VALUE does not overflow
            double halfTolerance = (max / 2 - min / 2) * SPATIAL_TOLERANCE;
            beyond = value / 2 > max / 2 + halfTolerance || value / 2 < min / 2 - halfTolerance;
        }
        return new Observation(value, range.next(value), beyond);
    }

    /**
     * The calibrated score of an observed value, given the model's probability of each bin ({@code binProbability},
     * bin → probability) and the weight of the model against the key's own transitions, in events: above 0 (so a
     * bin never seen after the previous one has a probability), large for the model alone.
     */
    public double calibrate(Observation observation, IntToDoubleFunction binProbability, double priorWeight) {
        if (!(priorWeight > 0)) {
            throw new IllegalArgumentException("The model's prior weight must be above 0, not " + priorWeight);
        }
        int bins = range.bins();
        if (scratch == null) {
            scratch = new double[bins];
        }
        double[] q = scratch;
        for (int b = 0; b < bins; b++) {
            q[b] = priorWeight * binProbability.applyAsDouble(b);
        }
        double total = priorWeight;
        if (previousBin >= 0) {
            int from = previousBin * bins;
            for (int i = lowerBound(from); i < transitions.length && transitions[i] < from + bins; i++) {
                q[transitions[i] - from] += counts[i];
                total += counts[i];
            }
            count(from + observation.bin());
        }
        double observed = q[observation.bin()];
        double moreLikely = 0;
        for (int b = 0; b < bins; b++) {
            if (q[b] > observed) {
                moreLikely += q[b];
            }
        }
        previousBin = observation.bin();
        lastProbability = observed / total;
        lastRaw = Math.max(0, Math.min(1, moreLikely / total));
        double lik = likelihood.update(observation.value(), lastRaw);
        if (shape != null) {
            // a likelihood is never below 0.5 (the one in probation), so a window started after the transitions'
            // likelihood (a new setting, an older state) leaves the score to it until the window's probation ends
            lik = Math.max(lik, shape.update(observation.value(), range.min(), range.max()));
        }
        return observation.beyondRange() ? 1.0 : lik;
    }

    /** {@link #calibrate(Observation, IntToDoubleFunction, double)} with {@value #DEFAULT_PRIOR_WEIGHT}. */
    public double calibrate(Observation observation, IntToDoubleFunction binProbability) {
        return calibrate(observation, binProbability, DEFAULT_PRIOR_WEIGHT);
    }

    /**
     * Starts a fresh {@link NearestWindow} of {@code window} values over {@code history} with a floor of {@code floor}
     * windows (none for a window of 0) unless the track has one of that shape already; the range, transitions and
     * their likelihood stay.
     */
    public MetricTrack withShape(int window, int history, int floor) {
        if (window == 0) {
            shape = null;
        } else if (shape == null || shape.window() != window || shape.history() != history
                || shape.floor() != floor) {
            shape = new NearestWindow(window, history, floor, likelihood.probation());
        }
        return this;
    }

    /** The nearest window's settings, {@code [window, history, floor]}, or {@code [0, 0, 0]} without one. */
    public int[] shape() {
        return shape == null ? new int[] {0, 0, 0} : new int[] {shape.window(), shape.history(), shape.floor()};
    }

    /** The nearest window's raw score of the last calibrated event, NaN without one. */
    public double lastShapeRaw() {
        return shape == null ? Double.NaN : shape.lastRaw();
    }

    /** Where {@code transition} is, or would be inserted, in the ascending {@link #transitions}. */
    private int lowerBound(int transition) {
        int at = Arrays.binarySearch(transitions, transition);
        return at >= 0 ? at : -at - 1;
    }

    private void count(int transition) {
        int at = lowerBound(transition);
        if (at < transitions.length && transitions[at] == transition) {
            if (counts[at] == Integer.MAX_VALUE) {
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = Math.max(1, counts[i] / 2);
                }
            }
            counts[at]++;
            return;
        }
        int[] t = new int[transitions.length + 1];
        int[] c = new int[counts.length + 1];
        System.arraycopy(transitions, 0, t, 0, at);
        System.arraycopy(counts, 0, c, 0, at);
        t[at] = transition;
        c[at] = 1;
        System.arraycopy(transitions, at, t, at + 1, transitions.length - at);
        System.arraycopy(counts, at, c, at + 1, counts.length - at);
        transitions = t;
        counts = c;
    }

    /** The probability of the last calibrated event's bin after weighing the model against the key's history. */
    public double lastProbability() {
        return lastProbability;
    }

    /** The transitions' raw score of the last calibrated event: the probability of the bins more likely than its. */
    public double lastRaw() {
        return lastRaw;
    }

    /** Distinct transitions between bins seen. */
    public int transitionsSeen() {
        return transitions.length;
    }

    public int bins() {
        return range.bins();
    }

    public double min() {
        return range.min();
    }

    public double max() {
        return range.max();
    }

    /** Events observed and calibrated. */
    public long events() {
        return likelihood.events();
    }

    public void write(ByteBuffer buf) {
        buf.putShort((short) range.bins()).putDouble(range.min()).putDouble(range.max());
        buf.putInt(previousBin).putInt(transitions.length);
        for (int i = 0; i < transitions.length; i++) {
            buf.putInt(transitions[i]).putInt(counts[i]);
        }
        likelihood.write(buf);
        buf.put((byte) (shape == null ? 0 : 1));
        if (shape != null) {
            shape.write(buf);
        }
    }

    public int size() {
        return 2 + 16 + 8 + 8 * transitions.length + likelihood.size() + 1 + (shape == null ? 0 : shape.size());
    }

    /** Reads what {@link #write} wrote. */
    public static MetricTrack read(ByteBuffer buf) {
        MetricTrack track = readTransitions(buf, false);
        int present = windowMarker(buf);
        if (present == 1) {
            track.shape = NearestWindow.read(buf);
        }
        return track;
    }

    /**
     * Reads a track an older build wrote (key state formats 6 and 7; format 7 followed it with a nearest window):
     * its range and transitions. Those builds scored transitions by one minus their probability and windows by
     * their distance alone, so the likelihoods learned from those raw scores cannot go on: the track gets a fresh
     * likelihood (its probation starts again) and no window (the next value starts a fresh one).
     */
    public static MetricTrack readLegacy(ByteBuffer buf, boolean withWindow) {
        MetricTrack track = readTransitions(buf, true);
        if (withWindow && windowMarker(buf) == 1) {
            NearestWindow.skipWithoutDistances(buf);
        }
        return track;
    }

    private static int windowMarker(ByteBuffer buf) {
        int present = buf.get();
        if (present != 0 && present != 1) {
            throw new IllegalArgumentException("Corrupt metric track: nearest-window marker " + present);
        }
        return present;
    }

    /** The range, transitions and likelihood, or a fresh likelihood of the same probation if {@code fresh}. */
    private static MetricTrack readTransitions(ByteBuffer buf, boolean fresh) {
        int bins = buf.getShort();
        double min = buf.getDouble();
        double max = buf.getDouble();
        int previous = buf.getInt();
        int n = buf.getInt();
        if (bins < 2 || previous < -1 || previous >= bins || n < 0 || n > bins * bins
                || n > buf.remaining() / (2 * Integer.BYTES)) {
            throw new IllegalArgumentException("Corrupt metric track: " + bins + " bins, previous " + previous + ", "
                    + n + " transitions");
        }
        int[] transitions = new int[n];
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            transitions[i] = buf.getInt();
            counts[i] = buf.getInt();
        }
        AnomalyLikelihood likelihood = AnomalyLikelihood.read(buf);
        if (fresh) {
            likelihood = AnomalyLikelihood.forProbation(likelihood.probation());
        }
        MetricTrack track = new MetricTrack(new RangeQuantizer(bins, min, max), likelihood);
        track.previousBin = previous;
        track.transitions = transitions;
        track.counts = counts;
        return track;
    }
}
