package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelDraft;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationGateTest {
    private static final int K = 3;

    @TempDir
    static Path dir;

    private static TrainingConfig config;
    private static TrainingResult trained;
    private static LoadedModel model;
    private static LoadedModel untrained;
    private static List<List<String>> validation;

    /** One small HDFS model trained here, and an untrained network of the same shape and vocabulary. */
    @BeforeAll
    static void train() throws Exception {
        Path data = TestData.hdfsSlice(dir, 300);
        ModelStore store = ModelStore.local(dir.resolve("models"));
        config = TrainingConfig.builder(data, "gate").embedding(8).hidden(16).learningRate(0.02).maxEpochs(4)
                .topK(K).build();
        trained = Trainer.train(config, store, null);
        model = store.load(trained.manifest().ref());
        store.publish("random", new ModelDraft(
                NetworkFactory.create(NetworkSpec.of(Cell.LSTM, model.vocabulary().size(), 8, 16, 1)),
                model.vocabulary(), new ModelManifest.TrainingData("none", "random", 0, 0), Map.of(), Map.of()));
        untrained = store.load(ModelRef.latest("random"));
        Corpus corpus = Corpus.read(data, config.mode(), config.chunkLength(), config.validationFraction(),
                config.seed());
        Vocabulary tokenizer = new Vocabulary(config.vocabulary(), config.lowercase(), Vocabulary.RESERVED);
        validation = TokenCorpus.of(corpus, tokenizer).validation();
    }

    @AfterAll
    static void close() {
        model.close();
        untrained.close();
    }

    @Test
    void shouldGiveTheTrainersOwnValidationFiguresOnItsValidationSplit() {
        ModelEvaluation evaluation = EvaluationGate.evaluate(model, validation, K);

        assertThat(evaluation.model()).isEqualTo("gate@1");
        assertThat(evaluation.k()).isEqualTo(K);
        assertThat(evaluation.tokens()).isEqualTo(validation.stream().mapToLong(s -> s.size() + 1).sum());
        assertThat(evaluation.loss()).isCloseTo(trained.metrics().get(Trainer.METRIC_VALIDATION_LOSS), within(1e-4));
        assertThat(evaluation.topKAccuracy())
                .isCloseTo(trained.metrics().get(Trainer.topKMetric(K)), within(1e-9));
    }

    @Test
    void shouldPassAModelAgainstItselfWithNoMargin() {
        ModelEvaluation evaluation = EvaluationGate.evaluate(model, validation, K);

        GateResult result = EvaluationGate.compare(evaluation, evaluation, 0, 0);

        assertThat(result.passed()).as(result.reason()).isTrue();
        assertThat(result.reason()).contains("+0.0% <= 0.0% allowed", "+0.00 points");
    }

    @Test
    void shouldFailAnUntrainedModelAgainstTheTrainedOneAndPassTheReverse() {
        ModelEvaluation good = EvaluationGate.evaluate(model, validation, K);
        ModelEvaluation random = EvaluationGate.evaluate(untrained, validation, K);

        GateResult worse = EvaluationGate.compare(random, good, 0.02, 0.01);
        GateResult better = EvaluationGate.compare(good, random, 0.02, 0.01);

        assertThat(random.loss()).isGreaterThan(2 * good.loss());
        assertThat(worse.passed()).as(worse.reason()).isFalse();
        assertThat(worse.reason()).contains("vs active", "> 2.0% allowed", "top-3 accuracy");
        assertThat(better.passed()).as(better.reason()).isTrue();
    }

    @Test
    void shouldScoreUnseenTokensAsUnknownAndLeaveTheSharedNetworkAlone() {
        List<String> session = validation.get(0);
        List<List<String>> withUnseen = List.of(List.of("never-seen", session.get(0)), List.of());

        ModelEvaluation evaluation = EvaluationGate.evaluate(model, withUnseen, K);
        ModelEvaluation again = EvaluationGate.evaluate(model, validation, K);

        assertThat(evaluation.tokens()).isEqualTo(3 + 1);
        assertThat(evaluation.loss()).isFinite().isPositive();
        assertThat(again.loss()).isEqualTo(EvaluationGate.evaluate(model, validation, K).loss());
        assertThat(model.network().rnnGetPreviousState(1)).isNullOrEmpty();
    }

    @Test
    void shouldApplyTheRelativeLossMarginAndTheAbsoluteAccuracyMargin() {
        ModelEvaluation active = new ModelEvaluation("m@1", 0.398, 0.92, 5, 1000);
        ModelEvaluation candidate = new ModelEvaluation("m@2", 0.412, 0.912, 5, 1000);

        GateResult strict = EvaluationGate.compare(candidate, active, 0.02, 0.01);
        GateResult lenient = EvaluationGate.compare(candidate, active, 0.05, 0.01);
        GateResult accuracyDrop = EvaluationGate.compare(candidate, active, 0.05, 0.005);

        assertThat(strict.passed()).isFalse();
        assertThat(strict.reason()).startsWith("loss 0.412 vs active 0.398 (+3.5% > 2.0% allowed)")
                .contains("top-5 accuracy 91.20% vs active 92.00% (-0.80 points");
        assertThat(lenient.passed()).as(lenient.reason()).isTrue();
        assertThat(accuracyDrop.passed()).as(accuracyDrop.reason()).isFalse();
        assertThat(accuracyDrop.reason()).contains("more than the drop of 0.50 points allowed");
    }

    @Test
    void shouldRefuseMismatchedKAndNegativeMarginsAndNoSequences() {
        ModelEvaluation top5 = new ModelEvaluation("m@1", 0.4, 0.9, 5, 10);
        ModelEvaluation top3 = new ModelEvaluation("m@2", 0.4, 0.9, 3, 10);

        assertThatThrownBy(() -> EvaluationGate.compare(top5, top3, 0.02, 0.01))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top-5", "top-3");
        assertThatThrownBy(() -> EvaluationGate.compare(top5, top5, -0.1, 0.01))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EvaluationGate.evaluate(model, List.of(), K))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no sequences");
    }
}
