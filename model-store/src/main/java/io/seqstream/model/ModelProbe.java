package io.seqstream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network's outputs on a few fixed probe sequences, recorded in the manifest when a version is published, so
 * that whoever loads the version later (the sidecar, after a download) can run a smoke inference and know it
 * computes what the trainer's network computed: same weights, same library behaviour.
 *
 * <p>The sequences start with {@link Vocabulary#START_ID} followed by token ids drawn from the vocabulary with a
 * fixed seed. They run through {@link MultiLayerNetwork#output(INDArray)} as one batch {@code [B, T]}, as
 * training evaluates; per position {@code j} the probe keeps the probability of the next probe token and the
 * argmax id.
 *
 * @param seed      the seed the probe tokens were drawn with
 * @param sequences the probe sequences with their recorded outputs
 */
public record ModelProbe(long seed, List<Sequence> sequences) {
    /** The seed every probe is drawn with. */
    public static final long SEED = 20_240_613L;
    public static final int SEQUENCES = 3;
    public static final int LENGTH = 8;
    /** Largest allowed difference between a recorded and a recomputed probability. */
    public static final double TOLERANCE = 1e-4;

    public ModelProbe {
        sequences = List.copyOf(sequences);
    }

    /**
     * One probe sequence.
     *
     * @param tokens        the token ids fed, {@link Vocabulary#START_ID} first
     * @param probabilities for each position {@code j < tokens.size() - 1}: the probability the network gives
     *                      to {@code tokens[j + 1]} after reading {@code tokens[0..j]}
     * @param argmax        for each such position: the id the network gives the highest probability
     */
    public record Sequence(List<Integer> tokens, List<Double> probabilities, List<Integer> argmax) {
        public Sequence {
            tokens = List.copyOf(tokens);
            probabilities = List.copyOf(probabilities);
            argmax = List.copyOf(argmax);
            if (tokens.size() < 2 || probabilities.size() != tokens.size() - 1 || argmax.size() != tokens.size() - 1) {
                throw new IllegalArgumentException("A probe sequence needs n >= 2 tokens and n - 1 probabilities"
                        + " and argmax ids; got " + tokens.size() + ", " + probabilities.size() + ", "
                        + argmax.size());
            }
        }
    }

    /** Draws the probe sequences for a network and records its outputs on them. */
    public static ModelProbe record(MultiLayerNetwork network) {
        int vocabSize = NetworkShape.of(network).vocabSize();
        List<List<Integer>> tokens = draw(SEED, vocabSize);
        INDArray output = run(network, tokens);
        List<Sequence> sequences = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            List<Integer> seq = tokens.get(i);
            List<Double> probabilities = new ArrayList<>(seq.size() - 1);
            List<Integer> argmax = new ArrayList<>(seq.size() - 1);
            for (int j = 0; j < seq.size() - 1; j++) {
                probabilities.add(output.getDouble(i, seq.get(j + 1), j));
                argmax.add(argmax(output, i, j, vocabSize));
            }
            sequences.add(new Sequence(seq, probabilities, argmax));
        }
        return new ModelProbe(SEED, sequences);
    }

    /**
     * Reruns the probe recorded in the model's manifest on (a copy of) its network.
     *
     * @throws MalformedModelException if the manifest has no probe, or a probability differs from the recorded
     *                                 one by more than {@link #TOLERANCE}, or an argmax differs (unless the
     *                                 recorded id ties with the new best within the tolerance)
     */
    public static void check(LoadedModel model) throws MalformedModelException {
        ModelProbe probe = model.manifest().probe();
        if (probe == null) {
            throw new MalformedModelException("Model " + model.label() + ": " + ModelStore.MANIFEST
                    + " records no probe outputs (it was published before probes existed), so its inference cannot"
                    + " be checked; publish it again to record them");
        }
        MultiLayerNetwork copy = model.newNetworkCopy();
        try {
            probe.check(copy, model.label());
        } finally {
            copy.close();
        }
    }

    /** Reruns this probe on {@code network}; {@code label} names the model in the message. */
    public void check(MultiLayerNetwork network, String label) throws MalformedModelException {
        int vocabSize = NetworkShape.of(network).vocabSize();
        List<List<Integer>> tokens = sequences.stream().map(Sequence::tokens).toList();
        int length = tokens.isEmpty() ? 0 : tokens.get(0).size();
        for (List<Integer> seq : tokens) {
            if (seq.size() != length || seq.stream().anyMatch(t -> t == null || t < 0 || t >= vocabSize)) {
                throw new MalformedModelException("Model " + label + ": the probe in " + ModelStore.MANIFEST
                        + " has sequences of unequal length or tokens outside the network's " + vocabSize + " ids");
            }
        }
        if (tokens.isEmpty()) {
            throw new MalformedModelException("Model " + label + ": the probe in " + ModelStore.MANIFEST
                    + " has no sequences");
        }
        INDArray output = run(network, tokens);
        for (int i = 0; i < sequences.size(); i++) {
            Sequence seq = sequences.get(i);
            for (int j = 0; j < seq.probabilities().size(); j++) {
                double expected = seq.probabilities().get(j);
                double actual = output.getDouble(i, seq.tokens().get(j + 1), j);
                int expectedArgmax = seq.argmax().get(j);
                int actualArgmax = argmax(output, i, j, vocabSize);
                boolean argmaxTies = expectedArgmax >= 0 && expectedArgmax < vocabSize
                        && output.getDouble(i, actualArgmax, j) - output.getDouble(i, expectedArgmax, j) <= TOLERANCE;
                if (!(Math.abs(actual - expected) <= TOLERANCE) || (actualArgmax != expectedArgmax && !argmaxTies)) {
                    throw new MalformedModelException(String.format(Locale.ROOT,
                            "Model %s: probe mismatch at sequence %d position %d: expected p=%.6f (argmax %d), "
                                    + "got p=%.6f (argmax %d)",
                            label, i, j, expected, expectedArgmax, actual, actualArgmax));
                }
            }
        }
    }

    /** {@link #SEQUENCES} sequences of {@link #LENGTH} ids: the start token, then ids drawn from the vocabulary. */
    static List<List<Integer>> draw(long seed, int vocabSize) {
        SplittableRandom random = new SplittableRandom(seed);
        int low = vocabSize > Vocabulary.RESERVED.size() ? Vocabulary.RESERVED.size() : 0;
        List<List<Integer>> out = new ArrayList<>(SEQUENCES);
        for (int i = 0; i < SEQUENCES; i++) {
            List<Integer> seq = new ArrayList<>(LENGTH);
            seq.add(Vocabulary.START_ID);
            for (int j = 1; j < LENGTH; j++) {
                seq.add(random.nextInt(low, vocabSize));
            }
            out.add(seq);
        }
        return out;
    }

    /** The network's output {@code [B, V, T]} on the sequences, fed as one {@code [B, T]} batch. */
    private static INDArray run(MultiLayerNetwork network, List<List<Integer>> tokens) {
        float[][] input = new float[tokens.size()][];
        for (int i = 0; i < input.length; i++) {
            List<Integer> seq = tokens.get(i);
            input[i] = new float[seq.size()];
            for (int j = 0; j < seq.size(); j++) {
                input[i][j] = seq.get(j);
            }
        }
        INDArray in = Nd4j.createFromArray(input).castTo(network.getLayerWiseConfigurations().getDataType());
        return network.output(in);
    }

    private static int argmax(INDArray output, int sequence, int position, int vocabSize) {
        int best = 0;
        double bestP = output.getDouble(sequence, 0, position);
        for (int v = 1; v < vocabSize; v++) {
            double p = output.getDouble(sequence, v, position);
            if (p > bestP) {
                best = v;
                bestP = p;
            }
        }
        return best;
    }
}
