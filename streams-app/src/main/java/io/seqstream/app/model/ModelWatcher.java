package io.seqstream.app.model;

import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.Logits;
import io.seqstream.engine.StepEngine;
import io.seqstream.engine.StepEngines;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelProbe;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code current} pointer of a served-models directory (written by the sidecar) and swaps the version
 * it names in: off the stream threads it verifies the version (manifest SHA-256 against the pointer, every file's
 * checksum, the probe outputs recorded at training time), loads it, and warms a stepping engine on it; only then does
 * it make the version active, and the stream threads switch to it between two batch rounds.
 *
 * <p>A version that fails any step is refused: the reason is logged and counted
 * ({@code seqstream_model_swaps_total{outcome="rejected"}}), and the running version stays. One swap at a time: the
 * watcher is a single thread.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelWatcher.class);
    /** The warm-up scores as the stream does by default ({@code score.top-k}, {@code score.top-g}). */
    private static final int WARM_UP_TOP_K = Integer.parseInt(Setting.TOP_K.defaultValue());
    private static final int WARM_UP_TOP_G = Integer.parseInt(Setting.TOP_G.defaultValue());

    private final Path dir;
    private final String name;
    private final ActiveModel active;
    private final String engineKind;
    private final SeqstreamMetrics metrics;
    private final ScheduledExecutorService thread;
    private volatile String lastSeen;

    private ModelWatcher(Path dir, String name, ActiveModel active, String engineKind, SeqstreamMetrics metrics) {
        this.dir = dir;
        this.name = name;
        this.active = active;
        this.engineKind = engineKind;
        this.metrics = metrics;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seqstream-model-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the pointer of {@code name} under {@code dir}, checking every {@code interval}. */
    public static ModelWatcher start(Path dir, String name, ActiveModel active, String engineKind,
                                     SeqstreamMetrics metrics, Duration interval) {
        ModelWatcher watcher = new ModelWatcher(dir, name, active, engineKind, metrics);
        watcher.lastSeen = active.current().label();
        watcher.thread.scheduleWithFixedDelay(watcher::checkQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Following the model pointer {}", dir.resolve(name).resolve(ModelPointer.FILE));
        return watcher;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("Model watcher failed to check {}; will retry", dir, e);
        }
    }

    /** One check of the pointer; swaps when it names a version that is neither active nor already refused. */
    void check() {
        Optional<ModelPointer> pointer;
        try {
            pointer = ModelPointer.read(dir, name);
        } catch (IOException e) {
            log.warn("Cannot read the model pointer of '{}' in {}: {}", name, dir, e.getMessage());
            return;
        }
        if (pointer.isEmpty()) {
            return;
        }
        String label = pointer.get().ref().toString();
        if (label.equals(lastSeen)) {
            return;
        }
        lastSeen = label;
        if (label.equals(active.current().label())) {
            return;
        }
        long started = System.nanoTime();
        try {
            LoadedModel next = loadVerified(pointer.get());
            active.activate(next);
            metrics.modelSwap(SeqstreamMetrics.OUTCOME_ACTIVATED, System.nanoTime() - started);
        } catch (ModelException | RuntimeException e) {
            metrics.modelSwap(SeqstreamMetrics.OUTCOME_REJECTED, System.nanoTime() - started);
            log.warn("Refused model {} (still serving {}): {}", label, active.current().label(), e.getMessage());
        }
    }

    /** Verifies, loads and warms the version a pointer names, or throws saying why it cannot be served. */
    LoadedModel loadVerified(ModelPointer pointer) throws ModelException {
        LoadedModel model = loadPointed(dir, pointer);
        try {
            checkServable(model);
            warm(model);
            return model;
        } catch (ModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads the version a pointer under {@code dir} names, as the sidecar left it: its manifest must have the SHA-256
     * the pointer records, every file its checksum, and the network the probe outputs recorded at training time.
     */
    static LoadedModel loadPointed(Path dir, ModelPointer pointer) throws ModelException {
        ModelStore store = ModelStore.local(dir);
        String sha = store.manifestSha256(pointer.ref());
        if (!sha.equals(pointer.manifestSha256())) {
            throw new ModelException("the manifest of " + pointer.ref() + " in " + dir + " has SHA-256 " + sha
                    + " but the pointer names " + pointer.manifestSha256());
        }
        LoadedModel model = store.load(pointer.ref());
        try {
            ModelProbe.check(model);
            return model;
        } catch (ModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private void checkServable(LoadedModel model) throws ModelException {
        Vocabulary now = active.current().model().vocabulary();
        if (!model.vocabulary().readsLike(now)) {
            throw new ModelException("its vocabulary splits input differently (" + model.vocabulary()
                    + " vs the running " + now + "): the input would be read differently; restart the"
                    + " application to serve it");
        }
    }

    /** Steps a few fresh sequences so that the first real round on the new version finds code and buffers warm. */
    private void warm(LoadedModel model) {
        try (StepEngine engine = StepEngines.create(model, engineKind)) {
            List<KeyState> states = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                states.add(engine.newState(Vocabulary.START_ID, 0L));
            }
            for (int step = 0; step < 4; step++) {
                Logits logits = engine.stepLogits(states);
                for (int i = 0; i < states.size(); i++) {
                    logits.score(i, Vocabulary.END_ID, WARM_UP_TOP_K, WARM_UP_TOP_G);
                }
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
