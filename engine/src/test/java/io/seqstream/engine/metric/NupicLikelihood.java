package io.seqstream.engine.metric;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A line-by-line port of nupic's {@code AnomalyLikelihood.anomalyProbability} (history of every score in a
 * deque, moving averages recomputed from the history at each estimate, the filter over the whole remembered
 * list), the reference {@link AnomalyLikelihood} is checked against. Only the history length is a parameter.
 */
final class NupicLikelihood {
    private static final int AVG = 10;
    private final int learningPeriod;
    private final int probationary;
    private final int historic;
    private final ArrayDeque<double[]> hist = new ArrayDeque<>();
    private int iteration;
    private boolean haveDist;
    private double mean;
    private double std;
    private ArrayDeque<Double> window = new ArrayDeque<>();
    private double total;
    private final ArrayDeque<Double> historicalLikelihoods = new ArrayDeque<>();

    NupicLikelihood(int learningPeriod, int estimationSamples, int historic) {
        this.learningPeriod = learningPeriod;
        this.probationary = learningPeriod + estimationSamples;
        this.historic = historic;
    }

    double anomalyProbability(double value, double raw) {
        double likelihood;
        if (iteration < probationary) {
            likelihood = 0.5;
        } else {
            if (!haveDist || iteration % 100 == 0) {
                estimate();
            }
            if (window.size() == AVG) {
                total -= window.removeFirst();
            }
            window.addLast(raw);
            total += raw;
            double l = tail(total / window.size());
            List<Double> all = new ArrayList<>(historicalLikelihoods);
            all.add(l);
            List<Double> filtered = filter(all);
            historicalLikelihoods.addLast(l);
            while (historicalLikelihoods.size() > AVG) {
                historicalLikelihoods.removeFirst();
            }
            likelihood = 1.0 - filtered.get(filtered.size() - 1);
        }
        hist.addLast(new double[] {value, raw});
        while (hist.size() > historic) {
            hist.removeFirst();
        }
        iteration++;
        return likelihood;
    }

    private void estimate() {
        int shifted = Math.max(0, iteration - historic);
        int skip = Math.min(iteration, Math.max(0, learningPeriod - shifted));
        ArrayDeque<Double> w = new ArrayDeque<>();
        double t = 0;
        double[] averages = new double[hist.size()];
        double[] values = new double[hist.size()];
        int i = 0;
        for (double[] r : hist) {
            if (w.size() == AVG) {
                t -= w.removeFirst();
            }
            w.addLast(r[1]);
            t += r[1];
            averages[i] = t / w.size();
            values[i++] = r[0];
        }
        mean = 0.5;
        std = 1e3;
        if (averages.length > skip) {
            double m = mean(averages, skip);
            double v = variance(averages, skip, m);
            double vm = mean(values, skip);
            if (variance(values, skip, vm) >= 1.5e-5) {
                mean = Math.max(0.03, m);
                std = Math.sqrt(Math.max(0.0003, v));
            }
        }
        historicalLikelihoods.clear();
        for (int k = Math.max(0, averages.length - AVG); k < averages.length; k++) {
            historicalLikelihoods.addLast(tail(averages[k]));
        }
        window = w;
        total = t;
        haveDist = true;
    }

    private static double mean(double[] x, int from) {
        double s = 0;
        for (int k = from; k < x.length; k++) {
            s += x[k];
        }
        return s / (x.length - from);
    }

    private static double variance(double[] x, int from, double m) {
        double s = 0;
        for (int k = from; k < x.length; k++) {
            s += (x[k] - m) * (x[k] - m);
        }
        return s / (x.length - from);
    }

    private double tail(double x) {
        if (x < mean) {
            x = 2 * mean - x;
        }
        return 0.5 * Erfc.erfc((x - mean) / std / 1.4142);
    }

    private static List<Double> filter(List<Double> l) {
        List<Double> f = new ArrayList<>();
        f.add(l.get(0));
        for (int i = 1; i < l.size(); i++) {
            double v = l.get(i);
            f.add(v <= 1e-5 && l.get(i - 1) <= 1e-5 ? 1e-3 : v);
        }
        return f;
    }
}
