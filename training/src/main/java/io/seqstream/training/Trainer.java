package io.seqstream.training;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.ModelDraft;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a token language model and publishes it into a {@link ModelStore}.
 *
 * <p>The run: read and split the corpus, build the vocabulary from the training split, train epoch by epoch on
 * shuffled, length-bucketed, masked batches, evaluate on the validation split after every epoch, stop after
 * {@code patience} epochs without a lower validation loss, restore the best epoch's parameters, then publish
 * them with their metrics, a loss plot ({@value #PLOT}), the per-epoch history ({@value #HISTORY}) and the
 * calibration of the model's scores on its own training data ({@link Calibrator}).
 *
 * <p>Progress (a bar per epoch, then a line of results) goes to the {@code PrintStream} the caller passes, or
 * nowhere if it passes null; everything else is logged through SLF4J.
 */
public final class Trainer {
    public static final String PLOT = "loss.png";
    public static final String HISTORY = "history.json";

    public static final String METRIC_VALIDATION_LOSS = "validation_loss";
    public static final String METRIC_VALIDATION_PERPLEXITY = "validation_perplexity";
    public static final String METRIC_TRAIN_LOSS = "train_loss";
    public static final String METRIC_BEST_EPOCH = "best_epoch";
    public static final String METRIC_EPOCHS = "epochs";
    public static final String METRIC_UNIGRAM_PERPLEXITY = "validation_unigram_perplexity";
    public static final String METRIC_TOKENS_PER_SECOND = "tokens_per_second";

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final TrainingConfig config;
    private final PrintStream progressOut;

    private Trainer(TrainingConfig config, PrintStream progressOut) {
        this.config = config;
        this.progressOut = progressOut;
    }

    /** The name of the top-k accuracy metric, e.g. {@code validation_top5_accuracy}. */
    public static String topKMetric(int k) {
        return "validation_top" + k + "_accuracy";
    }

    /**
     * Trains a model on {@code config.data()} and publishes it as the next version of {@code config.name()}.
     *
     * @param progressOut where the progress bar and per-epoch results go (e.g. {@code System.err}); null for none
     * @throws IllegalArgumentException if the data cannot be used (no data file, not UTF-8, too few sequences)
     * @throws IllegalStateException    if training diverges (the loss becomes NaN or infinite), or a warm start
     *                                  was required and is not possible
     */
    public static TrainingResult train(TrainingConfig config, ModelStore store, PrintStream progressOut)
            throws IOException, ModelException {
        if (config.data() == null) {
            throw new IllegalArgumentException("No data file configured");
        }
        if (config.vocabulary() == VocabularyKind.NUMERIC) {
            return train(config, MetricSeries.corpus(config.data().toString(), MetricSeries.read(config.data()),
                    config.maxVocabulary() - Vocabulary.RESERVED.size(), config.chunkLength(),
                    config.validationFraction(), config.seed()), store, progressOut);
        }
        Corpus corpus = Corpus.read(config.data(), config.mode(), config.chunkLength(), config.validationFraction(),
                config.seed());
        if (config.mode() == CorpusMode.CHUNKS && config.vocabulary() != VocabularyKind.CHAR) {
            log.warn("Chunks are cut every {} characters, through words and ids: chunks mode is meant for char "
                    + "vocabularies, not {}", config.chunkLength(), config.vocabulary().label());
        }
        Vocabulary tokenizer = new Vocabulary(config.vocabulary(), config.lowercase(), Vocabulary.RESERVED);
        return train(config, TokenCorpus.of(corpus, tokenizer), store, progressOut);
    }

    /**
     * Trains a model on sequences that are already split into tokens and into training and validation parts
     * (e.g. read from a topic), and publishes it. {@code config.data()}, {@code mode()} and {@code chunkLength()}
     * are not used.
     */
    public static TrainingResult train(TrainingConfig config, TokenCorpus data, ModelStore store,
                                       PrintStream progressOut) throws IOException, ModelException {
        if (data.train().size() < 2 || data.validation().isEmpty()) {
            throw new IllegalArgumentException("Need at least 2 training sequences and 1 validation sequence, got "
                    + data.train().size() + " and " + data.validation().size());
        }
        LoadedModel parent = config.parentVersion() == null ? null
                : store.load(ModelRef.of(config.name(), config.parentVersion()));
        try {
            return new Trainer(config, progressOut).run(data, parent, store);
        } finally {
            if (parent != null) {
                parent.close();
            }
        }
    }

    private TrainingResult run(TokenCorpus data, LoadedModel parent, ModelStore store)
            throws IOException, ModelException {
        long started = System.nanoTime();
        Vocabulary vocabulary = vocabulary(data, parent);
        SequenceBatches train = SequenceBatches.ofTokens(vocabulary, data.train(), config.batchSize(), DataType.FLOAT);
        SequenceBatches validation =
                SequenceBatches.ofTokens(vocabulary, data.validation(), config.batchSize(), DataType.FLOAT);
        boolean truncated = config.tbpttLength() > 0 && train.maxLength() > config.tbpttLength();
        NetworkSpec spec = new NetworkSpec(config.cell(), vocabulary.size(), config.embedding(), config.hidden(),
                config.layers(), config.learningRate(), config.clip(), truncated ? config.tbpttLength() : 0,
                DataType.FLOAT, config.seed());
        Evaluator.Evaluation unigram = Evaluator.unigram(train, validation, config.topK());
        log.info("Training {} on {} ({} train / {} validation sequences, {} / {} tokens), {}, {} {}x{}x{}{}; "
                        + "unigram baseline perplexity {}",
                config.name(), data.source(), train.size(), validation.size(), train.tokens(), validation.tokens(),
                vocabulary, config.cell().label(), config.embedding(), config.hidden(), config.layers(),
                truncated ? ", TBPTT " + config.tbpttLength() : "", format(unigram.perplexity()));

        MultiLayerNetwork network = NetworkFactory.create(spec);
        try {
            WarmStart warmStart = parent == null ? null : warmStart(parent, vocabulary, data, network, validation);
            Fit fit = fit(network, train, validation);
            Map<String, Double> metrics = metrics(fit, unigram);
            Path scratch = Files.createTempDirectory("seqstream-training-");
            try {
                Path history = scratch.resolve(HISTORY);
                Path plot = scratch.resolve(PLOT);
                Path calibrationFile = scratch.resolve(ModelCalibration.FILE);
                List<List<String>> everything = new ArrayList<>(data.train());
                everything.addAll(data.validation());
                ModelCalibration calibration = Calibrator.calibrate(network, vocabulary, everything);
                calibration.write(calibrationFile);
                if (progressOut != null) {
                    progressOut.println(calibration.describe());
                    progressOut.flush();
                }
                log.info("{}: {}", config.name(), calibration.describe());
                ModelStore.json().writeValue(history.toFile(),
                        historyDocument(fit, data, vocabulary, train, validation, truncated, unigram, warmStart));
                LossPlot.write(fit.history(), fit.bestEpoch(), "Loss of " + config.name() + " ("
                        + config.cell().label() + " " + config.embedding() + "x" + config.hidden() + "x"
                        + config.layers() + ")", plot);
                ModelDraft draft = new ModelDraft(network, vocabulary,
                        new ModelManifest.TrainingData(data.fingerprint(), data.source(), train.size(),
                                train.tokens() - train.size()),
                        metrics, Map.of(HISTORY, history, PLOT, plot, ModelCalibration.FILE, calibrationFile),
                        config.parentVersion());
                ModelManifest manifest = store.publish(config.name(), draft);
                log.info("Trained {} in {} s: validation loss {} nats/token, perplexity {}, top-{} accuracy {} "
                                + "(best of {} epochs: {})",
                        manifest.label(), format((System.nanoTime() - started) / 1e9),
                        format(metrics.get(METRIC_VALIDATION_LOSS)),
                        format(metrics.get(METRIC_VALIDATION_PERPLEXITY)), config.topK(),
                        format(metrics.get(topKMetric(config.topK()))), fit.history().size(), fit.bestEpoch());
                return new TrainingResult(manifest, fit.history(), metrics,
                        store.versionUri(manifest.ref()), warmStart);
            } finally {
                deleteQuietly(scratch);
            }
        } finally {
            network.close();
        }
    }

    /**
     * The parent's vocabulary when it tokenizes the same way (kind and lower-casing) as this run, so token ids
     * keep their meaning; else one built from the training split.
     */
    private Vocabulary vocabulary(TokenCorpus data, LoadedModel parent) {
        if (parent != null && parent.vocabulary().kind() == config.vocabulary()
                && parent.vocabulary().lowercase() == config.lowercase()) {
            return parent.vocabulary();
        }
        return Vocabularies.build(config.vocabulary(), config.lowercase(), data.train(), config.minCount(),
                config.maxVocabulary());
    }

    /**
     * Starts {@code network} from the parent's parameters when the architecture and vocabulary are the same, and
     * says what was reused; with {@code requireWarmStart}, fails when the weights cannot be.
     */
    private WarmStart warmStart(LoadedModel parent, Vocabulary vocabulary, TokenCorpus data,
                                MultiLayerNetwork network, SequenceBatches validation) {
        boolean vocabularyReused = vocabulary == parent.vocabulary();
        Vocabularies.Unknown unknown = vocabularyReused
                ? Vocabularies.unknown(vocabulary, data.train())
                : new Vocabularies.Unknown(0, 0);
        ModelManifest.Architecture wanted = new ModelManifest.Architecture(config.cell().label(), vocabulary.size(),
                config.embedding(), config.hidden(), config.layers());
        ModelManifest.Architecture had = parent.manifest().architecture();
        String reason = null;
        if (!vocabularyReused) {
            reason = "its vocabulary is " + parent.vocabulary().kind().label()
                    + (parent.vocabulary().lowercase() ? " (lower-cased)" : "") + ", this run's "
                    + config.vocabulary().label() + (config.lowercase() ? " (lower-cased)" : "");
        } else if (!wanted.equals(had)) {
            reason = "its architecture is " + describe(had) + ", this run's " + describe(wanted);
        } else if (network.numParams() != parent.network().numParams()) {
            reason = "its network has " + parent.network().numParams() + " parameters, this run's "
                    + network.numParams();
        }
        WarmStart result;
        if (reason == null) {
            network.setParams(parent.network().params().dup().castTo(network.params().dataType()));
            double before = Evaluator.evaluate(network, validation, config.topK()).loss();
            result = new WarmStart(parent.label(), true, true, null, unknown.distinct(), unknown.occurrences(),
                    before);
        } else {
            result = new WarmStart(parent.label(), vocabularyReused, false, reason, unknown.distinct(),
                    unknown.occurrences(), Double.NaN);
            if (config.requireWarmStart()) {
                throw new IllegalStateException("Cannot warm-start from " + parent.label() + ": " + reason);
            }
        }
        if (progressOut != null) {
            progressOut.println(result.describe());
            progressOut.flush();
        }
        log.info("{}: {}", config.name(), result.describe());
        return result;
    }

    private static String describe(ModelManifest.Architecture a) {
        return a.cell() + " V" + a.vocabSize() + " E" + a.embedding() + " H" + a.hidden() + " L" + a.layers();
    }

    /** The epochs run, the best epoch and its evaluation. */
    private record Fit(List<EpochStats> history, int bestEpoch, Evaluator.Evaluation best, boolean stoppedEarly) {
    }

    private Fit fit(MultiLayerNetwork network, SequenceBatches train, SequenceBatches validation) {
        ScoreSum scores = new ScoreSum();
        network.setListeners(scores);
        EarlyStopping stopping = new EarlyStopping(config.patience());
        List<EpochStats> history = new ArrayList<>();
        INDArray bestParameters = null;
        Evaluator.Evaluation bestEvaluation = null;
        boolean stoppedEarly = false;
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            long tokens = 0;
            try (Progress progress = Progress.start(progressOut, epoch, config.maxEpochs(), train.tokens())) {
                for (int[] members : train.plan(epochSeed(epoch))) {
                    SequenceBatch batch = train.batch(members);
                    scores.reset();
                    network.fit(batch.features(), batch.labels(), batch.featuresMask(), batch.labelsMask());
                    // DL4J's score is the masked loss summed over the batch and divided by the number of
                    // sequences; with TBPTT there is one score per segment.
                    double batchLoss = scores.sum() * batch.size();
                    if (!Double.isFinite(batchLoss)) {
                        throw new IllegalStateException("Training diverged in epoch " + epoch + ": the loss is "
                                + batchLoss + "; lower the learning rate (" + config.learningRate()
                                + ") or the clipping threshold (" + config.clip() + ")");
                    }
                    lossSum += batchLoss;
                    tokens += batch.tokens();
                    progress.step(batch.tokens(), lossSum / tokens);
                }
            }
            double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
            Evaluator.Evaluation evaluation = Evaluator.evaluate(network, validation, config.topK());
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            EpochStats stats = new EpochStats(epoch, lossSum / tokens, evaluation.loss(), evaluation.perplexity(),
                    evaluation.topKAccuracy(), tokens / trainSeconds, seconds);
            history.add(stats);
            boolean best = stopping.record(evaluation.loss());
            if (best) {
                bestParameters = network.params().dup();
                bestEvaluation = evaluation;
            }
            report(stats, best);
            if (stopping.shouldStop() && epoch < config.maxEpochs()) {
                stoppedEarly = true;
                log.info("Stopping early after epoch {}: no lower validation loss for {} epochs (best: epoch {})",
                        epoch, config.patience(), stopping.bestEpoch());
                break;
            }
        }
        network.setListeners();
        if (bestParameters == null) {
            throw new IllegalStateException("No epoch produced a finite validation loss");
        }
        network.setParams(bestParameters);
        network.rnnClearPreviousState();
        return new Fit(history, stopping.bestEpoch(), bestEvaluation, stoppedEarly);
    }

    private long epochSeed(int epoch) {
        return config.seed() ^ (epoch * 0x9E3779B97F4A7C15L);
    }

    private void report(EpochStats stats, boolean best) {
        String line = String.format(Locale.ROOT,
                "epoch %d/%d: train loss %.4f, validation loss %.4f, perplexity %.3f, top-%d accuracy %.2f%%, "
                        + "%,.0f tokens/s, %.1f s%s",
                stats.epoch(), config.maxEpochs(), stats.trainLoss(), stats.validationLoss(),
                stats.validationPerplexity(), config.topK(), 100 * stats.validationTopKAccuracy(),
                stats.tokensPerSecond(), stats.seconds(), best ? " (best)" : "");
        if (progressOut != null) {
            progressOut.println(line);
            progressOut.flush();
            log.debug("{}", line);
        } else {
            log.info("{}", line);
        }
    }

    private Map<String, Double> metrics(Fit fit, Evaluator.Evaluation unigram) {
        EpochStats best = fit.history().get(fit.bestEpoch() - 1);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(METRIC_VALIDATION_LOSS, fit.best().loss());
        metrics.put(METRIC_VALIDATION_PERPLEXITY, fit.best().perplexity());
        metrics.put(topKMetric(config.topK()), fit.best().topKAccuracy());
        metrics.put(METRIC_TRAIN_LOSS, best.trainLoss());
        metrics.put(METRIC_BEST_EPOCH, (double) fit.bestEpoch());
        metrics.put(METRIC_EPOCHS, (double) fit.history().size());
        metrics.put(METRIC_UNIGRAM_PERPLEXITY, unigram.perplexity());
        metrics.put(METRIC_TOKENS_PER_SECOND,
                fit.history().stream().mapToDouble(EpochStats::tokensPerSecond).average().orElse(0));
        return metrics;
    }

    private Map<String, Object> historyDocument(Fit fit, TokenCorpus data, Vocabulary vocabulary,
                                                SequenceBatches train, SequenceBatches validation, boolean truncated,
                                                Evaluator.Evaluation unigram, WarmStart warmStart) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("config", config.describe());
        doc.put("source", data.source());
        doc.put("vocabulary_size", vocabulary.size());
        doc.put("train_sequences", train.size());
        doc.put("train_tokens", train.tokens());
        doc.put("validation_sequences", validation.size());
        doc.put("validation_tokens", validation.tokens());
        doc.put("truncated_bptt", truncated);
        doc.put("top_k", config.topK());
        doc.put("validation_unigram_loss", unigram.loss());
        doc.put("best_epoch", fit.bestEpoch());
        doc.put("stopped_early", fit.stoppedEarly());
        if (warmStart != null) {
            Map<String, Object> warm = new LinkedHashMap<>();
            warm.put("parent", warmStart.parent());
            warm.put("vocabulary_reused", warmStart.vocabularyReused());
            warm.put("weights_reused", warmStart.weightsReused());
            if (warmStart.reason() != null) {
                warm.put("reason", warmStart.reason());
            } else {
                warm.put("initial_validation_loss", warmStart.initialValidationLoss());
            }
            warm.put("unknown_tokens", warmStart.unknownTokens());
            warm.put("unknown_token_occurrences", warmStart.unknownOccurrences());
            doc.put("warm_start", warm);
        }
        doc.put("epochs", fit.history());
        return doc;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Could not delete scratch directory {}: {}", dir, e.toString());
        }
    }

    /** Adds up the score of every optimisation step (one per batch, or one per TBPTT segment). */
    private static final class ScoreSum extends BaseTrainingListener {
        private double sum;

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
        }

        void reset() {
            sum = 0;
        }

        double sum() {
            return sum;
        }
    }
}
