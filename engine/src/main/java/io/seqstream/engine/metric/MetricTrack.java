package io.seqstream.engine.metric;

import io.seqstream.model.RangeQuantizer;
import java.nio.ByteBuffer;

/**
 * What a numeric model keeps per key beside the LSTM's state: the key's value range (its quantizer) and the
 * {@link AnomalyLikelihood} of its raw scores. {@link #observe} turns a value into its bin token and tells whether
 * the value broke out of the range seen so far by more than {@value #SPATIAL_TOLERANCE} of its width (NAB's HTM
 * detector's spatial anomaly); {@link #calibrate} turns the event's raw score (one minus the probability the model
 * gave the value's bin) into the calibrated score: 1 for a break-out, else the anomaly likelihood.
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

    private final RangeQuantizer range;
    private final AnomalyLikelihood likelihood;

    public MetricTrack(int bins, int probation) {
        this(new RangeQuantizer(bins), AnomalyLikelihood.forProbation(probation));
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
            double tolerance = (max - min) * SPATIAL_TOLERANCE;
            beyond = value > max + tolerance || value < min - tolerance;
        }
        return new Observation(value, range.next(value), beyond);
    }

    /** The calibrated score of an observed value whose bin the model gave {@code probability}. */
    public double calibrate(Observation observation, double probability) {
        double lik = likelihood.update(observation.value(), Math.max(0, Math.min(1, 1 - probability)));
        return observation.beyondRange() ? 1.0 : lik;
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
        likelihood.write(buf);
    }

    public int size() {
        return 2 + 16 + likelihood.size();
    }

    public static MetricTrack read(ByteBuffer buf) {
        int bins = buf.getShort();
        double min = buf.getDouble();
        double max = buf.getDouble();
        return new MetricTrack(new RangeQuantizer(bins, min, max), AnomalyLikelihood.read(buf));
    }
}
