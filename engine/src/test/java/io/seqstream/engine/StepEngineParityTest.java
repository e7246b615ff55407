package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import io.seqstream.training.Cell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every engine steps exactly like DL4J's own {@code rnnTimeStep}, for every cell, depth and batch size. */
class StepEngineParityTest {
    @TempDir
    static Path store;

    private static final List<LoadedModel> MODELS = new ArrayList<>();

    @BeforeAll
    static void models() throws Exception {
        MODELS.add(TestModels.hdfs());
        MODELS.add(RandomModels.create(store, "lstm2", Cell.LSTM, 50, 12, 24, 2));
        MODELS.add(RandomModels.create(store, "simple2", Cell.SIMPLE, 40, 8, 16, 2));
    }

    @AfterAll
    static void close() {
        MODELS.subList(1, MODELS.size()).forEach(LoadedModel::close);
    }

    /** The kernels this JVM picks (the Vector API's under the build's test JVM flags). */
    private static final String BEST = "best";
    /** The fallback where the Vector API is missing. */
    private static final String SCALAR = "scalar";

    private static StepEngine create(LoadedModel model, String kind, String kernels) {
        if (kernels.equals(BEST)) {
            return StepEngines.create(model, kind);
        }
        ModelWeights weights = new ModelWeights(model);
        Kernels scalar = new ScalarKernels();
        int history = KeyState.DEFAULT_HISTORY_TOKENS;
        return switch (kind) {
            case StepEngines.JAVA -> new JavaStepEngine(weights, history, scalar);
            case StepEngines.ND4J -> new Nd4jStepEngine(weights, history, scalar);
            default -> new AutoStepEngine(weights, history, scalar);
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            for (String kind : List.of(StepEngines.JAVA, StepEngines.ND4J, StepEngines.AUTO)) {
                for (int batch : new int[] {1, 3, 64}) {
                    for (String kernels : List.of(BEST, SCALAR)) {
                        out.add(Arguments.of(m, kind, batch, kernels));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "model {0}, {1}, batch {2}, {3} kernels")
    @MethodSource("cases")
    void shouldMatchDl4jOverSeveralStepsOfDifferentKeys(int modelIndex, String kind, int batch, String kernels) {
        LoadedModel model = MODELS.get(modelIndex);
        Random random = new Random(modelIndex * 100 + batch);
        try (StepEngine reference = new Dl4jStepEngine(model);
             StepEngine engine = create(model, kind, kernels)) {
            stepBoth(model, reference, engine, batch, 4, random);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchedKinds")
    void shouldMatchDl4jWhenOneEngineStepsBatchesOfChangingSizes(String kind) {
        LoadedModel model = MODELS.get(1);
        Random random = new Random(7);
        try (StepEngine reference = new Dl4jStepEngine(model);
             StepEngine engine = StepEngines.create(model, kind)) {
            // buffers sized for 64 keys serve the smaller batches after it; 100 makes them grow
            for (int batch : new int[] {64, 3, 17, 1, 100, 9}) {
                stepBoth(model, reference, engine, batch, 2, random);
            }
        }
    }

    /** Advancing without the output leaves every state exactly as DL4J's step does, on both paths of auto. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allKinds")
    void shouldAdvanceStatesAsAFullStepDoes(String kind) {
        LoadedModel model = MODELS.get(1);
        Random random = new Random(11);
        try (StepEngine reference = new Dl4jStepEngine(model);
             StepEngine engine = StepEngines.create(model, kind)) {
            for (int batch : new int[] {3, 40}) {
                List<KeyState> expected = freshStates(reference, batch);
                List<KeyState> actual = freshStates(engine, batch);
                for (int step = 0; step < 3; step++) {
                    reference.step(expected);
                    engine.advance(actual);
                    for (int i = 0; i < batch; i++) {
                        assertSameState(actual.get(i), expected.get(i));
                        feedBoth(expected.get(i), actual.get(i), random.nextInt(model.vocabulary().size()));
                    }
                }
            }
        }
    }

    static Stream<String> allKinds() {
        return Stream.of(StepEngines.JAVA, StepEngines.ND4J, StepEngines.AUTO, StepEngines.DL4J);
    }

    static Stream<String> batchedKinds() {
        return Stream.of(StepEngines.ND4J, StepEngines.AUTO);
    }

    /** Steps fresh states of {@code batch} keys {@code steps} times on both engines and compares every output. */
    private static void stepBoth(LoadedModel model, StepEngine reference, StepEngine engine, int batch, int steps,
                                 Random random) {
        List<KeyState> expected = freshStates(reference, batch);
        List<KeyState> actual = freshStates(engine, batch);
        int vocab = model.manifest().architecture().vocabSize();
        for (int step = 0; step < steps; step++) {
            float[] want = reference.step(expected).clone();
            // every other step as logits, scored the way the stream scores them
            Logits logits = step % 2 == 1 ? engine.stepLogits(actual) : null;
            float[] got = logits == null ? engine.step(actual) : null;
            for (int j = 0; j < batch * vocab; j++) {
                double p = logits == null ? got[j] : logits.probability(j / vocab, j % vocab);
                assertThat(p).as("probability %d at step %d", j, step).isCloseTo(want[j], within(1e-5));
            }
            for (int i = 0; i < batch; i++) {
                assertSameState(actual.get(i), expected.get(i));
                int next = random.nextInt(model.vocabulary().size());
                if (logits != null) {
                    TokenScore wantScore = TokenScore.of(want, i * vocab, vocab, next, 5, 9);
                    TokenScore gotScore = logits.score(i, next, 5, 9);
                    assertThat(gotScore.probability()).isCloseTo(wantScore.probability(), within(1e-5));
                    assertThat(gotScore.surprisal()).isCloseTo(wantScore.surprisal(), within(1e-4));
                    for (int t = 0; t < 5; t++) { // by probability: a near tie may order ids differently
                        assertThat(gotScore.topProbabilities()[t])
                                .isCloseTo(wantScore.topProbabilities()[t], within(1e-5f));
                    }
                }
                feedBoth(expected.get(i), actual.get(i), next);
            }
        }
    }

    private static List<KeyState> freshStates(StepEngine engine, int batch) {
        List<KeyState> states = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            states.add(engine.newState(Vocabulary.START_ID, 0));
        }
        return states;
    }

    /** Every layer's h and c to 1e-5. */
    private static void assertSameState(KeyState actual, KeyState expected) {
        for (int l = 0; l < expected.layers(); l++) {
            assertClose(actual.hidden()[l], expected.hidden()[l]);
            assertClose(actual.cell()[l], expected.cell()[l]);
        }
    }

    /** Makes {@code token} pending in both states, as scoring an event would. */
    private static void feedBoth(KeyState expected, KeyState actual, int token) {
        expected.recordScore(0, false, token, 0, 0);
        actual.recordScore(0, false, token, 0, 0);
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int j = 0; j < actual.length; j++) {
            assertThat(actual[j]).isCloseTo(expected[j], within(1e-5f));
        }
    }
}
