package io.seqstream.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Session-level decisions from one score per session (e.g. its worst event's surprisal): a session is anomalous
 * when its score is strictly above the threshold. Chooses a threshold from training sessions alone, and sweeps
 * thresholds to show recall and false-positive rate against them.
 */
public final class Thresholds {
    private Thresholds() {
    }

    /** One point of a sweep. */
    public record Point(double threshold, double recall, double fpr) {
    }

    /**
     * The q-quantile of the values by the nearest-rank rule: the smallest value v such that at least a share q of
     * the values are ≤ v. So at most a share 1 − q of them lie strictly above it: with {@code score > threshold},
     * at most that share of the training sessions would be flagged. q = 1 gives the maximum.
     */
    public static double quantile(double[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("No values to take a quantile of");
        }
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in (0, 1]: " + q);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length - 1e-9);
        return sorted[Math.max(1, rank) - 1];
    }

    /** Flags of {@code score > threshold}, one per session. */
    public static boolean[] flag(double[] scores, double threshold) {
        boolean[] flags = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            flags[i] = scores[i] > threshold;
        }
        return flags;
    }

    /** The confusion counts of {@code score > threshold}. */
    public static Confusion confusion(double[] normalScores, double[] abnormalScores, double threshold) {
        return Confusion.of(flag(normalScores, threshold), flag(abnormalScores, threshold));
    }

    /**
     * Recall and false-positive rate at {@code steps + 1} evenly spaced thresholds from 0 to the highest score of
     * either set (where nothing is flagged any more).
     */
    public static List<Point> sweep(double[] normalScores, double[] abnormalScores, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
        }
        double max = 0;
        for (double s : normalScores) {
            max = Math.max(max, s);
        }
        for (double s : abnormalScores) {
            max = Math.max(max, s);
        }
        List<Point> points = new ArrayList<>(steps + 1);
        for (int i = 0; i <= steps; i++) {
            double threshold = max * i / steps;
            Confusion c = confusion(normalScores, abnormalScores, threshold);
            points.add(new Point(threshold, c.recall(), c.fpr()));
        }
        return points;
    }
}
