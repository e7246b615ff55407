package io.seqstream.eval.nab;

import java.util.Random;

/**
 * NAB's random detector: a uniform score in [0, 1) per record, seeded afresh (42) for each file. Java's generator is
 * not Python's, so the scores (and NAB's published random numbers) differ record by record; the expected score is
 * what it measures.
 */
public final class RandomDetector implements NabDetector {
    private final long seed;

    public RandomDetector(long seed) {
        this.seed = seed;
    }

    public RandomDetector() {
        this(42);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public double[] scores(NabSeries series) {
        Random random = new Random(seed);
        double[] s = new double[series.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = random.nextDouble();
        }
        return s;
    }
}
