package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.engine.StateMigrator.Migrated;
import io.seqstream.engine.StateMigrator.ModelIdentity;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelDraft;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.testing.OfflineReference;
import io.seqstream.training.Cell;
import io.seqstream.training.NetworkFactory;
import io.seqstream.training.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-key state across a model swap. Models: {@code m@1} and {@code m@2} have the same vocabulary and shape but
 * different random weights; {@code m@3} has m@1's tokens in another order, one of them replaced; {@code m@4} is
 * wider.
 */
class StateMigratorTest {
    private static final int V = 30;
    private static final int HISTORY = 8;

    @TempDir
    static Path storeDir;

    private static LoadedModel v1;
    private static LoadedModel v2;
    private static LoadedModel reordered;
    private static LoadedModel wider;

    @BeforeAll
    static void models() throws Exception {
        List<String> tokens = new ArrayList<>(Vocabulary.RESERVED);
        for (int i = tokens.size(); i < V; i++) {
            tokens.add("t" + i);
        }
        List<String> others = new ArrayList<>(tokens.subList(Vocabulary.RESERVED.size(), V - 1));
        Collections.reverse(others);
        List<String> reorderedTokens = new ArrayList<>(Vocabulary.RESERVED);
        reorderedTokens.addAll(others);
        reorderedTokens.add("zz"); // t29 is gone: it maps to <unk>
        ModelStore store = ModelStore.local(storeDir);
        v1 = publish(store, tokens, 16, 1L);
        v2 = publish(store, tokens, 16, 2L);
        reordered = publish(store, reorderedTokens, 16, 3L);
        wider = publish(store, tokens, 24, 4L);
    }

    private static LoadedModel publish(ModelStore store, List<String> tokens, int hidden, long seed)
            throws ModelException {
        Vocabulary vocabulary = new Vocabulary(VocabularyKind.ID, false, tokens);
        ModelManifest manifest = store.publish("m", new ModelDraft(
                NetworkFactory.create(NetworkSpec.of(Cell.LSTM, tokens.size(), 8, hidden, 2).withSeed(seed)),
                vocabulary, new ModelManifest.TrainingData("none", "random", 0, 0), Map.of(), Map.of()));
        return store.load(ModelRef.of("m", manifest.version()));
    }

    @AfterAll
    static void close() {
        Stream.of(v1, v2, reordered, wider).forEach(LoadedModel::close);
    }

    /** Knows every model of this test by label. */
    private static Optional<ModelIdentity> known(String label) {
        return Stream.of(v1, v2, reordered, wider).filter(m -> m.label().equals(label)).findFirst()
                .map(ModelIdentity::of);
    }

    private static final Function<String, Optional<ModelIdentity>> KNOWN = StateMigratorTest::known;

    static Stream<Arguments> replayCases() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : List.of(StepEngines.JAVA, StepEngines.ND4J, StepEngines.DL4J)) {
            for (int k : new int[] {1, 5, 20}) {
                out.add(Arguments.of(kind, k, false));
            }
            out.add(Arguments.of(kind, 20, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1} tokens before the swap, other vocabulary: {2}")
    @MethodSource("replayCases")
    void shouldScoreAfterAReplayLikeTheNewVersionOfflineOnTheReplayedContext(String kind, int k, boolean otherVocab) {
        LoadedModel next = otherVocab ? reordered : v2;
        Random random = new Random(k);
        List<String> before = randomTokens(random, k);
        List<String> after = randomTokens(random, 6);
        try (StepEngine old = StepEngines.create(v1, kind, HISTORY);
             StepEngine target = StepEngines.create(next, kind, HISTORY)) {
            KeyState state = run(old, old.newState(Vocabulary.START_ID, 0L), v1.vocabulary(), before);

            Migrated migrated = new StateMigrator(StateMigration.REPLAY, target, KNOWN).migrate(List.of(state)).get(0);

            assertThat(migrated.outcome()).isEqualTo(StateMigrator.REPLAYED);
            KeyState moved = migrated.state();
            assertThat(moved.model()).isEqualTo(next.label());
            assertThat(target.owns(moved)).isTrue();
            assertThat(moved.tokens()).isEqualTo(k);
            List<String> context = before.subList(Math.max(0, k - HISTORY), k);
            assertThat(moved.history()).containsExactly(ids(next.vocabulary(), context));
            assertThat(moved.pendingToken()).isEqualTo(next.vocabulary().id(before.get(k - 1)));
            assertThat(moved.hidden()[1]).as("the versions' weights differ").isNotEqualTo(state.hidden()[1]);

            List<String> whole = new ArrayList<>(context);
            whole.addAll(after);
            float[][] offline = OfflineReference.distributions(next, whole);
            for (int i = 0; i < after.size(); i++) {
                float[] probabilities = target.step(List.of(moved));
                for (int j = 0; j < next.vocabulary().size(); j++) {
                    assertThat(probabilities[j]).as("token %d after the swap, probability of %d", i, j)
                            .isCloseTo(offline[context.size() + i][j], within(1e-5f));
                }
                moved.recordScore(0, false, next.vocabulary().id(after.get(i)), 0L, 0L);
            }
        }
    }

    @Test
    void shouldReplayABatchOfKeysLikeEachKeyAlone() {
        int[] lengths = {3, 1, 20, 8, 0, 5, 8};
        try (StepEngine old = StepEngines.create(v1, StepEngines.JAVA, HISTORY);
             StepEngine target = StepEngines.create(v2, StepEngines.ND4J, HISTORY)) {
            Random random = new Random(7);
            List<KeyState> states = new ArrayList<>();
            for (int length : lengths) {
                states.add(run(old, old.newState(Vocabulary.START_ID, 0L), v1.vocabulary(),
                        randomTokens(random, length)));
            }

            List<Migrated> together = new StateMigrator(StateMigration.REPLAY, target, KNOWN).migrate(states);

            assertThat(together).hasSize(lengths.length);
            for (int i = 0; i < lengths.length; i++) {
                Migrated alone = new StateMigrator(StateMigration.REPLAY, target, KNOWN)
                        .migrate(List.of(states.get(i))).get(0);
                Migrated batched = together.get(i);
                assertThat(batched.outcome()).as("key %d", i)
                        .isEqualTo(lengths[i] == 0 ? StateMigrator.RESET : StateMigrator.REPLAYED)
                        .isEqualTo(alone.outcome());
                assertThat(batched.state().tokens()).isEqualTo(lengths[i]);
                assertThat(batched.state().pendingToken()).isEqualTo(alone.state().pendingToken());
                assertThat(batched.state().history()).containsExactly(alone.state().history());
                for (int l = 0; l < 2; l++) {
                    assertClose(batched.state().hidden()[l], alone.state().hidden()[l]);
                    assertClose(batched.state().cell()[l], alone.state().cell()[l]);
                }
            }
        }
    }

    @Test
    void shouldResetWhenTheOldModelIsUnknownOrTheKeyHasNoHistory() {
        try (StepEngine old = StepEngines.create(v1, StepEngines.JAVA, HISTORY);
             StepEngine target = StepEngines.create(v2, StepEngines.JAVA, HISTORY)) {
            KeyState withHistory = run(old, old.newState(Vocabulary.START_ID, 0L), v1.vocabulary(),
                    List.of("t5", "t6"));
            KeyState legacy = new KeyState(v1.label(), copy(withHistory.hidden()), copy(withHistory.cell()),
                    withHistory.pendingToken(), 2, 0, 1.0, 0.5, 0L, 0L, 0L);

            List<Migrated> unknown = new StateMigrator(StateMigration.REPLAY, target, label -> Optional.empty())
                    .migrate(List.of(withHistory));
            List<Migrated> noHistory = new StateMigrator(StateMigration.REPLAY, target, KNOWN).migrate(List.of(legacy));

            assertThat(unknown.get(0).outcome()).isEqualTo(StateMigrator.RESET);
            assertThat(noHistory.get(0).outcome()).isEqualTo(StateMigrator.RESET);
            assertFresh(noHistory.get(0).state(), target);
            assertThat(noHistory.get(0).state().surprisalSum()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldResetToZerosWithStartPendingAndKeepTheStatistics() {
        try (StepEngine old = StepEngines.create(v1, StepEngines.JAVA, HISTORY);
             StepEngine target = StepEngines.create(wider, StepEngines.JAVA, 4)) {
            KeyState state = old.newState(Vocabulary.START_ID, 100L);
            old.step(List.of(state));
            state.recordScore(2.5, true, 7, 150L, 900L);
            old.step(List.of(state));
            state.recordScore(0.5, false, 9, 200L, 1000L);

            Migrated migrated = new StateMigrator(StateMigration.RESET, target, KNOWN).migrate(List.of(state)).get(0);

            assertThat(migrated.outcome()).isEqualTo(StateMigrator.RESET);
            KeyState moved = migrated.state();
            assertFresh(moved, target);
            assertThat(moved.historyCapacity()).isEqualTo(4);
            assertThat(moved.tokens()).isEqualTo(2);
            assertThat(moved.anomalies()).isEqualTo(1);
            assertThat(moved.surprisalSum()).isEqualTo(3.0);
            assertThat(moved.surprisalMax()).isEqualTo(2.5);
            assertThat(moved.firstEventTime()).isEqualTo(100L);
            assertThat(moved.lastEventTime()).isEqualTo(200L);
            assertThat(moved.lastSeenAt()).isEqualTo(1000L);
            assertThat(state.model()).as("the old state is left alone").isEqualTo(v1.label());
            assertThat(state.hidden()[0]).as("the old state is left alone").isNotEqualTo(new float[16]);
        }
    }

    @Test
    void shouldKeepHiddenAndCellOnlyForTheSameArchitectureAndVocabulary() {
        try (StepEngine old = StepEngines.create(v1, StepEngines.JAVA, HISTORY);
             StepEngine same = StepEngines.create(v2, StepEngines.JAVA, HISTORY);
             StepEngine widerEngine = StepEngines.create(wider, StepEngines.JAVA, HISTORY);
             StepEngine otherVocab = StepEngines.create(reordered, StepEngines.JAVA, HISTORY)) {
            KeyState state = run(old, old.newState(Vocabulary.START_ID, 0L), v1.vocabulary(),
                    List.of("t3", "t4", "t5"));

            Migrated kept = new StateMigrator(StateMigration.KEEP, same, KNOWN).migrate(List.of(state)).get(0);
            Migrated reshaped = new StateMigrator(StateMigration.KEEP, widerEngine, KNOWN).migrate(List.of(state)).get(0);
            Migrated renamed = new StateMigrator(StateMigration.KEEP, otherVocab, KNOWN).migrate(List.of(state)).get(0);
            Migrated unknown = new StateMigrator(StateMigration.KEEP, same, label -> Optional.empty())
                    .migrate(List.of(state)).get(0);

            assertThat(kept.outcome()).isEqualTo(StateMigrator.KEPT);
            assertThat(kept.state().model()).isEqualTo(v2.label());
            assertThat(kept.state().hidden()).isDeepEqualTo(state.hidden());
            assertThat(kept.state().cell()).isDeepEqualTo(state.cell());
            assertThat(kept.state().hidden()[0]).isNotSameAs(state.hidden()[0]);
            assertThat(kept.state().pendingToken()).isEqualTo(state.pendingToken());
            assertThat(kept.state().history()).containsExactly(state.history());
            assertThat(kept.state().tokens()).isEqualTo(3);
            assertThat(reshaped.outcome()).as("another architecture").isEqualTo(StateMigrator.RESET);
            assertFresh(reshaped.state(), widerEngine);
            assertThat(renamed.outcome()).as("another vocabulary").isEqualTo(StateMigrator.RESET);
            assertThat(unknown.outcome()).as("an unknown old model").isEqualTo(StateMigrator.RESET);
        }
    }

    @Test
    void shouldMapTheHistoryThroughTokenStrings() {
        try (StepEngine old = StepEngines.create(v1, StepEngines.JAVA, HISTORY);
             StepEngine target = StepEngines.create(reordered, StepEngines.JAVA, HISTORY)) {
            List<String> tokens = List.of("t3", "t29", "<e>", "t10");
            KeyState state = run(old, old.newState(Vocabulary.START_ID, 0L), v1.vocabulary(), tokens);

            KeyState moved = new StateMigrator(StateMigration.REPLAY, target, KNOWN).migrate(List.of(state)).get(0)
                    .state();

            Vocabulary to = reordered.vocabulary();
            assertThat(moved.history()).containsExactly(to.id("t3"), Vocabulary.UNK_ID, Vocabulary.END_ID, to.id("t10"));
            assertThat(to.id("t3")).as("the vocabularies do differ").isNotEqualTo(v1.vocabulary().id("t3"));
            assertThat(moved.pendingToken()).isEqualTo(to.id("t10"));
        }
    }

    @Test
    void shouldRefuseAStateOfTheTargetVersion() {
        try (StepEngine target = StepEngines.create(v2, StepEngines.JAVA, HISTORY)) {
            StateMigrator migrator = new StateMigrator(StateMigration.REPLAY, target, KNOWN);
            List<KeyState> own = List.of(target.newState(Vocabulary.START_ID, 0L));

            assertThatThrownBy(() -> migrator.migrate(own)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(v2.label());
        }
    }

    @Test
    void shouldMakeStatesWithTheEnginesHistoryCapacityAndDescribeItsModel() {
        for (String kind : StepEngines.kinds()) {
            try (StepEngine engine = StepEngines.create(v1, kind, 5);
                 StepEngine byDefault = StepEngines.create(v1, kind)) {
                assertThat(engine.newState(Vocabulary.START_ID, 0L).historyCapacity()).as(kind).isEqualTo(5);
                assertThat(engine.historyTokens()).isEqualTo(5);
                assertThat(byDefault.newState(Vocabulary.START_ID, 0L).historyCapacity())
                        .isEqualTo(KeyState.DEFAULT_HISTORY_TOKENS);
                assertThat(engine.architecture()).isEqualTo(v1.manifest().architecture());
                assertThat(engine.vocabulary()).isEqualTo(v1.vocabulary());
            }
        }
    }

    @Test
    void shouldParseThePolicySetting() {
        assertThat(StateMigration.parse("replay")).isEqualTo(StateMigration.REPLAY);
        assertThat(StateMigration.parse(" Keep ")).isEqualTo(StateMigration.KEEP);
        assertThat(StateMigration.parse("RESET")).isEqualTo(StateMigration.RESET);
        assertThat(StateMigration.KEEP.label()).isEqualTo("keep");
        assertThatThrownBy(() -> StateMigration.parse("rewind")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rewind").hasMessageContaining("replay, reset, keep");
    }

    /** Streams the tokens through the engine, one event each, as the processor does. */
    private static KeyState run(StepEngine engine, KeyState state, Vocabulary vocabulary, List<String> tokens) {
        for (String token : tokens) {
            engine.step(List.of(state));
            state.recordScore(1.0, false, vocabulary.id(token), 0L, 0L);
        }
        return state;
    }

    private static List<String> randomTokens(Random random, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("t" + (Vocabulary.RESERVED.size() + random.nextInt(V - Vocabulary.RESERVED.size())));
        }
        return out;
    }

    private static int[] ids(Vocabulary vocabulary, List<String> tokens) {
        return tokens.stream().mapToInt(vocabulary::id).toArray();
    }

    private static void assertFresh(KeyState state, StepEngine target) {
        assertThat(state.model()).isEqualTo(target.modelLabel());
        assertThat(target.owns(state)).isTrue();
        assertThat(state.pendingToken()).isEqualTo(Vocabulary.START_ID);
        assertThat(state.history()).isEmpty();
        for (int l = 0; l < state.layers(); l++) {
            assertThat(state.hidden()[l]).containsOnly(0f);
            assertThat(state.cell()[l]).containsOnly(0f);
        }
    }

    private static float[][] copy(float[][] rows) {
        return Arrays.stream(rows).map(float[]::clone).toArray(float[][]::new);
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int j = 0; j < actual.length; j++) {
            assertThat(actual[j]).isCloseTo(expected[j], within(1e-5f));
        }
    }
}
