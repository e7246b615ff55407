package io.seqstream.training;

/**
 * The verdict of {@link EvaluationGate#compare}.
 *
 * @param passed whether the candidate is good enough to replace the active version
 * @param reason the figures behind the verdict, e.g.
 *               {@code "loss 0.412 vs active 0.398 (+3.5% > 2.0% allowed); top-5 accuracy 91.20% vs active 92.00% (-0.80 points, a drop of up to 1.00 points allowed)"}
 */
public record GateResult(boolean passed, String reason) {
}
