package io.seqstream.training;

/**
 * How well one model predicts a set of sequences, as {@link EvaluationGate#evaluate} measures it.
 *
 * @param model        {@code name@version} of the model
 * @param loss         mean cross-entropy per predicted token (nats), {@code <e>} included
 * @param topKAccuracy share of predicted tokens whose true value is among the k most probable
 * @param k            the k of {@code topKAccuracy}
 * @param tokens       predicted tokens counted (each sequence's tokens plus its {@code <e>})
 */
public record ModelEvaluation(String model, double loss, double topKAccuracy, int k, long tokens) {
}
