package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Sha256;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TrainerTest {
    @TempDir
    Path dir;

    @Test
    void shouldBeatTheUnigramBaselineOnHdfsSessionsAndPublishAVersion() throws Exception {
        Path data = TestData.hdfsSlice(dir, 400);
        ModelStore store = ModelStore.local(dir.resolve("models"));
        TrainingConfig config = TrainingConfig.builder(data, "hdfs-tiny")
                .vocabulary(VocabularyKind.ID)
                .embedding(8)
                .hidden(16)
                .learningRate(0.02)
                .maxEpochs(4)
                .topK(3)
                .build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        TrainingResult result = Trainer.train(config, store, new PrintStream(progress, true, StandardCharsets.UTF_8));

        ModelManifest manifest = result.manifest();
        assertThat(manifest.version()).isEqualTo("1");
        assertThat(manifest.metrics()).containsKeys("validation_loss", "validation_perplexity",
                "validation_top3_accuracy", "train_loss", "best_epoch", "epochs");
        double perplexity = manifest.metrics().get("validation_perplexity");
        double unigram = unigramPerplexity(data, config);
        assertThat(perplexity).isLessThan(unigram / 2);
        assertThat(manifest.metrics().get("validation_loss")).isCloseTo(Math.log(perplexity), within(1e-9));
        assertThat(manifest.metrics().get("validation_top3_accuracy")).isBetween(0.5, 1.0);
        assertThat(manifest.metrics().get("epochs")).isEqualTo(result.history().size());
        assertThat(manifest.trainingData().fingerprint()).isEqualTo(Sha256.of(data));
        assertThat(manifest.files()).containsKeys(Trainer.PLOT, Trainer.HISTORY, ModelStore.NETWORK);

        BufferedImage plot = ImageIO.read(result.plot().orElseThrow().toFile());
        assertThat(Files.readAllBytes(result.plot().orElseThrow())).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
        assertThat(plot).isNotNull();
        assertThat(plot.getWidth()).isEqualTo(800);
        JsonNode history = ModelStore.json().readTree(result.versionDir().orElseThrow().resolve(Trainer.HISTORY).toFile());
        assertThat(history.get("epochs")).hasSize(result.history().size());
        assertThat(history.get("epochs").get(0).get("tokens_per_second").asDouble()).isPositive();
        assertThat(history.get("config").get("hidden").asInt()).isEqualTo(16);
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("epoch 1/4", "tok/s", "loss ", "validation loss", "calibration from 400 "
                + "training sequences");
        assertThat(manifest.files()).containsKey(ModelCalibration.FILE);

        try (LoadedModel loaded = store.load(manifest.ref())) {
            ModelCalibration calibration = loaded.calibration().orElseThrow();
            assertThat(calibration.sequences()).isEqualTo(400);
            assertThat(calibration.sessionMaxSurprisal()).isPositive()
                    .isGreaterThanOrEqualTo(calibration.eventSurprisal()[ModelCalibration.QUANTILES - 1] - 1e-9);
            INDArray next = loaded.network().rnnTimeStep(Nd4j.create(new float[][] {{Vocabulary.START_ID}}));
            assertThat(next.shape()).containsExactly(1, loaded.vocabulary().size());
        }
    }

    @Test
    void shouldStopAfterPatienceEpochsWithoutImprovementAndPublishTheBestEpoch() throws Exception {
        // Random ids: nothing to learn beyond their frequencies, so a large model with a high learning rate
        // soon memorises the training lines and its validation loss turns up.
        Path data = TestData.randomIds(dir, 80, 12, 8, 11);
        ModelStore store = ModelStore.local(dir.resolve("models"));
        TrainingConfig config = TrainingConfig.builder(data, "overfit")
                .embedding(16)
                .hidden(64)
                .batchSize(8)
                .learningRate(0.05)
                .validationFraction(0.25)
                .maxEpochs(25)
                .patience(2)
                .build();

        TrainingResult result = Trainer.train(config, store, null);

        List<EpochStats> history = result.history();
        double minimum = history.stream().mapToDouble(EpochStats::validationLoss).min().orElseThrow();
        int best = result.bestEpoch();
        assertThat(history.size()).as("stopped early").isLessThan(config.maxEpochs());
        assertThat(history).hasSize(best + config.patience());
        assertThat(history.get(best - 1).validationLoss()).isEqualTo(minimum);
        assertThat(history.subList(best, history.size()))
                .allSatisfy(e -> assertThat(e.validationLoss()).isGreaterThanOrEqualTo(minimum));
        Map<String, Double> metrics = result.manifest().metrics();
        assertThat(metrics.get("validation_loss")).isEqualTo(minimum);
        assertThat(metrics.get("best_epoch")).isEqualTo(best);
        assertThat(metrics.get("epochs")).isEqualTo(history.size());
        assertThat(metrics.get("train_loss")).isEqualTo(history.get(best - 1).trainLoss());

        // The published parameters are the best epoch's, not the last one's: evaluate them afresh.
        Corpus corpus = Corpus.read(data, config.mode(), config.chunkLength(), config.validationFraction(),
                config.seed());
        try (LoadedModel loaded = store.load(result.manifest().ref())) {
            SequenceBatches validation = SequenceBatches.of(loaded.vocabulary(), corpus.validation(),
                    config.batchSize(), DataType.FLOAT);
            Evaluator.Evaluation again = Evaluator.evaluate(loaded.network(), validation, config.topK());
            assertThat(again.loss()).isCloseTo(minimum, within(1e-6));
            assertThat(again.loss()).isNotCloseTo(history.get(history.size() - 1).validationLoss(), within(1e-4));
        }
    }

    @Test
    void shouldTrainACharacterModelOnChunksWithTruncatedBptt() throws Exception {
        Path data = TestData.shakespeareSlice(dir, 6_000);
        TrainingConfig config = TrainingConfig.builder(data, "shakespeare-tiny")
                .vocabulary(VocabularyKind.CHAR)
                .mode(CorpusMode.CHUNKS)
                .chunkLength(60)
                .tbpttLength(20)
                .cell(Cell.SIMPLE)
                .embedding(8)
                .hidden(32)
                .learningRate(0.02)
                .maxEpochs(3)
                .build();

        TrainingResult result = Trainer.train(config, ModelStore.local(dir.resolve("models")), null);

        JsonNode history = ModelStore.json().readTree(result.versionDir().orElseThrow().resolve(Trainer.HISTORY).toFile());
        assertThat(history.get("truncated_bptt").asBoolean()).isTrue();
        assertThat(result.manifest().vocabulary().kind()).isEqualTo(VocabularyKind.CHAR);
        assertThat(result.metrics().get("validation_perplexity"))
                .isLessThan(result.metrics().get(Trainer.METRIC_UNIGRAM_PERPLEXITY));
        // Every TBPTT segment's loss is counted (61 steps: segments of 20, 20, 20 and 1), so the training loss is
        // of the order of the validation loss, not the last segment's share of it.
        EpochStats last = result.history().get(result.history().size() - 1);
        assertThat(last.trainLoss()).isBetween(0.7 * last.validationLoss(), 1.3 * last.validationLoss());
    }

    /** Cross-entropy of add-one-smoothed training frequencies on the validation split, written independently. */
    private static double unigramPerplexity(Path data, TrainingConfig config) throws Exception {
        Corpus corpus = Corpus.read(data, config.mode(), config.chunkLength(), config.validationFraction(),
                config.seed());
        Vocabulary vocabulary = Vocabulary.build(config.vocabulary(), false, corpus.train(), 1, 10_000);
        Map<Integer, Integer> counts = new HashMap<>();
        long total = 0;
        for (String line : corpus.train()) {
            for (int id : SequenceBatches.wrap(vocabulary.encode(line))) {
                if (id != Vocabulary.START_ID) {
                    counts.merge(id, 1, Integer::sum);
                    total++;
                }
            }
        }
        double nats = 0;
        long tokens = 0;
        for (String line : corpus.validation()) {
            for (int id : SequenceBatches.wrap(vocabulary.encode(line))) {
                if (id != Vocabulary.START_ID) {
                    nats -= Math.log((counts.getOrDefault(id, 0) + 1.0) / (total + vocabulary.size()));
                    tokens++;
                }
            }
        }
        return Math.exp(nats / tokens);
    }
}
