package io.seqstream.training;

import io.seqstream.model.ModelStore;
import io.seqstream.model.VocabularyKind;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
 * {@code train}: trains a token language model on a text file and publishes it as the next version in a model
 * store. Exit codes: 0 on success, 2 for bad usage, 1 if training fails (with a one-line error).
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = TrainCommand.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Trains a token language model (embedding, LSTM or simple RNN layers, softmax) on a text file and "
                    + "publishes it as the next version of a model in the store, with its vocabulary, metrics, "
                    + "a loss plot (loss.png) and the per-epoch history (history.json).",
            "",
            "Examples:",
            "  train --data ../shared/data/hdfs/train --name hdfs --vocab id",
            "  train --data ../shared/data/shakespeare/input.txt --name shakespeare",
            "        --vocab char --mode chunks",
            ""})
public final class TrainCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "UTF-8 text to learn from: one sequence per line, or any text with --mode chunks.")
    Path data;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Model name in the store (letters, digits, '.', '_', '-').")
    String name;

    @Option(names = "--store", paramLabel = "DIR", defaultValue = "./models",
            description = "Model store directory.")
    Path store;

    @Option(names = "--vocab", paramLabel = "KIND", defaultValue = "id", converter = VocabularyConverter.class,
            description = "Tokens: char, word, or id (whitespace-separated items such as log keys).")
    VocabularyKind vocabulary;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "lines", converter = ModeConverter.class,
            description = "lines: one sequence per line; chunks: the whole file in chunks of --chunk-length "
                    + "characters (for char models).")
    CorpusMode mode;

    @Option(names = "--chunk-length", paramLabel = "N", defaultValue = "200",
            description = "Characters per chunk with --mode chunks.")
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

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "20", description = "Most epochs to train.")
    int epochs;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "3",
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
        TrainingConfig config = config();
        if (!Files.isRegularFile(data)) {
            throw new ParameterException(spec.commandLine(), "No such data file: " + data);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrintStream progress = noProgress
                ? null
                : new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        try {
            TrainingResult result = Trainer.train(config, ModelStore.local(store), progress);
            printSummary(out, config, result);
            return 0;
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

    /** The options as a training configuration; out-of-range values are usage errors. */
    TrainingConfig config() {
        try {
            return TrainingConfig.builder(data, name)
                    .mode(mode)
                    .chunkLength(chunkLength)
                    .vocabulary(vocabulary)
                    .lowercase(lowercase)
                    .minCount(minCount)
                    .maxVocabulary(maxVocabulary)
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
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
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
        out.printf(Locale.ROOT, "  loss plot             %s%n",
                result.plot().map(Path::toString).orElse(result.plotUri()));
        out.printf(Locale.ROOT, "  model directory       %s%n",
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

    /** The version of this module, from its jar manifest where there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TrainCommand.class.getPackage().getImplementationVersion();
            return new String[] {"seqstream train " + (version == null ? "(development build)" : version)};
        }
    }
}
