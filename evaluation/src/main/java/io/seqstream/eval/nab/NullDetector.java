package io.seqstream.eval.nab;

import java.util.Arrays;

/** NAB's null detector: the constant 0.5 for every record; it scores 0 in every profile by construction. */
public final class NullDetector implements NabDetector {
    @Override
    public String name() {
        return "null";
    }

    @Override
    public double[] scores(NabSeries series) {
        double[] s = new double[series.size()];
        Arrays.fill(s, NabScorer.NULL_SCORE);
        return s;
    }
}
