package io.seqstream.training;

import io.seqstream.model.ModelManifest;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a training run.
 *
 * @param manifest   the published version's manifest
 * @param history    one entry per epoch run, in order
 * @param metrics    the metrics recorded in the manifest (those of the best epoch)
 * @param versionUri where the published version lies in the store ({@code file:///…} or {@code s3://…})
 */
public record TrainingResult(ModelManifest manifest, List<EpochStats> history, Map<String, Double> metrics,
                             String versionUri) {
    public TrainingResult {
        history = List.copyOf(history);
        metrics = Map.copyOf(metrics);
    }

    /** The published version's directory, when the store is a filesystem one. */
    public Optional<Path> versionDir() {
        return versionUri.startsWith("file:") ? Optional.of(Path.of(URI.create(versionUri))) : Optional.empty();
    }

    /** The loss plot in the store, as a URI. */
    public String plotUri() {
        return versionUri + "/" + Trainer.PLOT;
    }

    /** The loss plot's path, when the store is a filesystem one. */
    public Optional<Path> plot() {
        return versionDir().map(dir -> dir.resolve(Trainer.PLOT));
    }

    /** The 1-based epoch whose parameters were kept. */
    public int bestEpoch() {
        return metrics.get(Trainer.METRIC_BEST_EPOCH).intValue();
    }
}
