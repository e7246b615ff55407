package io.seqstream.training;

import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Variable-length token sequences served as padded, masked mini-batches.
 *
 * <p>Every sequence is stored as {@code [<s>, tokens…, <e>]}; its input is all but the last id and its label
 * all but the first, so a sequence of n tokens contributes n + 1 predicted tokens. A batch is padded at the end
 * to its longest member, and the masks keep padding out of the loss and the gradients.
 *
 * <p>To limit padding, an epoch's {@link #plan(long) plan} buckets by length: the shuffled sequences are cut
 * into pools of {@value #POOL_BATCHES} batches, each pool is sorted by length and cut into batches, and the
 * batches are shuffled. The same seed gives the same plan. No batch holds a single sequence unless there is
 * only one.
 */
public final class SequenceBatches {
    static final int POOL_BATCHES = 20;

    private final List<int[]> sequences;
    private final int vocabSize;
    private final int batchSize;
    private final DataType dataType;
    private final long tokens;
    private final int maxLength;

    /**
     * @param sequences full id sequences, each {@code [<s>, …, <e>]} of at least 2 ids below {@code vocabSize}
     * @param dataType  the network's data type ({@code FLOAT} for training, {@code DOUBLE} for gradient checks)
     */
    public SequenceBatches(List<int[]> sequences, int vocabSize, int batchSize, DataType dataType) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("The batch size must be positive, got " + batchSize);
        }
        long total = 0;
        int longest = 0;
        for (int[] s : sequences) {
            if (s.length < 2) {
                throw new IllegalArgumentException("A sequence needs at least <s> and <e>, got " + Arrays.toString(s));
            }
            for (int id : s) {
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("Token id " + id + " outside the vocabulary of " + vocabSize);
                }
            }
            total += s.length - 1;
            longest = Math.max(longest, s.length - 1);
        }
        this.sequences = List.copyOf(sequences);
        this.vocabSize = vocabSize;
        this.batchSize = batchSize;
        this.dataType = dataType;
        this.tokens = total;
        this.maxLength = longest;
    }

    /** Encodes texts with a vocabulary (unknown tokens become {@code <unk>}) and wraps each in {@code <s>…<e>}. */
    public static SequenceBatches of(Vocabulary vocabulary, List<String> texts, int batchSize, DataType dataType) {
        List<int[]> sequences = new ArrayList<>(texts.size());
        for (String text : texts) {
            sequences.add(wrap(vocabulary.encode(text)));
        }
        return new SequenceBatches(sequences, vocabulary.size(), batchSize, dataType);
    }

    /**
     * Maps already split token sequences through a vocabulary ({@link Vocabulary#id}: unknown tokens become
     * {@code <unk>}) and wraps each in {@code <s>…<e>}.
     */
    public static SequenceBatches ofTokens(Vocabulary vocabulary, List<List<String>> sequences, int batchSize,
                                           DataType dataType) {
        List<int[]> encoded = new ArrayList<>(sequences.size());
        for (List<String> tokens : sequences) {
            int[] ids = new int[tokens.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = vocabulary.id(tokens.get(i));
            }
            encoded.add(wrap(ids));
        }
        return new SequenceBatches(encoded, vocabulary.size(), batchSize, dataType);
    }

    /** {@code [<s>, ids…, <e>]}. */
    public static int[] wrap(int[] ids) {
        int[] out = new int[ids.length + 2];
        out[0] = Vocabulary.START_ID;
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = Vocabulary.END_ID;
        return out;
    }

    /** Number of sequences. */
    public int size() {
        return sequences.size();
    }

    public int[] sequence(int index) {
        return sequences.get(index).clone();
    }

    /** Predicted tokens over all sequences (each sequence's tokens plus its {@code <e>}). */
    public long tokens() {
        return tokens;
    }

    /** The longest input (time steps) of any sequence. */
    public int maxLength() {
        return maxLength;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** A shuffled, length-bucketed epoch: the members of each batch, every sequence exactly once. */
    public List<int[]> plan(long seed) {
        Random random = new Random(seed);
        List<Integer> order = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> batches = new ArrayList<>();
        int pool = batchSize * POOL_BATCHES;
        for (int start = 0; start < order.size(); start += pool) {
            List<Integer> part = new ArrayList<>(order.subList(start, Math.min(order.size(), start + pool)));
            part.sort(Comparator.comparingInt(i -> sequences.get(i).length));
            cut(part, batches);
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /** A fixed plan for evaluation: sequences sorted by length (stable), cut into batches. */
    public List<int[]> plan() {
        List<Integer> order = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> sequences.get(i).length));
        List<int[]> batches = new ArrayList<>();
        cut(order, batches);
        return batches;
    }

    /**
     * Cuts an order into batches. A lone sequence left over joins the batch before it: DL4J M2.1 cannot train a
     * batch of one sequence on a one-step segment ("Per output masking for MCXENT + softmax: not supported").
     */
    private void cut(List<Integer> order, List<int[]> into) {
        for (int start = 0; start < order.size(); start += batchSize) {
            int[] members = order.subList(start, Math.min(order.size(), start + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray();
            if (members.length == 1 && !into.isEmpty()) {
                int[] previous = into.remove(into.size() - 1);
                int[] merged = Arrays.copyOf(previous, previous.length + 1);
                merged[previous.length] = members[0];
                into.add(merged);
            } else {
                into.add(members);
            }
        }
    }

    /** Builds the arrays of one batch. */
    public SequenceBatch batch(int[] members) {
        int b = members.length;
        int[][] inputs = new int[b][];
        int[][] targets = new int[b][];
        int t = 0;
        for (int row = 0; row < b; row++) {
            int[] s = sequences.get(members[row]);
            inputs[row] = Arrays.copyOfRange(s, 0, s.length - 1);
            targets[row] = Arrays.copyOfRange(s, 1, s.length);
            t = Math.max(t, inputs[row].length);
        }
        float[] features = new float[b * t];
        float[] labels = new float[b * vocabSize * t];
        float[] mask = new float[b * t];
        for (int row = 0; row < b; row++) {
            for (int step = 0; step < inputs[row].length; step++) {
                features[row * t + step] = inputs[row][step];
                labels[(row * vocabSize + targets[row][step]) * t + step] = 1f;
                mask[row * t + step] = 1f;
            }
        }
        return new SequenceBatch(
                array(features, new long[] {b, 1, t}),
                array(labels, new long[] {b, vocabSize, t}),
                array(mask, new long[] {b, t}),
                array(mask, new long[] {b, t}),
                inputs, targets, members.clone());
    }

    private INDArray array(float[] data, long[] shape) {
        INDArray a = Nd4j.create(data, shape, 'c');
        return a.dataType() == dataType ? a : a.castTo(dataType);
    }
}
