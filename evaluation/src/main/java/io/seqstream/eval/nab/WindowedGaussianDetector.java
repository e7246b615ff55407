package io.seqstream.eval.nab;

import java.util.ArrayList;
import java.util.List;

/**
 * NAB's {@code windowedGaussian} detector (nab/detectors/gaussian), ported: a rolling z-score. The score of a value is
 * {@code 1 - Q(|z|)}, one minus the normal tail probability of its distance from the mean of the window of earlier
 * values (the first 6400, then sliding forward 100 at a time; standard deviation 1e-6 where the window is flat);
 * the first record scores 0.
 */
public final class WindowedGaussianDetector implements NabDetector {
    private final int windowSize;
    private final int stepSize;

    public WindowedGaussianDetector(int windowSize, int stepSize) {
        if (windowSize < 1 || stepSize < 1) {
            throw new IllegalArgumentException("windowSize and stepSize must be positive");
        }
        this.windowSize = windowSize;
        this.stepSize = stepSize;
    }

    /** NAB's tuned sizes: a window of 6400 records, slid 100 at a time. */
    public WindowedGaussianDetector() {
        this(6400, 100);
    }

    @Override
    public String name() {
        return "windowedGaussian";
    }

    @Override
    public double[] scores(NabSeries series) {
        double[] values = series.values();
        double[] scores = new double[values.length];
        List<Double> window = new ArrayList<>();
        List<Double> step = new ArrayList<>();
        double mean = 0;
        double std = 1;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            scores[i] = window.isEmpty() ? 0.0 : 1 - normalTail(v, mean, std);
            boolean update = false;
            if (window.size() < windowSize) {
                window.add(v);
                update = true;
            } else {
                step.add(v);
                if (step.size() == stepSize) {
                    window.subList(0, stepSize).clear();
                    window.addAll(step);
                    step.clear();
                    update = true;
                }
            }
            if (update) {
                mean = mean(window);
                std = std(window, mean);
                if (std == 0.0) {
                    std = 0.000001;
                }
            }
        }
        return scores;
    }

    /** P(X > x) for X ~ N(mean, std), folded so that x below the mean gives the upper tail of its mirror image. */
    static double normalTail(double x, double mean, double std) {
        if (x < mean) {
            x = 2 * mean - x;
        }
        double z = (x - mean) / std;
        return 0.5 * Erf.erfc(z / Math.sqrt(2));
    }

    private static double mean(List<Double> xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.size();
    }

    private static double std(List<Double> xs, double mean) {
        double s = 0;
        for (double x : xs) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / xs.size());
    }
}
