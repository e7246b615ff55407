package io.seqstream.eval.nab;

/**
 * The weights of one NAB application profile ({@code CostMatrix} in NAB's {@code config/profiles.json}). NAB's
 * scorer uses the true-positive, false-positive and false-negative weights; {@code tnWeight} is carried for
 * completeness and never used, as in NAB.
 */
public record CostMatrix(double tpWeight, double fpWeight, double fnWeight, double tnWeight) {
    public CostMatrix {
        if (!(tpWeight > 0)) {
            throw new IllegalArgumentException("tpWeight must be positive, was " + tpWeight);
        }
        if (fpWeight < 0 || fnWeight < 0) {
            throw new IllegalArgumentException("fpWeight and fnWeight must not be negative");
        }
    }
}
