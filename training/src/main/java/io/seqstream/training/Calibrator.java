package io.seqstream.training;

import io.seqstream.model.ModelCalibration;
import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures a trained network's scores on its own training sequences and summarises them as a
 * {@link ModelCalibration}: the distribution of per-event surprisal, the worst sequence, and the bags (token
 * counts) of the training sequences with the share of them whose bag is their own (leave-one-out), and the bag
 * rule's threshold.
 *
 * <p>Every sequence is scored as the stream scores it: {@code <s>} first, then each token, then {@code <e>}
 * predicted, the surprisal of each being −ln of the network's probability of it. The network's recurrent state is
 * left untouched ({@code output()} on whole padded batches).
 */
public final class Calibrator {
    /** At most this many sequences are scored (the first ones); enough for stable quantiles, bounded in time. */
    public static final int MAX_SEQUENCES = 50_000;
    private static final int BATCH = 64;
    /**
     * The bag rule's threshold is this quantile (nearest rank) of the training sequences' worst-event surprisal.
     * A quantile over every training sequence, not the maximum over the few whose bag is unique in training: that
     * maximum is taken over ~15 sequences on HDFS and moved from 6.2 to 8.7 nats between two training seeds, while
     * this quantile moved from 6.0 to 5.8.
     */
    static final double BAG_THRESHOLD_QUANTILE = 0.99;

    private Calibrator() {
    }

    /** The calibration of {@code network} on {@code sequences} (token lists, without {@code <s>} and {@code <e>}). */
    public static ModelCalibration calibrate(MultiLayerNetwork network, Vocabulary vocabulary,
                                             List<List<String>> sequences) {
        List<List<String>> scored = sequences.size() > MAX_SEQUENCES ? sequences.subList(0, MAX_SEQUENCES) : sequences;
        SequenceBatches data = SequenceBatches.ofTokens(vocabulary, scored, BATCH, DataType.FLOAT);
        int n = data.size();
        double[] worst = new double[n];
        String[] bags = new String[n];
        double[] events = new double[(int) data.tokens()];
        int eventCount = 0;
        for (int[] members : data.plan()) {
            SequenceBatch batch = data.batch(members);
            INDArray out = network.output(batch.features(), false, batch.featuresMask(), batch.labelsMask());
            int v = (int) out.size(1);
            int t = (int) out.size(2);
            float[] p = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
            int[][] targets = batch.targets();
            for (int b = 0; b < targets.length; b++) {
                int base = b * v * t;
                double max = 0;
                for (int s = 0; s < targets[b].length; s++) {
                    double surprisal = surprisal(p[base + targets[b][s] * t + s]);
                    events[eventCount++] = surprisal;
                    max = Math.max(max, surprisal);
                }
                worst[members[b]] = max;
                bags[members[b]] = bagOf(targets[b]);
            }
        }
        return summarise(Arrays.copyOf(events, eventCount), worst, bags);
    }

    /** −ln p in nats, as {@code TokenScore} computes it. */
    static double surprisal(float probability) {
        return -Math.log(Math.max((double) probability, Double.MIN_NORMAL));
    }

    /** The bag of a sequence's targets ({@code <e>} excluded), or null above {@link ModelCalibration#MAX_BAG_TOKENS}. */
    static String bagOf(int[] targets) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int id : targets) {
            if (id != Vocabulary.END_ID) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        return counts.size() > ModelCalibration.MAX_BAG_TOKENS ? null : ModelCalibration.bag(counts);
    }

    /**
     * The calibration of scored sequences: {@code events} every per-event surprisal, {@code worst} and
     * {@code bags} per sequence (a null bag was too large to keep and counts as unique). The bag threshold is the
     * {@value #BAG_THRESHOLD_QUANTILE} quantile of {@code worst}.
     */
    static ModelCalibration summarise(double[] events, double[] worst, String[] bags) {
        if (events.length == 0 || worst.length == 0) {
            throw new IllegalArgumentException("Nothing to calibrate on: no scored sequences");
        }
        double[] sorted = events.clone();
        Arrays.sort(sorted);
        double[] quantiles = new double[ModelCalibration.QUANTILES];
        for (int i = 0; i < quantiles.length; i++) {
            double position = (sorted.length - 1) * (i / (double) (quantiles.length - 1));
            int lo = (int) Math.floor(position);
            int hi = Math.min(lo + 1, sorted.length - 1);
            quantiles[i] = sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
        }
        Map<String, Integer> bagCounts = new HashMap<>();
        for (String bag : bags) {
            if (bag != null) {
                bagCounts.merge(bag, 1, Integer::sum);
            }
        }
        double sessionMax = 0;
        int unique = 0;
        for (int i = 0; i < worst.length; i++) {
            sessionMax = Math.max(sessionMax, worst[i]);
            if (bags[i] == null || bagCounts.get(bags[i]) == 1) {
                unique++;
            }
        }
        double uniqueShare = unique / (double) worst.length;
        List<String> kept = uniqueShare <= ModelCalibration.BAG_RULE_MAX_UNIQUE_SHARE
                ? new ArrayList<>(bagCounts.keySet()) : List.of();
        double[] sortedWorst = worst.clone();
        Arrays.sort(sortedWorst);
        double bagThreshold = sortedWorst[(int) Math.round(BAG_THRESHOLD_QUANTILE * (sortedWorst.length - 1))];
        return new ModelCalibration(quantiles, sessionMax, bagThreshold, uniqueShare, kept, worst.length);
    }
}
