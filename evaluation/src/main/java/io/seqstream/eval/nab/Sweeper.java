package io.seqstream.eval.nab;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A line-by-line port of NAB's {@code nab/sweeper.py} (numenta/NAB ea702d7): the per-record scaled-sigmoid reward,
 * the probationary period and the sweep over every threshold. Kept literal, down to the order of floating-point
 * sums, so that scores match NAB's to the last digits.
 *
 * <p>For one file, {@link #sweep} gives every record its would-be reward were it a detection: inside a window
 * {@code tpWeight * S(p) / S(-1)} with {@code p = -(right - i + 1) / width} running from -1 at the window's first
 * record towards 0 at its last; outside a window {@code fpWeight * S(d)}, negative, with {@code d} the distance past
 * the previous window's end in units of that window's width less one ({@code -fpWeight} before any window);
 * {@code S(x) = 2 / (1 + e^(5x)) - 1}, and {@code -1} once {@code x > 3}. {@link #scoresByThreshold} then lowers the
 * threshold through every distinct anomaly score of the (possibly pooled) records: a window counts the best
 * (earliest) detection in it once, else {@code -fnWeight}; every false positive adds its (negative) reward;
 * records in the probationary period count for nothing.
 */
public final class Sweeper {
    /** NAB's default probationary period: the first 15% of each file, at most 750 records. */
    public static final double PROBATIONARY_PERCENT = 0.15;
    private static final String PROBATIONARY = "probationary";

    /** One record with its anomaly score, its reward were it a detection, and its window (null outside any). */
    public record AnomalyPoint(LocalDateTime timestamp, double anomalyScore, double sweepScore, String windowName,
                               boolean probationary) {
    }

    /** The score and counts when every record whose anomaly score is at least {@code threshold} is a detection. */
    public record ThresholdScore(double threshold, double score, int tp, int tn, int fp, int fn, int total) {
    }

    private final double probationPercent;
    private final CostMatrix costs;

    public Sweeper(double probationPercent, CostMatrix costs) {
        if (probationPercent < 0 || probationPercent >= 1) {
            throw new IllegalArgumentException("probationPercent must be in [0, 1)");
        }
        this.probationPercent = probationPercent;
        this.costs = costs;
    }

    public Sweeper(CostMatrix costs) {
        this(PROBATIONARY_PERCENT, costs);
    }

    /** NAB's scaled sigmoid: 2*sigmoid(-5x) - 1, and -1 beyond x = 3. */
    public static double scaledSigmoid(double relativePositionInWindow) {
        if (relativePositionInWindow > 3.0) {
            return -1.0;
        }
        return 2 * sigmoid(-5 * relativePositionInWindow) - 1.0;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** The number of leading records ignored: min(floor(percent * rows), percent * 5000). */
    public double probationaryLength(int rows) {
        return probationaryLength(probationPercent, rows);
    }

    /** NAB's probationary period of a file of {@code rows} records: min(floor(percent * rows), percent * 5000). */
    public static double probationaryLength(double percent, int rows) {
        return Math.min(Math.floor(percent * rows), percent * 5000);
    }

    /** NAB's {@code calcSweepScore}: every record of one file with its reward and window. */
    public List<AnomalyPoint> sweep(List<LocalDateTime> timestamps, double[] anomalyScores, List<Window> windows,
                                    String dataSetName) {
        if (timestamps.size() != anomalyScores.length) {
            throw new IllegalArgumentException(dataSetName + ": " + timestamps.size() + " timestamps but "
                    + anomalyScores.length + " anomaly scores");
        }
        List<Window> pending = new ArrayList<>(windows);
        List<AnomalyPoint> points = new ArrayList<>(timestamps.size());
        double maxTp = scaledSigmoid(-1.0);
        double probationaryLength = probationaryLength(timestamps.size());

        Window current = null;
        String currentName = null;
        double currentWidth = 0;
        int currentRight = -1;
        double prevWidth = 0;
        Integer prevRight = null;

        for (int i = 0; i < timestamps.size(); i++) {
            LocalDateTime t = timestamps.get(i);
            double anomaly = anomalyScores[i];
            if (Double.isNaN(anomaly)) {
                throw new IllegalArgumentException(dataSetName + ": anomaly score of record " + i + " is NaN");
            }
            if (!pending.isEmpty() && t.equals(pending.get(0).start())) {
                current = pending.remove(0);
                currentName = dataSetName + "|" + current.start();
                currentRight = timestamps.indexOf(current.end());
                currentWidth = (double) (currentRight - timestamps.indexOf(current.start()) + 1);
            }
            double weighted;
            if (current != null) {
                double position = -(currentRight - i + 1) / currentWidth;
                weighted = scaledSigmoid(position) * costs.tpWeight() / maxTp;
            } else {
                double unweighted;
                if (prevRight == null) {
                    unweighted = -1.0;
                } else {
                    double positionPastWindow = Math.abs(prevRight - i) / (prevWidth - 1);
                    unweighted = scaledSigmoid(positionPastWindow);
                }
                weighted = unweighted * costs.fpWeight();
            }
            boolean probationary = !(i >= probationaryLength);
            points.add(new AnomalyPoint(t, anomaly, weighted, probationary ? PROBATIONARY : currentName, probationary));
            if (current != null && t.equals(current.end())) {
                prevRight = i;
                prevWidth = currentWidth;
                current = null;
                currentName = null;
                currentWidth = 0;
                currentRight = -1;
            }
        }
        return points;
    }

    /**
     * NAB's {@code calcScoreByThreshold}: the score at every distinct anomaly score of the records (pooled over any
     * number of files, whose window names must differ), highest threshold first, starting from 1.1 (no detections).
     */
    public List<ThresholdScore> scoresByThreshold(List<AnomalyPoint> points) {
        List<AnomalyPoint> scorable = new ArrayList<>(points.size());
        for (AnomalyPoint p : points) {
            if (!p.probationary()) {
                scorable.add(p);
            }
        }
        scorable.sort(Comparator.comparingDouble(AnomalyPoint::anomalyScore).reversed());

        // Insertion order as in NAB's dict: "fp" first, then windows as first met in score order.
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put(null, 0.0);
        for (AnomalyPoint p : scorable) {
            if (p.windowName() != null) {
                parts.put(p.windowName(), -costs.fnWeight());
            }
        }

        List<ThresholdScore> result = new ArrayList<>();
        double threshold = 1.1;
        int tn = 0;
        int fn = 0;
        for (AnomalyPoint p : scorable) {
            if (p.windowName() == null) {
                tn++;
            } else {
                fn++;
            }
        }
        int tp = 0;
        int fp = 0;
        for (AnomalyPoint p : scorable) {
            if (p.anomalyScore() != threshold) {
                result.add(new ThresholdScore(threshold, sum(parts), tp, tn, fp, fn, tp + tn + fp + fn));
                threshold = p.anomalyScore();
            }
            if (p.windowName() != null) {
                tp++;
                fn--;
                parts.put(p.windowName(), Math.max(parts.get(p.windowName()), p.sweepScore()));
            } else {
                fp++;
                tn--;
                parts.put(null, parts.get(null) + p.sweepScore());
            }
        }
        result.add(new ThresholdScore(threshold, sum(parts), tp, tn, fp, fn, tp + tn + fp + fn));
        return result;
    }

    private static double sum(Map<String, Double> parts) {
        double s = 0;
        for (double v : parts.values()) {
            s += v;
        }
        return s;
    }

    /**
     * NAB's {@code scoreDataSet} lookup: the row of {@code threshold}, else the row of the lowest threshold above it
     * (the same detections). Where every row lies above it (NAB would fail there) every record is a detection, the
     * last row.
     */
    public static ThresholdScore at(List<ThresholdScore> scoresByThreshold, double threshold) {
        ThresholdScore prev = null;
        for (ThresholdScore row : scoresByThreshold) {
            if (row.threshold() == threshold) {
                return row;
            } else if (row.threshold() < threshold) {
                if (prev == null) {
                    throw new IllegalArgumentException("threshold " + threshold + " is above 1.1");
                }
                return prev;
            }
            prev = row;
        }
        return scoresByThreshold.get(scoresByThreshold.size() - 1);
    }
}
