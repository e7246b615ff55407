package io.seqstream.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A trained model about to be published into a {@link ModelStore}.
 *
 * @param extraFiles    further files to keep with the version (a loss plot, a training history), by the name
 *                      they get there; they are checksummed like the rest
 * @param parentVersion the version this one was trained from (warm start or explicit parent), or null
 */
public record ModelDraft(MultiLayerNetwork network,
                         Vocabulary vocabulary,
                         ModelManifest.TrainingData trainingData,
                         Map<String, Double> metrics,
                         Map<String, Path> extraFiles,
                         String parentVersion) {
    public ModelDraft {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(vocabulary, "vocabulary");
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        extraFiles = extraFiles == null ? Map.of() : Map.copyOf(extraFiles);
    }

    /** A draft with no explicit parent. */
    public ModelDraft(MultiLayerNetwork network, Vocabulary vocabulary, ModelManifest.TrainingData trainingData,
                      Map<String, Double> metrics, Map<String, Path> extraFiles) {
        this(network, vocabulary, trainingData, metrics, extraFiles, null);
    }
}
