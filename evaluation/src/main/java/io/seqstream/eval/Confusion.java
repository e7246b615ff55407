package io.seqstream.eval;

/**
 * Session-level confusion counts (anomalous is the positive class) and the metrics DeepLog reports from them.
 * Where a ratio has a zero denominator (nothing flagged, no positives, no negatives) it is 0, never NaN.
 *
 * @param tp anomalous sessions flagged
 * @param fp normal sessions flagged
 * @param fn anomalous sessions not flagged
 * @param tn normal sessions not flagged
 */
public record Confusion(long tp, long fp, long fn, long tn) {
    /** Abnormal sessions in the full HDFS test set (Du et al., DeepLog, CCS 2017). */
    public static final long HDFS_ABNORMAL = 16_838;
    /** Normal sessions in the full HDFS test set. */
    public static final long HDFS_NORMAL = 553_366;

    public Confusion {
        if (tp < 0 || fp < 0 || fn < 0 || tn < 0) {
            throw new IllegalArgumentException("Counts must not be negative");
        }
    }

    /** The counts of one detector's decisions: per normal session and per anomalous session, flagged or not. */
    public static Confusion of(boolean[] normalFlagged, boolean[] abnormalFlagged) {
        long fp = count(normalFlagged);
        long tp = count(abnormalFlagged);
        return new Confusion(tp, fp, abnormalFlagged.length - tp, normalFlagged.length - fp);
    }

    private static long count(boolean[] flags) {
        long n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        return n;
    }

    public long abnormal() {
        return tp + fn;
    }

    public long normal() {
        return fp + tn;
    }

    /** TP / (TP + FP). */
    public double precision() {
        return ratio(tp, tp + fp);
    }

    /** TP / (TP + FN), the detection rate. */
    public double recall() {
        return ratio(tp, tp + fn);
    }

    /** FP / (FP + TN), the share of normal sessions flagged. */
    public double fpr() {
        return ratio(fp, fp + tn);
    }

    public double f1() {
        return f1(precision(), recall());
    }

    /**
     * F1 as it would be on a set with the given numbers of abnormal and normal sessions, assuming this detector's
     * measured recall and false-positive rate hold there: expected TP = recall × abnormal, FP = fpr × normal.
     */
    public double f1AtPrevalence(long abnormal, long normal) {
        double expectedTp = recall() * abnormal;
        double expectedFp = fpr() * normal;
        return f1(expectedTp + expectedFp == 0 ? 0 : expectedTp / (expectedTp + expectedFp), recall());
    }

    /** {@link #f1AtPrevalence} at the full HDFS test set's 16,838 abnormal : 553,366 normal sessions. */
    public double f1AtHdfsPrevalence() {
        return f1AtPrevalence(HDFS_ABNORMAL, HDFS_NORMAL);
    }

    private static double f1(double precision, double recall) {
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? 0 : numerator / denominator;
    }
}
