package io.seqstream.model;

import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A verified model version in memory: its manifest, vocabulary and DL4J network.
 *
 * <p>The network is shared and must be treated as read-only: a {@link MultiLayerNetwork} is not thread-safe,
 * so anything that steps it takes its own copy with {@link #newNetworkCopy()}. Close the model when no one
 * uses it any more.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelManifest manifest;
    private final Vocabulary vocabulary;
    private final MultiLayerNetwork network;
    private final ModelCalibration calibration;

    /** A model without a calibration (as versions published before calibrations existed). */
    public LoadedModel(ModelManifest manifest, Vocabulary vocabulary, MultiLayerNetwork network) {
        this(manifest, vocabulary, network, null);
    }

    /** @param calibration what training measured about the model's scores; null when the version has none */
    public LoadedModel(ModelManifest manifest, Vocabulary vocabulary, MultiLayerNetwork network,
                       ModelCalibration calibration) {
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.network = Objects.requireNonNull(network, "network");
        this.calibration = calibration;
    }

    /** What training measured about the model's own scores ({@value ModelCalibration#FILE}); empty for older versions. */
    public Optional<ModelCalibration> calibration() {
        return Optional.ofNullable(calibration);
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The shared network. Read-only: never step, fit or set state on it; use {@link #newNetworkCopy()}. */
    public MultiLayerNetwork network() {
        return network;
    }

    /** A private copy of the network for one thread to step. */
    public MultiLayerNetwork newNetworkCopy() {
        return network.clone();
    }

    /** {@code name@version}. */
    public String label() {
        return manifest.label();
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return "LoadedModel[" + label() + ", " + manifest.architecture() + "]";
    }
}
