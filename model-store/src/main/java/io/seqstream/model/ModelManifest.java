package io.seqstream.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a model version is and where it came from: its identity, architecture, vocabulary, training data,
 * metrics, the library versions that made it, and the SHA-256 of every file in the version's directory.
 * Written as {@code manifest.json} beside the files it describes.
 *
 * @param parentVersion the version that was latest when this one was published, or null for the first
 * @param files file name to lower-case hex SHA-256, for every file of the version except the manifest
 * @param probe the network's outputs on fixed probe sequences, recorded at publishing; null in manifests
 *              written before probes existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
        String name,
        String version,
        Instant createdAt,
        String parentVersion,
        Architecture architecture,
        VocabularyInfo vocabulary,
        TrainingData trainingData,
        Map<String, Double> metrics,
        Map<String, String> libraries,
        Map<String, String> files,
        ModelProbe probe) {

    @JsonCreator
    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(vocabulary, "vocabulary");
        metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
        libraries = libraries == null ? Map.of() : new TreeMap<>(libraries);
        files = files == null ? Map.of() : new TreeMap<>(files);
    }

    /** A manifest without a probe. */
    public ModelManifest(String name, String version, Instant createdAt, String parentVersion,
                         Architecture architecture, VocabularyInfo vocabulary, TrainingData trainingData,
                         Map<String, Double> metrics, Map<String, String> libraries, Map<String, String> files) {
        this(name, version, createdAt, parentVersion, architecture, vocabulary, trainingData, metrics, libraries,
                files, null);
    }

    public ModelRef ref() {
        return ModelRef.of(name, version);
    }

    /** {@code name@version}, as score records carry it. */
    public String label() {
        return name + "@" + version;
    }

    /**
     * The network's shape.
     *
     * @param cell {@code lstm} or {@code simple}
     * @param embedding size of the learned token embedding
     * @param hidden units of each recurrent layer
     * @param layers number of stacked recurrent layers
     */
    public record Architecture(String cell, int vocabSize, int embedding, int hidden, int layers) {
    }

    public record VocabularyInfo(VocabularyKind kind, int size, boolean lowercase) {
        public static VocabularyInfo of(Vocabulary vocabulary) {
            return new VocabularyInfo(vocabulary.kind(), vocabulary.size(), vocabulary.lowercase());
        }
    }

    /**
     * @param fingerprint SHA-256 of the training input, so a version can be traced to its data
     * @param source where the data was read from, as given to the trainer
     */
    public record TrainingData(String fingerprint, String source, long sequences, long tokens) {
    }
}
