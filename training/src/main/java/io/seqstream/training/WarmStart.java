package io.seqstream.training;

import java.util.Locale;

/**
 * What a training run took from its parent version.
 *
 * @param parent                {@code name@version} of the parent
 * @param vocabularyReused      the parent's vocabulary was kept, so token ids mean the same in both versions
 * @param weightsReused         the network started from the parent's parameters
 * @param reason                why the weights were not reused; null when they were
 * @param unknownTokens         distinct training tokens the parent's vocabulary lacks (they became {@code <unk>})
 * @param unknownOccurrences    how often those tokens occur in the training split
 * @param initialValidationLoss validation loss of the parent's weights on this run's validation split, before
 *                              any training; NaN when the weights were not reused
 */
public record WarmStart(String parent, boolean vocabularyReused, boolean weightsReused, String reason,
                        int unknownTokens, long unknownOccurrences, double initialValidationLoss) {

    /** One line for a person, e.g. "warm start from hdfs@1 (validation loss before training 0.6210)". */
    public String describe() {
        String unknown = unknownTokens == 0 ? ""
                : String.format(Locale.ROOT, "; %d new token(s), %d occurrence(s), became <unk>", unknownTokens,
                        unknownOccurrences);
        if (weightsReused) {
            return String.format(Locale.ROOT, "warm start from %s (validation loss before training %.4f)%s",
                    parent, initialValidationLoss, unknown);
        }
        return "trained from scratch, not from " + parent + ": " + reason
                + (vocabularyReused ? " (its vocabulary was reused" + unknown + ")" : "");
    }
}
