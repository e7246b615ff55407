package io.seqstream.training;

import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-token language-model metrics over masked, padded batches: mean cross-entropy in nats per predicted token,
 * perplexity (its exponential) and top-k accuracy (the true next token among the k most probable). Padded steps
 * are never counted. Computed from {@code output(features, false, featuresMask, labelsMask)}, not from DL4J's
 * score, which averages per sequence rather than per token.
 */
public final class Evaluator {
    /** Probabilities are clamped here before the logarithm, so a zero never gives an infinite loss. */
    static final double MIN_PROBABILITY = 1e-30;

    private Evaluator() {
    }

    /**
     * @param loss         mean negative log-likelihood, nats per token
     * @param perplexity   {@code exp(loss)}
     * @param topKAccuracy share of tokens whose true value is among the k most probable
     * @param tokens       tokens counted
     */
    public record Evaluation(double loss, double perplexity, double topKAccuracy, int topK, long tokens) {
        static Evaluation of(double lossSum, long hits, long tokens, int topK) {
            double loss = tokens == 0 ? Double.NaN : lossSum / tokens;
            return new Evaluation(loss, Math.exp(loss), tokens == 0 ? Double.NaN : (double) hits / tokens, topK,
                    tokens);
        }
    }

    /** Evaluates the network on every sequence of {@code data}; the network's recurrent state is left untouched. */
    public static Evaluation evaluate(MultiLayerNetwork network, SequenceBatches data, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + topK);
        }
        double lossSum = 0;
        long hits = 0;
        long tokens = 0;
        for (int[] members : data.plan()) {
            SequenceBatch batch = data.batch(members);
            BatchScore score = score(network, batch, topK);
            lossSum += score.lossSum();
            hits += score.hits();
            tokens += score.tokens();
        }
        return Evaluation.of(lossSum, hits, tokens, topK);
    }

    /** Summed loss, top-k hits and token count of one batch. */
    record BatchScore(double lossSum, long hits, long tokens) {
    }

    static BatchScore score(MultiLayerNetwork network, SequenceBatch batch, int topK) {
        INDArray out = network.output(batch.features(), false, batch.featuresMask(), batch.labelsMask());
        int v = (int) out.size(1);
        int t = (int) out.size(2);
        // [B, V, T] in c order: probability of token k at step s of row b sits at (b * V + k) * T + s.
        double[] p = out.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double lossSum = 0;
        long hits = 0;
        long tokens = 0;
        int[][] targets = batch.targets();
        for (int b = 0; b < targets.length; b++) {
            int base = b * v * t;
            for (int s = 0; s < targets[b].length; s++) {
                double truth = p[base + targets[b][s] * t + s];
                lossSum -= Math.log(Math.max(truth, MIN_PROBABILITY));
                int above = 0;
                for (int k = 0; k < v && above < topK; k++) {
                    if (p[base + k * t + s] > truth) {
                        above++;
                    }
                }
                if (above < topK) {
                    hits++;
                }
                tokens++;
            }
        }
        return new BatchScore(lossSum, hits, tokens);
    }

    /**
     * The unigram baseline: every token predicted with its add-one-smoothed frequency among the training
     * labels, whatever came before. A sequence model should beat its perplexity.
     */
    public static Evaluation unigram(SequenceBatches train, SequenceBatches validation, int topK) {
        int v = train.vocabSize();
        long[] counts = new long[v];
        long total = 0;
        for (int i = 0; i < train.size(); i++) {
            int[] s = train.sequence(i);
            for (int j = 1; j < s.length; j++) {
                counts[s[j]]++;
                total++;
            }
        }
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        double lossSum = 0;
        long hits = 0;
        long tokens = 0;
        for (int i = 0; i < validation.size(); i++) {
            int[] s = validation.sequence(i);
            for (int j = 1; j < s.length; j++) {
                long truth = counts[s[j]];
                lossSum -= Math.log((truth + 1.0) / (total + v));
                if (strictlyAbove(sorted, truth) < topK) {
                    hits++;
                }
                tokens++;
            }
        }
        return Evaluation.of(lossSum, hits, tokens, topK);
    }

    /** How many values of an ascending array exceed {@code value}. */
    private static int strictlyAbove(long[] ascending, long value) {
        int lo = 0;
        int hi = ascending.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ascending[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return ascending.length - lo;
    }
}
