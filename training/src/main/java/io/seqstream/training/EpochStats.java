package io.seqstream.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one epoch did, as {@code history.json} records it.
 *
 * @param trainLoss          mean training loss over the epoch's batches, nats per token (measured during the
 *                           epoch, before each batch's update)
 * @param validationLoss     nats per token on the validation split after the epoch
 * @param tokensPerSecond    predicted tokens trained per second (training only, validation excluded)
 * @param seconds            wall time of the epoch, validation included
 */
public record EpochStats(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("validation_loss") double validationLoss,
        @JsonProperty("validation_perplexity") double validationPerplexity,
        @JsonProperty("validation_top_k_accuracy") double validationTopKAccuracy,
        @JsonProperty("tokens_per_second") double tokensPerSecond,
        @JsonProperty("seconds") double seconds) {
}
