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
 * @param parentVersion the version this one was derived from, recorded as the manifest's parent; null for the
 *                      version that is latest when it is published
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

    /** A draft whose parent is the version latest when it is published. */
    public ModelDraft(MultiLayerNetwork network, Vocabulary vocabulary, ModelManifest.TrainingData trainingData,
                      Map<String, Double> metrics, Map<String, Path> extraFiles) {
        this(network, vocabulary, trainingData, metrics, extraFiles, null);
    }

    /** This draft with another parent version (null: the latest). */
    public ModelDraft withParentVersion(String parentVersion) {
        return new ModelDraft(network, vocabulary, trainingData, metrics, extraFiles, parentVersion);
    }
}
