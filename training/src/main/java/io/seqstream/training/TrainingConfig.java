package io.seqstream.training;

import io.seqstream.model.VocabularyKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run needs. Start from {@link #builder(Path, String)} (the defaults below) or
 * {@link #quickstart(Path, String)}.
 *
 * @param data               UTF-8 text file to learn from; null when the caller hands the trainer its sequences
 *                           ({@link Trainer#train(TrainingConfig, TokenCorpus, io.seqstream.model.ModelStore,
 *                           java.io.PrintStream)})
 * @param mode               one sequence per line, or fixed-length chunks of the whole file
 * @param chunkLength        characters per chunk in {@link CorpusMode#CHUNKS} mode
 * @param vocabulary         how text becomes tokens: char, word or id
 * @param lowercase          lower-case text before tokenizing
 * @param minCount           tokens seen fewer times in the training split become {@code <unk>}
 * @param maxVocabulary      at most this many tokens, the three reserved ones included
 * @param name               model name in the store
 * @param cell               lstm or simple
 * @param embedding          token embedding size E
 * @param hidden             units per recurrent layer H
 * @param layers             stacked recurrent layers L
 * @param batchSize          sequences per mini-batch
 * @param learningRate       Adam's learning rate
 * @param clip               gradient clipping threshold (L2 norm per parameter type); 0 turns it off
 * @param tbpttLength        truncated BPTT segment length, used when a training sequence is longer; 0 never
 * @param maxEpochs          upper bound on epochs
 * @param patience           stop after this many epochs without a lower validation loss
 * @param validationFraction share of sequences held out for validation, in (0, 1)
 * @param topK               k of the top-k accuracy metric
 * @param seed               seeds weights, the split and the batch order
 * @param parentVersion      a version of {@code name} to start from (its vocabulary and, when the architecture
 *                           matches, its weights), recorded as the new version's parent; null for none
 * @param requireWarmStart   fail instead of training from scratch when the parent's weights cannot be reused
 */
public record TrainingConfig(
        Path data,
        CorpusMode mode,
        int chunkLength,
        VocabularyKind vocabulary,
        boolean lowercase,
        int minCount,
        int maxVocabulary,
        String name,
        Cell cell,
        int embedding,
        int hidden,
        int layers,
        int batchSize,
        double learningRate,
        double clip,
        int tbpttLength,
        int maxEpochs,
        int patience,
        double validationFraction,
        int topK,
        long seed,
        String parentVersion,
        boolean requireWarmStart) {

    public static final CorpusMode DEFAULT_MODE = CorpusMode.LINES;
    public static final int DEFAULT_CHUNK_LENGTH = 200;
    public static final VocabularyKind DEFAULT_VOCABULARY = VocabularyKind.ID;
    public static final int DEFAULT_MIN_COUNT = 1;
    public static final int DEFAULT_MAX_VOCABULARY = 10_000;
    public static final Cell DEFAULT_CELL = Cell.LSTM;
    public static final int DEFAULT_EMBEDDING = 32;
    public static final int DEFAULT_HIDDEN = 128;
    public static final int DEFAULT_LAYERS = 1;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final double DEFAULT_LEARNING_RATE = 0.005;
    public static final double DEFAULT_CLIP = 5.0;
    public static final int DEFAULT_TBPTT_LENGTH = 100;
    public static final int DEFAULT_MAX_EPOCHS = 30;
    public static final int DEFAULT_PATIENCE = 10;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;
    public static final int DEFAULT_TOP_K = 5;
    public static final long DEFAULT_SEED = 42;

    public TrainingConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cell, "cell");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("Invalid model name '" + name
                    + "': use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        positive("chunk length", chunkLength);
        positive("min count", minCount);
        positive("embedding", embedding);
        positive("hidden", hidden);
        positive("layers", layers);
        positive("batch size", batchSize);
        positive("epochs", maxEpochs);
        positive("patience", patience);
        positive("top-k", topK);
        if (maxVocabulary < 4) {
            throw new IllegalArgumentException("The vocabulary needs room for at least one token beyond <s>, <e> and"
                    + " <unk>: max vocabulary must be >= 4, got " + maxVocabulary);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("The learning rate must be positive, got " + learningRate);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("The clipping threshold must be >= 0 (0 = off), got " + clip);
        }
        if (tbpttLength < 0) {
            throw new IllegalArgumentException("The TBPTT length must be >= 0 (0 = off), got " + tbpttLength);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must lie in (0, 1), got " + validationFraction);
        }
        if (parentVersion != null && !parentVersion.matches("[0-9]+")) {
            throw new IllegalArgumentException("A parent version is a version number, got '" + parentVersion + "'");
        }
        if (requireWarmStart && parentVersion == null) {
            throw new IllegalArgumentException("A warm start needs a parent version");
        }
    }

    private static void positive(String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException("The " + what + " must be positive, got " + value);
        }
    }

    /** The defaults for a data file (null when the trainer gets its sequences directly) and a model name. */
    public static Builder builder(Path data, String name) {
        return new Builder(data, name);
    }

    /**
     * A small, fast model for a sample of log-key sessions (one per line, {@code id} tokens): E=16, H=32, one
     * LSTM layer, batches of 64, learning rate 0.02, at most 5 epochs with patience 2. About 20,000 tokens
     * (1,000 HDFS sessions) train in 10-20 s on two cores.
     */
    public static TrainingConfig quickstart(Path data, String name) {
        return builder(data, name)
                .embedding(16)
                .hidden(32)
                .batchSize(64)
                .learningRate(0.02)
                .maxEpochs(5)
                .patience(2)
                .build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The configuration as recorded in {@code history.json}. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (data != null) {
            out.put("data", data.toString());
        }
        out.put("mode", mode.label());
        if (mode == CorpusMode.CHUNKS) {
            out.put("chunk_length", chunkLength);
        }
        out.put("vocabulary", vocabulary.label());
        out.put("lowercase", lowercase);
        out.put("min_count", minCount);
        out.put("max_vocabulary", maxVocabulary);
        out.put("name", name);
        out.put("cell", cell.label());
        out.put("embedding", embedding);
        out.put("hidden", hidden);
        out.put("layers", layers);
        out.put("batch_size", batchSize);
        out.put("learning_rate", learningRate);
        out.put("clip", clip);
        out.put("tbptt_length", tbpttLength);
        out.put("max_epochs", maxEpochs);
        out.put("patience", patience);
        out.put("validation_fraction", validationFraction);
        out.put("top_k", topK);
        out.put("seed", seed);
        if (parentVersion != null) {
            out.put("parent_version", parentVersion);
            out.put("require_warm_start", requireWarmStart);
        }
        return out;
    }

    /** Builds a {@link TrainingConfig}; every value starts at its default. */
    public static final class Builder {
        private Path data;
        private CorpusMode mode = DEFAULT_MODE;
        private int chunkLength = DEFAULT_CHUNK_LENGTH;
        private VocabularyKind vocabulary = DEFAULT_VOCABULARY;
        private boolean lowercase;
        private int minCount = DEFAULT_MIN_COUNT;
        private int maxVocabulary = DEFAULT_MAX_VOCABULARY;
        private String name;
        private Cell cell = DEFAULT_CELL;
        private int embedding = DEFAULT_EMBEDDING;
        private int hidden = DEFAULT_HIDDEN;
        private int layers = DEFAULT_LAYERS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private double clip = DEFAULT_CLIP;
        private int tbpttLength = DEFAULT_TBPTT_LENGTH;
        private int maxEpochs = DEFAULT_MAX_EPOCHS;
        private int patience = DEFAULT_PATIENCE;
        private double validationFraction = DEFAULT_VALIDATION_FRACTION;
        private int topK = DEFAULT_TOP_K;
        private long seed = DEFAULT_SEED;
        private String parentVersion;
        private boolean requireWarmStart;

        private Builder(Path data, String name) {
            this.data = data;
            this.name = name;
        }

        private Builder(TrainingConfig c) {
            data = c.data;
            mode = c.mode;
            chunkLength = c.chunkLength;
            vocabulary = c.vocabulary;
            lowercase = c.lowercase;
            minCount = c.minCount;
            maxVocabulary = c.maxVocabulary;
            name = c.name;
            cell = c.cell;
            embedding = c.embedding;
            hidden = c.hidden;
            layers = c.layers;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            clip = c.clip;
            tbpttLength = c.tbpttLength;
            maxEpochs = c.maxEpochs;
            patience = c.patience;
            validationFraction = c.validationFraction;
            topK = c.topK;
            seed = c.seed;
            parentVersion = c.parentVersion;
            requireWarmStart = c.requireWarmStart;
        }

        public Builder data(Path value) {
            data = value;
            return this;
        }

        public Builder mode(CorpusMode value) {
            mode = value;
            return this;
        }

        public Builder chunkLength(int value) {
            chunkLength = value;
            return this;
        }

        public Builder vocabulary(VocabularyKind value) {
            vocabulary = value;
            return this;
        }

        public Builder lowercase(boolean value) {
            lowercase = value;
            return this;
        }

        public Builder minCount(int value) {
            minCount = value;
            return this;
        }

        public Builder maxVocabulary(int value) {
            maxVocabulary = value;
            return this;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder cell(Cell value) {
            cell = value;
            return this;
        }

        public Builder embedding(int value) {
            embedding = value;
            return this;
        }

        public Builder hidden(int value) {
            hidden = value;
            return this;
        }

        public Builder layers(int value) {
            layers = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        public Builder clip(double value) {
            clip = value;
            return this;
        }

        public Builder tbpttLength(int value) {
            tbpttLength = value;
            return this;
        }

        public Builder maxEpochs(int value) {
            maxEpochs = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder validationFraction(double value) {
            validationFraction = value;
            return this;
        }

        public Builder topK(int value) {
            topK = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder parentVersion(String value) {
            parentVersion = value;
            return this;
        }

        public Builder requireWarmStart(boolean value) {
            requireWarmStart = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value out of range */
        public TrainingConfig build() {
            return new TrainingConfig(data, mode, chunkLength, vocabulary, lowercase, minCount, maxVocabulary, name,
                    cell, embedding, hidden, layers, batchSize, learningRate, clip, tbpttLength, maxEpochs, patience,
                    validationFraction, topK, seed, parentVersion, requireWarmStart);
        }
    }
}
