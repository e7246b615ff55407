package io.seqstream.eval.nab;

/**
 * A detector that scores a NAB series online: the score of record {@code i} may depend on records {@code 0..i}
 * only, and lies in [0, 1]. One call per file; implementations start each file afresh.
 */
public interface NabDetector {
    String name();

    double[] scores(NabSeries series);
}
