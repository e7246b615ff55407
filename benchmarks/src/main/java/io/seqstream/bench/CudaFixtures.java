package io.seqstream.bench;

import io.seqstream.engine.KeyState;
import io.seqstream.engine.StepEngine;
import io.seqstream.engine.StepEngines;
import io.seqstream.engine.TokenScore;
import io.seqstream.engine.cuda.LstmWeights;
import io.seqstream.engine.cuda.Reference;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Prepares the GPU check ({@code engine-cuda/gpu/prepare.sh}): the benchmark's small and large models (the same
 * seeded networks {@code seqstream bench} builds) exported as plain weights files, and reference outputs computed
 * here with DL4J's {@code rnnTimeStep} for the GPU engine to match: {@value #KEYS} keys stepped {@value #STEPS}
 * times on random tokens, the observed token's probability and rank and the top-{@value #TOP_K} per step.
 *
 * <pre>java -cp benchmarks/target/seqstream-bench.jar io.seqstream.bench.CudaFixtures OUT_DIR</pre>
 */
public final class CudaFixtures {
    static final int KEYS = 32;
    static final int STEPS = 12;
    static final int TOP_K = 5;
    /** The bench's default seed, so the exported models are the ones {@code seqstream bench} measures. */
    static final long SEED = 42;

    private CudaFixtures() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: CudaFixtures OUT_DIR");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        Path store = Files.createTempDirectory("seqstream-cuda-fixtures-");
        try (BenchModels models = BenchModels.publish(store, BenchModel.ALL, SEED)) {
            for (BenchModel model : BenchModel.ALL) {
                LoadedModel loaded = models.get(model);
                LstmWeights weights = export(loaded.network(), model);
                weights.write(out.resolve(model.name() + ".weights"));
                Reference reference = reference(loaded, new Random(7));
                reference.write(out.resolve(model.name() + ".reference"));
                System.out.printf("%s (%s): weights and a reference of %d keys x %d steps in %s%n", model.name(),
                        weights.shape(), KEYS, STEPS, out);
            }
        }
    }

    /** The network's parameters in the GPU engine's layout (DL4J's own, row-major). */
    static LstmWeights export(MultiLayerNetwork network, BenchModel model) {
        int layers = model.layers();
        float[][] w = new float[layers][];
        float[][] rw = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            Layer layer = network.getLayer(l + 1);
            w[l] = rowMajor(layer.getParam("W"));
            rw[l] = rowMajor(layer.getParam("RW"));
            b[l] = rowMajor(layer.getParam("b"));
        }
        Layer output = network.getLayer(layers + 1);
        return new LstmWeights(model.vocab(), model.embedding(), model.hidden(), layers,
                rowMajor(network.getLayer(0).getParam("W")), w, rw, b, rowMajor(output.getParam("W")),
                rowMajor(output.getParam("b")));
    }

    private static float[] rowMajor(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** DL4J's own stepping of {@value #KEYS} keys on random tokens. */
    static Reference reference(LoadedModel model, Random random) {
        int v = model.vocabulary().size();
        int[][] tokens = new int[KEYS][STEPS + 1];
        float[][] p = new float[KEYS][STEPS];
        int[][] rank = new int[KEYS][STEPS];
        int[][][] ids = new int[KEYS][STEPS][];
        float[][][] topP = new float[KEYS][STEPS][];
        try (StepEngine engine = StepEngines.create(model, StepEngines.DL4J)) {
            List<KeyState> states = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                states.add(engine.newState(Vocabulary.START_ID, 0L));
                tokens[k][0] = Vocabulary.START_ID;
                for (int t = 1; t <= STEPS; t++) {
                    tokens[k][t] = 3 + random.nextInt(v - 3);
                }
            }
            for (int t = 0; t < STEPS; t++) {
                float[] probabilities = engine.step(states);
                for (int k = 0; k < KEYS; k++) {
                    TokenScore score = TokenScore.of(probabilities, k * v, v, tokens[k][t + 1], TOP_K, Integer.MAX_VALUE);
                    p[k][t] = (float) score.probability();
                    rank[k][t] = score.rank();
                    ids[k][t] = score.topTokens().clone();
                    topP[k][t] = score.topProbabilities().clone();
                    states.get(k).recordScore(score.surprisal(), false, tokens[k][t + 1], 0L, 0L, score.topTokens());
                }
            }
        }
        return new Reference(tokens, p, rank, ids, topP);
    }
}
