package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmStartTest {
    @TempDir
    static Path dir;

    private static Path data;
    private static ModelStore store;
    private static TrainingConfig parentConfig;
    private static TrainingResult parent;

    @BeforeAll
    static void trainParent() throws Exception {
        data = TestData.hdfsSlice(dir, 300);
        store = ModelStore.local(dir.resolve("models"));
        parentConfig = TrainingConfig.builder(data, "warm").embedding(8).hidden(16).learningRate(0.02)
                .maxEpochs(4).build();
        parent = Trainer.train(parentConfig, store, null);
    }

    @Test
    void shouldStartFromTheParentsWeightsSoTheFirstEpochIsAlreadyAsGood() throws Exception {
        TrainingConfig oneEpoch = parentConfig.toBuilder().maxEpochs(1).build();
        double parentLoss = parent.metrics().get(Trainer.METRIC_VALIDATION_LOSS);

        TrainingResult warm = Trainer.train(oneEpoch.toBuilder().parentVersion("1").requireWarmStart(true).build(),
                store, null);
        TrainingResult scratch = Trainer.train(oneEpoch.toBuilder().name("cold").build(), store, null);

        assertThat(warm.warmStart().weightsReused()).isTrue();
        assertThat(warm.warmStart().vocabularyReused()).isTrue();
        assertThat(warm.warmStart().unknownTokens()).isZero();
        // Same data, same seed, same split: before training the copy scores exactly what its parent did.
        assertThat(warm.warmStart().initialValidationLoss()).isCloseTo(parentLoss, within(1e-4));
        double warmFirst = warm.history().get(0).validationLoss();
        double coldFirst = scratch.history().get(0).validationLoss();
        assertThat(warmFirst).isCloseTo(parentLoss, within(0.15 * parentLoss));
        assertThat(warmFirst).isLessThan(0.6 * coldFirst);
        assertThat(scratch.warmStart()).isNull();
        try (var loaded = store.load(warm.manifest().ref()); var first = store.load(ModelRef.of("warm", "1"))) {
            assertThat(loaded.vocabulary()).isEqualTo(first.vocabulary());
        }
        JsonNode history = ModelStore.json().readTree(warm.versionDir().orElseThrow().resolve(Trainer.HISTORY).toFile());
        assertThat(history.get("warm_start").get("parent").asText()).isEqualTo("warm@1");
        assertThat(history.get("warm_start").get("weights_reused").asBoolean()).isTrue();
        assertThat(history.get("config").get("parent_version").asText()).isEqualTo("1");
    }

    @Test
    void shouldTrainFromScratchWhenTheArchitectureDiffersAndCountTokensTheParentLacks() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(data, StandardCharsets.UTF_8));
        lines.add("5 new-a new-b 5");
        lines.add("new-a 22 11");
        Path more = Files.write(dir.resolve("more.txt"), lines, StandardCharsets.UTF_8);
        TrainingConfig wider = parentConfig.toBuilder().data(more).hidden(8).maxEpochs(1).parentVersion("1").build();

        TrainingResult result = Trainer.train(wider, store, null);

        WarmStart warmStart = result.warmStart();
        assertThat(warmStart.weightsReused()).isFalse();
        assertThat(warmStart.vocabularyReused()).isTrue();
        assertThat(warmStart.reason()).contains("architecture", "H16", "H8");
        assertThat(warmStart.initialValidationLoss()).isNaN();
        // Both extra lines may not land in the training split, but at least one does.
        assertThat(warmStart.unknownTokens()).isBetween(1, 2);
        assertThat(warmStart.describe()).contains("trained from scratch", "became <unk>");
        assertThat(result.manifest().architecture().vocabSize()).isEqualTo(parent.manifest().architecture().vocabSize());
    }

    @Test
    void shouldFailWhenAWarmStartIsRequiredButImpossible() throws Exception {
        int versions = store.versions("warm").size();
        TrainingConfig charVocabulary = parentConfig.toBuilder().vocabulary(VocabularyKind.WORD).maxEpochs(1)
                .parentVersion("1").requireWarmStart(true).build();

        assertThatThrownBy(() -> Trainer.train(charVocabulary, store, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot warm-start from warm@1", "vocabulary is id");
        assertThat(store.versions("warm")).hasSize(versions);
        assertThatThrownBy(() -> parentConfig.toBuilder().requireWarmStart(true).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBuildFromSplitTokensTheVocabularyThatTextsWouldGive() throws Exception {
        Corpus corpus = Corpus.read(TestData.shakespeareSlice(dir, 3_000), CorpusMode.LINES, 200, 0.1, 42);
        for (VocabularyKind kind : VocabularyKind.values()) {
            for (boolean lowercase : new boolean[] {false, true}) {
                Vocabulary tokenizer = new Vocabulary(kind, lowercase, Vocabulary.RESERVED);
                List<List<String>> tokens = TokenCorpus.of(corpus, tokenizer).train();

                assertThat(Vocabularies.build(kind, lowercase, tokens, 2, 40))
                        .isEqualTo(Vocabulary.build(kind, lowercase, corpus.train(), 2, 40));
            }
        }
    }
}
