package io.seqstream.training;

import io.seqstream.model.ModelManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run.
 *
 * @param manifest   the published version's manifest
 * @param history    one entry per epoch run, in order
 * @param metrics    the metrics recorded in the manifest (those of the best epoch)
 * @param versionDir the published version's directory in the store
 * @param warmStart  what was taken from the parent version; null when the run had none
 */
public record TrainingResult(ModelManifest manifest, List<EpochStats> history, Map<String, Double> metrics,
                             Path versionDir, WarmStart warmStart) {
    public TrainingResult {
        history = List.copyOf(history);
        metrics = Map.copyOf(metrics);
    }

    /** The loss plot in the store. */
    public Path plot() {
        return versionDir.resolve(Trainer.PLOT);
    }

    /** The 1-based epoch whose parameters were kept. */
    public int bestEpoch() {
        return metrics.get(Trainer.METRIC_BEST_EPOCH).intValue();
    }
}
