package io.seqstream.training;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One mini-batch of sequences, padded at the end to the longest one. Row {@code b} holds sequence
 * {@code members[b]}; its first {@code lengths[b]} time steps are real, the rest padding.
 *
 * @param features      token ids as floats, {@code [B, 1, T]} (3-D so that DL4J does truncated BPTT)
 * @param labels        one-hot next tokens, {@code [B, V, T]}; all zeros at padded steps
 * @param featuresMask  1 at real steps, 0 at padding, {@code [B, T]}
 * @param labelsMask    the same as {@code featuresMask}, a separate array, {@code [B, T]}
 * @param inputs        the input ids per row, unpadded ({@code <s>} and the tokens)
 * @param targets       the label ids per row, unpadded (the tokens and {@code <e>})
 * @param members       indices of the rows' sequences in their {@link SequenceBatches}
 */
public record SequenceBatch(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask,
                            int[][] inputs, int[][] targets, int[] members) {

    /** Number of sequences (rows). */
    public int size() {
        return members.length;
    }

    /** Padded length T. */
    public int timeSteps() {
        return (int) features.size(2);
    }

    /** Real (unmasked) time steps: the number of tokens this batch predicts. */
    public long tokens() {
        long n = 0;
        for (int[] t : targets) {
            n += t.length;
        }
        return n;
    }
}
