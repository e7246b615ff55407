package io.seqstream.app.model;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.engine.StateMigrator.ModelIdentity;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model versions the application serves, as configured: the served model (from the sidecar's served-models
 * directory when {@code model.dir} is set, else from the model store), an optional shadow model
 * ({@code model.shadow}), and, with a served-models directory, a {@link ModelWatcher} that swaps in every version
 * the directory's pointer comes to name.
 */
public final class ServedModels implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServedModels.class);

    private final ActiveModel served;
    private final ActiveModel shadow;
    private final Path dir;
    private final String engineKind;
    private ModelWatcher watcher;

    private ServedModels(ActiveModel served, ActiveModel shadow, Path dir, String engineKind) {
        this.served = served;
        this.shadow = shadow;
        this.dir = dir;
        this.engineKind = engineKind;
    }

    /**
     * Loads the versions to serve.
     *
     * @param dir the served-models directory, or null to serve from the store alone
     * @param waitForPointer with a directory that has no pointer yet: how long to wait for the sidecar to write one
     *                       before falling back to the store (zero: fall back at once)
     */
    public static ServedModels open(SeqstreamConfig config, ModelStore store, Path dir, Duration waitForPointer)
            throws ModelException, IOException, InterruptedException {
        ModelRef wanted = config.modelRef();
        List<ModelStore> sources = new ArrayList<>();
        if (dir != null) {
            sources.add(ModelStore.local(dir));
        }
        sources.add(store);
        LoadedModel initial = dir == null ? null : loadFromPointer(dir, wanted.name(), waitForPointer);
        if (initial == null) {
            initial = store.load(wanted);
        }
        ActiveModel served = ActiveModel.owning(initial, label -> identity(sources, label));
        ActiveModel shadow = null;
        String shadowRef = config.string(Setting.MODEL_SHADOW);
        if (!shadowRef.isEmpty()) {
            LoadedModel shadowModel = store.load(ModelRef.parse(shadowRef));
            if (!shadowModel.vocabulary().readsLike(initial.vocabulary())) {
                String why = "model.shadow " + shadowModel.label() + " reads input differently ("
                        + shadowModel.vocabulary() + ") from the served " + initial.label() + " ("
                        + initial.vocabulary() + "): one parser serves both, so a shadow must have the served model's"
                        + " vocabulary kind";
                shadowModel.close();
                initial.close();
                throw new IllegalArgumentException(why);
            }
            shadow = ActiveModel.owning(shadowModel, label -> identity(sources, label));
            log.info("Shadow model {} scores the same events into {}", shadow.current().label(),
                    config.string(Setting.SHADOW_SCORES_TOPIC));
        }
        return new ServedModels(served, shadow, dir, config.string(Setting.ENGINE));
    }

    private static LoadedModel loadFromPointer(Path dir, String name, Duration wait)
            throws IOException, ModelException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean said = false;
        while (true) {
            Optional<ModelPointer> pointer = ModelPointer.read(dir, name);
            if (pointer.isPresent()) {
                return ModelWatcher.loadPointed(dir, pointer.get());
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            if (!said) {
                log.info("Waiting up to {} s for the sidecar to activate a version of '{}' in {}", wait.toSeconds(),
                        name, dir);
                said = true;
            }
            Thread.sleep(200);
        }
    }

    private static Optional<ModelIdentity> identity(List<ModelStore> sources, String label) {
        ModelRef ref;
        try {
            ref = ModelRef.parse(label);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (ModelStore source : sources) {
            try (LoadedModel model = source.load(ref)) {
                return Optional.of(ModelIdentity.of(model));
            } catch (ModelException e) {
                log.debug("No {} in {}: {}", label, source.uri(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Starts following the served-models directory's pointer, if there is a directory. */
    public void startWatching(SeqstreamMetrics metrics, Duration interval) {
        if (dir != null && watcher == null) {
            watcher = ModelWatcher.start(dir, served.current().model().manifest().name(), served, engineKind, metrics,
                    interval);
        }
    }

    public ActiveModel served() {
        return served;
    }

    /** The shadow model, or null. */
    public ActiveModel shadow() {
        return shadow;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        served.close();
        if (shadow != null) {
            shadow.close();
        }
    }
}
