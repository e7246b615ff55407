package io.seqstream.engine.metric;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Numenta's anomaly likelihood (nupic's {@code anomaly_likelihood.py}, as NAB's HTM detector runs it) over any raw
 * anomaly score in [0, 1], for one key: how unusual the mean of the last {@value #AVERAGING_WINDOW} raw scores is
 * against the distribution of such means over the key's longer history.
 *
 * <p>The first {@code learning} events give 0.5 and never enter the distribution; the distribution is first
 * estimated {@code estimation} events later (until then 0.5 too) and re-estimated every {@value #REESTIMATION}
 * events, as a normal distribution over the moving averages of at most the {@value #HISTORY_BLOCKS} most recent
 * periods of {@value #REESTIMATION} events (nupic keeps 8,640 scores; this keeps whole periods, 8,600, as per-period
 * sums, so the history costs a few kilobytes instead of every score). As in nupic the mean is at least 0.03 and the
 * variance at least 0.0003, and a key whose metric values hardly vary (variance below 1.5e-5) keeps the null
 * distribution (mean 0.5, standard deviation 1,000), so a flat series never alarms. The likelihood is one minus
 * the two-sided tail probability of the current moving average, except that a tail below 1e-5 right after another
 * counts as 1e-3 (nupic's filter, which keeps one red alert from repeating).
 *
 * <p>Mutable, one per key, not thread-safe; {@link #write} and {@link #read} carry it through the state store.
 */
public final class AnomalyLikelihood {
    /** Raw scores averaged before comparing. */
    public static final int AVERAGING_WINDOW = 10;
    /** Events between re-estimations; also the granularity of the history. */
    public static final int REESTIMATION = 100;
    /** Periods of history the distribution is estimated over. */
    public static final int HISTORY_BLOCKS = 86;
    static final double MIN_MEAN = 0.03;
    static final double MIN_VARIANCE = 0.0003;
    static final double FLAT_VARIANCE = 1.5e-5;
    static final double RED = 1e-5;
    static final double YELLOW = 1e-3;
    static final double NULL_MEAN = 0.5;
    static final double NULL_STD = 1e3;
    // per period: events, sum and sum of squares of the moving averages, of the (shifted) metric values
    private static final int FIELDS = 5;

    private final int learning;
    private final int probation;
    private long iteration;
    private final double[] raws = new double[AVERAGING_WINDOW];
    private int rawCount;
    private final double[] averages = new double[AVERAGING_WINDOW];
    private final double[] tails = new double[AVERAGING_WINDOW];
    private int averageCount;
    private boolean estimated;
    private double mean = NULL_MEAN;
    private double std = NULL_STD;
    private double shift = Double.NaN;
    private double[] blocks = new double[0];

    /**
     * @param learning events before any enters the distribution (NAB: half its probationary period)
     * @param estimation events after those before the first estimate
     */
    public AnomalyLikelihood(int learning, int estimation) {
        if (learning < 0 || estimation < 1 || learning + estimation > HISTORY_BLOCKS * REESTIMATION) {
            throw new IllegalArgumentException("Need learning >= 0, estimation >= 1 and their sum at most "
                    + HISTORY_BLOCKS * REESTIMATION + ", not " + learning + " and " + estimation);
        }
        this.learning = learning;
        this.probation = learning + estimation;
    }

    /** NAB's detector's setting for a probationary period of {@code probation} events: half learning. */
    public static AnomalyLikelihood forProbation(int probation) {
        return new AnomalyLikelihood(probation / 2, probation - probation / 2);
    }

    /** Adds one event, its metric value and raw score, and returns its likelihood in [0, 1]. */
    public double update(double value, double raw) {
        double average = pushRaw(raw);
        double likelihood = 0.5;
        double tail = Double.NaN;
        if (iteration >= probation) {
            if (!estimated || iteration % REESTIMATION == 0) {
                estimate();
            }
            tail = tail(average);
            boolean repeated = tail <= RED && averageCount > 0 && tails[averageCount - 1] <= RED;
            likelihood = 1.0 - (repeated ? YELLOW : tail);
        }
        pushAverage(average, tail);
        record(value, average);
        iteration++;
        return likelihood;
    }

    /** Events seen. */
    public long events() {
        return iteration;
    }

    /** Events after which likelihoods are no longer 0.5. */
    public int probation() {
        return probation;
    }

    /** The current distribution's mean and standard deviation (the null distribution before the first estimate). */
    public double[] distribution() {
        return new double[] {mean, std};
    }

    private double pushRaw(double raw) {
        if (rawCount == AVERAGING_WINDOW) {
            System.arraycopy(raws, 1, raws, 0, AVERAGING_WINDOW - 1);
            rawCount--;
        }
        raws[rawCount++] = raw;
        double total = 0;
        for (int i = 0; i < rawCount; i++) {
            total += raws[i];
        }
        return total / rawCount;
    }

    private void pushAverage(double average, double tail) {
        if (averageCount == AVERAGING_WINDOW) {
            System.arraycopy(averages, 1, averages, 0, AVERAGING_WINDOW - 1);
            System.arraycopy(tails, 1, tails, 0, AVERAGING_WINDOW - 1);
            averageCount--;
        }
        averages[averageCount] = average;
        tails[averageCount] = tail;
        averageCount++;
    }

    /** Adds an event from the learning period on to the current period, opening one on period boundaries. */
    private void record(double value, double average) {
        if (iteration < learning) {
            return;
        }
        if (Double.isNaN(shift)) {
            shift = value;
        }
        if (blocks.length == 0 || iteration % REESTIMATION == 0) {
            blocks = blocks.length / FIELDS > HISTORY_BLOCKS
                    ? Arrays.copyOfRange(blocks, FIELDS, blocks.length + FIELDS)
                    : Arrays.copyOf(blocks, blocks.length + FIELDS);
        }
        int at = blocks.length - FIELDS;
        double v = value - shift;
        blocks[at] += 1;
        blocks[at + 1] += average;
        blocks[at + 2] += average * average;
        blocks[at + 3] += v;
        blocks[at + 4] += v * v;
    }

    /** Fits the distribution to the most recent periods and re-scores the remembered averages under it. */
    private void estimate() {
        double n = 0;
        double sum = 0;
        double squares = 0;
        double valueSum = 0;
        double valueSquares = 0;
        for (int at = Math.max(0, blocks.length - HISTORY_BLOCKS * FIELDS); at < blocks.length; at += FIELDS) {
            n += blocks[at];
            sum += blocks[at + 1];
            squares += blocks[at + 2];
            valueSum += blocks[at + 3];
            valueSquares += blocks[at + 4];
        }
        mean = NULL_MEAN;
        std = NULL_STD;
        if (n > 0) {
            double m = sum / n;
            double variance = Math.max(0, squares / n - m * m);
            double valueMean = valueSum / n;
            double valueVariance = Math.max(0, valueSquares / n - valueMean * valueMean);
            if (!(valueVariance < FLAT_VARIANCE)) { // NaN from overflowing squares: not flat either
                mean = Math.max(MIN_MEAN, m);
                std = Math.sqrt(Math.max(MIN_VARIANCE, variance));
            }
        }
        for (int i = 0; i < averageCount; i++) {
            tails[i] = tail(averages[i]);
        }
        estimated = true;
    }

    private double tail(double x) {
        double above = x < mean ? 2 * mean - x : x;
        return 0.5 * Erfc.erfc((above - mean) / std / 1.4142); // nupic divides by 1.4142, not sqrt(2)
    }

    /** Writes the state (see {@link #read}). */
    public void write(ByteBuffer buf) {
        buf.putInt(learning).putInt(probation).putLong(iteration);
        buf.put((byte) rawCount);
        for (int i = 0; i < rawCount; i++) {
            buf.putDouble(raws[i]);
        }
        buf.put((byte) averageCount);
        for (int i = 0; i < averageCount; i++) {
            buf.putDouble(averages[i]).putDouble(tails[i]);
        }
        buf.put((byte) (estimated ? 1 : 0)).putDouble(mean).putDouble(std).putDouble(shift);
        buf.putShort((short) (blocks.length / FIELDS));
        for (double b : blocks) {
            buf.putDouble(b);
        }
    }

    /** Bytes {@link #write} takes. */
    public int size() {
        return 4 + 4 + 8 + 1 + 8 * rawCount + 1 + 16 * averageCount + 1 + 24 + 2 + 8 * blocks.length;
    }

    /** Reads what {@link #write} wrote. */
    public static AnomalyLikelihood read(ByteBuffer buf) {
        int learning = buf.getInt();
        int probation = buf.getInt();
        AnomalyLikelihood a = new AnomalyLikelihood(learning, probation - learning);
        a.iteration = buf.getLong();
        a.rawCount = checked(buf.get() & 0xFF, AVERAGING_WINDOW, "raw scores");
        for (int i = 0; i < a.rawCount; i++) {
            a.raws[i] = buf.getDouble();
        }
        a.averageCount = checked(buf.get() & 0xFF, AVERAGING_WINDOW, "averages");
        for (int i = 0; i < a.averageCount; i++) {
            a.averages[i] = buf.getDouble();
            a.tails[i] = buf.getDouble();
        }
        a.estimated = buf.get() != 0;
        a.mean = buf.getDouble();
        a.std = buf.getDouble();
        a.shift = buf.getDouble();
        a.blocks = new double[checked(buf.getShort(), HISTORY_BLOCKS + 1, "periods") * FIELDS];
        for (int i = 0; i < a.blocks.length; i++) {
            a.blocks[i] = buf.getDouble();
        }
        return a;
    }

    private static int checked(int count, int max, String what) {
        if (count < 0 || count > max) {
            throw new IllegalArgumentException("Corrupt anomaly likelihood: " + count + " " + what);
        }
        return count;
    }
}
