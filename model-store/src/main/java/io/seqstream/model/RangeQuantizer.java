package io.seqstream.model;

/**
 * How a {@link VocabularyKind#NUMERIC numeric} model turns one key's metric values into tokens: the range of the
 * key's values so far, this one included, cut into {@code bins} equal parts; a value becomes the token of its
 * part, {@code b0} (the lowest) to {@code b<bins-1>} (the highest, which also holds a new maximum). A key's first
 * value, and any value while all values are equal, is {@code b0}. Training and the stream quantize alike, so a
 * model learns the shapes of series whatever their units.
 *
 * <p>Mutable, one per key; not thread-safe.
 */
public final class RangeQuantizer {
    /**
     * The number a numeric model reads from text ({@link Double#parseDouble}'s reading), or NaN when the text is
     * not a finite number: the parser, the stream and training all read values by this rule.
     */
    public static double number(String text) {
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? value : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Text shortened to at most 40 characters for a message. */
    public static String shortened(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /** Token of a bin. */
    public static String token(int bin) {
        return "b" + bin;
    }

    private final int bins;
    private double min = Double.NaN;
    private double max = Double.NaN;

    public RangeQuantizer(int bins) {
        this(bins, Double.NaN, Double.NaN);
    }

    /** Resumes with a range seen before (NaN, NaN for none). */
    public RangeQuantizer(int bins, double min, double max) {
        if (bins < 2) {
            throw new IllegalArgumentException("A numeric vocabulary needs at least 2 bins, not " + bins);
        }
        this.bins = bins;
        this.min = min;
        this.max = max;
    }

    /** Widens the range to {@code value} and returns its bin. */
    public int next(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("Not a finite number: " + value);
        }
        if (Double.isNaN(min)) {
            min = value;
            max = value;
        }
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (max <= min) {
            return 0;
        }
        // halves, so that a range wider than Double.MAX_VALUE does not overflow
        double share = (value / 2 - min / 2) / (max / 2 - min / 2);
        return (int) Math.max(0, Math.min(bins - 1, Math.floor(share * bins)));
    }

    /** The bins' tokens of a whole series, quantized as the stream does it. */
    public static String[] tokens(double[] values, int bins) {
        RangeQuantizer q = new RangeQuantizer(bins);
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = token(q.next(values[i]));
        }
        return out;
    }

    public int bins() {
        return bins;
    }

    /** Lowest value seen, NaN before any. */
    public double min() {
        return min;
    }

    /** Highest value seen, NaN before any. */
    public double max() {
        return max;
    }
}
