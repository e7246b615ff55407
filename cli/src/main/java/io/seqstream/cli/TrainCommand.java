package io.seqstream.cli;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.TopicSequences;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.training.Cell;
import io.seqstream.training.CorpusMode;
import io.seqstream.training.TokenCorpus;
import io.seqstream.training.Trainer;
import io.seqstream.training.TrainingConfig;
import io.seqstream.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train}: trains a token language model on a text file or on a range of an input topic and publishes it
 * as the next version in a model store, optionally warm-started from a parent version. Exit codes: 0 on
 * success, 2 for bad usage, 1 if reading or training fails (with a one-line error).
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Trains a token language model (embedding, LSTM or simple RNN layers, softmax) on a text file or on "
                    + "the closed sequences of an input topic range, and publishes it as the next version of a "
                    + "model in the store, with its vocabulary, metrics, a loss plot (loss.png) and the "
                    + "per-epoch history (history.json).",
            "",
            "Examples:",
            "  train --data ../shared/data/hdfs/train --name hdfs --vocab id",
            "  train --data ../shared/data/shakespeare/input.txt --name shakespeare",
            "        --vocab char --mode chunks",
            "  train --data ../shared/data/nab/data --name metrics --vocab numeric",
            "        --embedding 16 --hidden 64 --chunk-length 100",
            "  train --from-topic events --since 2h --bootstrap-servers kafka:9092 --name hdfs --parent 3",
            ""})
public final class TrainCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE",
            description = "UTF-8 text to learn from: one sequence per line, or any text with --mode chunks.")
    Path data;

    @Option(names = "--from-topic", paramLabel = "TOPIC",
            description = "Learn from the closed sequences (ended by an event with end=true) of an input topic, "
                    + "read as the scoring topology reads it (setting input.format), instead of --data.")
    String fromTopic;

    @Option(names = "--since", paramLabel = "DURATION",
            description = "With --from-topic: records of the last DURATION (30m, 2h, 7d, PT2H). "
                    + "Default: the whole topic.")
    String since;

    @Option(names = "--offsets", paramLabel = "P:FROM-TO[,...]",
            description = "With --from-topic: these partitions and offsets only, TO exclusive and optional "
                    + "(e.g. 0:0-5000,1:1200-).")
    String offsets;

    @Option(names = "--read-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "With --from-topic: the longest the topic may take to read.")
    String readTimeout;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster for --from-topic (setting bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file of settings (see README).")
    Path configFile;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. -D input.format=text or -D kafka.security.protocol=SSL.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--parent", paramLabel = "VERSION",
            description = "Start from this version of --name: reuse its vocabulary and, when the architecture "
                    + "matches, its weights. Architecture and vocabulary options not given default to the "
                    + "parent's. Recorded as the new version's parent.")
    String parent;

    @Option(names = "--require-warm-start",
            description = "With --parent: fail instead of training from scratch when the parent's weights "
                    + "cannot be reused.")
    boolean requireWarmStart;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Model name in the store (letters, digits, '.', '_', '-').")
    String name;

    @Option(names = "--store", paramLabel = "DIR",
            description = "Model store directory (default: setting model.store, ./models).")
    Path store;

    @Option(names = "--vocab", paramLabel = "KIND", defaultValue = "id", converter = VocabularyConverter.class,
            description = "Tokens: char, word, id (whitespace-separated items such as log keys), or numeric (metric"
                    + " series: --data is a CSV file or a folder of them, one value per line, the last cell).")
    VocabularyKind vocabulary;

    @Option(names = "--bins", paramLabel = "N", defaultValue = "32",
            description = "With --vocab numeric: each key's range so far is cut into N equal bins, the model's tokens.")
    int bins;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "lines", converter = ModeConverter.class,
            description = "lines: one sequence per line; chunks: the whole file in chunks of --chunk-length "
                    + "characters (for char models).")
    CorpusMode mode;

    @Option(names = "--chunk-length", paramLabel = "N", defaultValue = "200",
            description = "Characters per chunk with --mode chunks; with --vocab numeric, values per training sequence.")
    int chunkLength;

    @Option(names = "--lowercase", description = "Lower-case the text before tokenizing.")
    boolean lowercase;

    @Option(names = "--min-count", paramLabel = "N", defaultValue = "1",
            description = "Tokens seen fewer times in the training split become <unk>.")
    int minCount;

    @Option(names = "--max-vocab", paramLabel = "N", defaultValue = "10000",
            description = "Largest vocabulary, counting <s>, <e> and <unk>.")
    int maxVocabulary;

    @Option(names = "--cell", paramLabel = "CELL", defaultValue = "lstm", converter = CellConverter.class,
            description = "Recurrent cell: lstm or simple.")
    Cell cell;

    @Option(names = "--embedding", paramLabel = "E", defaultValue = "32", description = "Token embedding size.")
    int embedding;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "128", description = "Units per recurrent layer.")
    int hidden;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "1", description = "Stacked recurrent layers.")
    int layers;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32", description = "Sequences per batch.")
    int batchSize;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30", description = "Most epochs to train.")
    int epochs;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "10",
            description = "Stop after this many epochs without a lower validation loss.")
    int patience;

    @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "0.005",
            description = "Adam learning rate.")
    double learningRate;

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "5.0",
            description = "Clip each parameter type's gradient to this L2 norm; 0 turns clipping off.")
    double clip;

    @Option(names = "--tbptt", paramLabel = "STEPS", defaultValue = "100",
            description = "Truncated BPTT segment length, used when a training sequence is longer; 0 never.")
    int tbptt;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Share of the sequences held out for validation and early stopping.")
    double validationFraction;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5",
            description = "k of the top-k accuracy metric.")
    int topK;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seeds the weights, the validation split and the batch order.")
    long seed;

    @Option(names = "--no-progress", description = "Print no progress bar or per-epoch lines.")
    boolean noProgress;

    @Override
    public Integer call() {
        checkSource();
        SeqstreamConfig settingsConfig = settings();
        ModelStore models = ModelStore.local(store != null ? store : settingsConfig.modelStore());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrintStream progress = noProgress
                ? null
                : new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        try {
            ModelManifest parentManifest = parent == null ? null : models.manifest(ModelRef.of(name, parent));
            TrainingConfig config = config(parentManifest);
            TrainingResult result = fromTopic == null
                    ? Trainer.train(config, models, progress)
                    : Trainer.train(config, readTopic(settingsConfig, config, err), models, progress);
            printSummary(out, config, result);
            return 0;
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (Exception e) {
            log.debug("Training failed", e);
            err.println("train: failed: " + oneLine(e));
            err.flush();
            return 1;
        } finally {
            if (progress != null) {
                progress.flush();
            }
        }
    }

    /** Exactly one of --data and --from-topic; --since and --offsets only with a topic, and not together. */
    private void checkSource() {
        CommandLine cl = spec.commandLine();
        if ((data == null) == (fromTopic == null)) {
            throw new ParameterException(cl, data == null
                    ? "Missing the data: give --data FILE or --from-topic TOPIC"
                    : "Give either --data or --from-topic, not both");
        }
        if (fromTopic == null && (since != null || offsets != null)) {
            throw new ParameterException(cl, "--since and --offsets select a range of --from-topic");
        }
        if (since != null && offsets != null) {
            throw new ParameterException(cl, "Give either --since or --offsets, not both");
        }
        if (data != null && !Files.isRegularFile(data)
                && !(vocabulary == VocabularyKind.NUMERIC && Files.isDirectory(data))) {
            throw new ParameterException(cl, "No such data file: " + data);
        }
        if (vocabulary == VocabularyKind.NUMERIC && fromTopic != null) {
            throw new ParameterException(cl, "--vocab numeric learns from --data (CSV series), not from a topic");
        }
        if (vocabulary == VocabularyKind.NUMERIC && (bins < 2 || bins > 4096)) {
            throw new ParameterException(cl, "--bins must be 2 to 4096, got " + bins);
        }
        if (requireWarmStart && parent == null) {
            throw new ParameterException(cl, "--require-warm-start needs --parent");
        }
    }

    /** The settings (file, environment, -D, --bootstrap-servers), as other commands resolve them. */
    private SeqstreamConfig settings() {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            overrides.put(Setting.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        }
        try {
            return SeqstreamConfig.load(configFile, System.getenv(), overrides);
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Bad settings: " + e.getMessage(), e);
        }
    }

    private TopicSequences.Range range() {
        try {
            if (since != null) {
                return TopicSequences.Range.since(TopicSequences.Range.parseDuration(since));
            }
            return offsets != null ? TopicSequences.Range.parseOffsets(offsets) : TopicSequences.Range.all();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private TokenCorpus readTopic(SeqstreamConfig settingsConfig, TrainingConfig config, PrintWriter err) {
        TopicSequences.Range range = range();
        Duration timeout;
        try {
            timeout = TopicSequences.Range.parseDuration(readTimeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Vocabulary tokenizer = new Vocabulary(config.vocabulary(), config.lowercase(), Vocabulary.RESERVED);
        TopicSequences.Result read = TopicSequences.read(settingsConfig, fromTopic, range, tokenizer, timeout);
        err.printf(Locale.ROOT, "Read %s: %d records, %d closed sequences (%d tokens), %d still open, "
                        + "%d bad records skipped%s%n",
                read.source(), read.records(), read.sequences().size(), read.tokenCount(), read.openSequences(),
                read.badRecords(), read.badReasons().isEmpty() ? "" : " " + read.badReasons());
        err.flush();
        return TokenCorpus.split(read.source(), read.fingerprint(), read.tokens(), config.validationFraction(),
                config.seed());
    }

    /** The options as a training configuration, with no parent. */
    TrainingConfig config() {
        return config(null);
    }

    /**
     * The options as a training configuration; out-of-range values are usage errors. With a parent, the
     * architecture and vocabulary options not given on the command line take the parent's values.
     */
    TrainingConfig config(ModelManifest parentManifest) {
        try {
            TrainingConfig.Builder builder = TrainingConfig.builder(data, name)
                    .mode(mode)
                    .chunkLength(chunkLength)
                    .vocabulary(vocabulary)
                    .lowercase(lowercase)
                    .minCount(minCount)
                    .maxVocabulary(vocabulary == VocabularyKind.NUMERIC ? bins + Vocabulary.RESERVED.size() : maxVocabulary)
                    .cell(cell)
                    .embedding(embedding)
                    .hidden(hidden)
                    .layers(layers)
                    .batchSize(batchSize)
                    .learningRate(learningRate)
                    .clip(clip)
                    .tbpttLength(tbptt)
                    .maxEpochs(epochs)
                    .patience(patience)
                    .validationFraction(validationFraction)
                    .topK(topK)
                    .seed(seed)
                    .parentVersion(parent)
                    .requireWarmStart(requireWarmStart);
            if (parentManifest != null) {
                inheritFrom(parentManifest, builder);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private void inheritFrom(ModelManifest parentManifest, TrainingConfig.Builder builder) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        ModelManifest.Architecture a = parentManifest.architecture();
        if (!given.hasMatchedOption("--vocab")) {
            builder.vocabulary(parentManifest.vocabulary().kind());
        }
        if (!given.hasMatchedOption("--lowercase")) {
            builder.lowercase(parentManifest.vocabulary().lowercase());
        }
        if (!given.hasMatchedOption("--cell")) {
            builder.cell(Cell.parse(a.cell()));
        }
        if (!given.hasMatchedOption("--embedding")) {
            builder.embedding(a.embedding());
        }
        if (!given.hasMatchedOption("--hidden")) {
            builder.hidden(a.hidden());
        }
        if (!given.hasMatchedOption("--layers")) {
            builder.layers(a.layers());
        }
    }

    private static void printSummary(PrintWriter out, TrainingConfig config, TrainingResult result) {
        var m = result.metrics();
        int epochsRun = result.history().size();
        out.printf(Locale.ROOT, "Published %s version %s%n", result.manifest().name(), result.manifest().version());
        out.printf(Locale.ROOT, "  epochs                %d (best: %d%s)%n", epochsRun, result.bestEpoch(),
                epochsRun < config.maxEpochs() ? ", stopped early" : "");
        out.printf(Locale.ROOT, "  validation loss       %.4f nats/token%n", m.get(Trainer.METRIC_VALIDATION_LOSS));
        out.printf(Locale.ROOT, "  perplexity            %.3f (unigram baseline %.3f)%n",
                m.get(Trainer.METRIC_VALIDATION_PERPLEXITY), m.get(Trainer.METRIC_UNIGRAM_PERPLEXITY));
        out.printf(Locale.ROOT, "  top-%d accuracy        %.2f%%%n", config.topK(),
                100 * m.get(Trainer.topKMetric(config.topK())));
        if (result.warmStart() != null) {
            out.printf(Locale.ROOT, "  parent                %s%n", result.warmStart().describe());
        }
        out.printf(Locale.ROOT, "  training data         %s (%d sequences, %d tokens)%n",
                result.manifest().trainingData().source(), result.manifest().trainingData().sequences(),
                result.manifest().trainingData().tokens());
        out.printf(Locale.ROOT, "  loss plot             %s%n", result.plot().map(Path::toString).orElse(result.plotUri()));
        out.printf(Locale.ROOT, "  model                 %s%n",
                result.versionDir().map(Path::toString).orElse(result.versionUri()));
        out.flush();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName()
                : e.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    static final class VocabularyConverter implements CommandLine.ITypeConverter<VocabularyKind> {
        @Override
        public VocabularyKind convert(String value) {
            try {
                return VocabularyKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ModeConverter implements CommandLine.ITypeConverter<CorpusMode> {
        @Override
        public CorpusMode convert(String value) {
            try {
                return CorpusMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class CellConverter implements CommandLine.ITypeConverter<Cell> {
        @Override
        public Cell convert(String value) {
            try {
                return Cell.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
