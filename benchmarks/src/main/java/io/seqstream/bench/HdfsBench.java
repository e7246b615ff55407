package io.seqstream.bench;

import io.seqstream.eval.DeepLogSessions;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelStore;
import io.seqstream.model.VocabularyKind;
import io.seqstream.training.Trainer;
import io.seqstream.training.TrainingConfig;
import io.seqstream.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The realistic end-to-end case's parts, from a folder in DeepLog's HDFS layout ({@code train}, {@code dev_normal},
 * {@code dev_abnormal}, one block session per line): a model trained on {@code train} with {@code seqstream train}'s
 * architecture and vocabulary (fewer epochs: the bench measures speed, and the model need only rank HDFS's keys as a
 * trained model does), and the {@link HdfsWorkload} replaying the dev sessions.
 */
record HdfsBench(HdfsWorkload workload, LoadedModel model, String trained) implements AutoCloseable {
    static final String MODEL_NAME = "bench-hdfs";

    /** Why {@code dir} cannot be used, or null when it holds the three files. */
    static String missing(Path dir) {
        for (String file : List.of("train", "dev_normal", "dev_abnormal")) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                return "no HDFS data: " + dir.resolve(file).toAbsolutePath().normalize() + " is missing (--hdfs DIR "
                        + "names a folder with DeepLog's train, dev_normal and dev_abnormal)";
            }
        }
        return null;
    }

    /**
     * Trains on at most {@code trainSessions} sessions of {@code train} for at most {@code epochs} epochs into
     * {@code store}, and loads the model back through it.
     */
    static HdfsBench prepare(Path dir, ModelStore store, Path work, int epochs, int trainSessions, int open,
                             long seed, PrintStream progress) throws IOException, ModelException {
        Path train = dir.resolve("train");
        List<List<String>> trainLines = DeepLogSessions.read(train, trainSessions);
        Path data = work.resolve("hdfs-train.txt");
        Files.createDirectories(work);
        Files.write(data, trainLines.stream().map(s -> String.join(" ", s)).toList());
        TrainingConfig config = TrainingConfig.builder(data, MODEL_NAME)
                .vocabulary(VocabularyKind.ID)
                .maxEpochs(epochs)
                .seed(seed)
                .build();
        TrainingResult result = Trainer.train(config, store, progress);
        LoadedModel model = store.load(result.manifest().ref());
        HdfsWorkload workload = new HdfsWorkload(DeepLogSessions.read(dir.resolve("dev_normal")),
                DeepLogSessions.read(dir.resolve("dev_abnormal")), open);
        String trained = String.format(Locale.ROOT, "%s: %,d sessions of %s, %d epochs (best %d), "
                        + "validation loss %.3f nats/token", result.manifest().ref(), trainLines.size(), train,
                result.history().size(), result.bestEpoch(), result.metrics().get(Trainer.METRIC_VALIDATION_LOSS));
        return new HdfsBench(workload, model, trained);
    }

    @Override
    public void close() {
        model.close();
    }
}
