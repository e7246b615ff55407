package io.seqstream.app.model;

import io.seqstream.model.LoadedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model version being served, shared by every stream thread that steps it. Reference-counted: the
 * {@link ActiveModel} holds one reference while the version is active and each stream thread one while its engine
 * steps it; when the last is released the network is closed (if this process loaded it) and {@link #retired()}
 * completes. So an old version is closed exactly once no round uses it any more.
 */
public final class ModelVersion {
    private static final Logger log = LoggerFactory.getLogger(ModelVersion.class);

    private final LoadedModel model;
    private final boolean owned;
    private final long activatedAtNanos;
    private final AtomicInteger references = new AtomicInteger(1);
    private final CompletableFuture<Void> retired = new CompletableFuture<>();

    /** @param owned close the model's network when the version retires (false for a model owned elsewhere) */
    ModelVersion(LoadedModel model, boolean owned) {
        this.model = model;
        this.owned = owned;
        this.activatedAtNanos = System.nanoTime();
    }

    public LoadedModel model() {
        return model;
    }

    /** {@code name@version}, as score records carry it. */
    public String label() {
        return model.label();
    }

    /** {@link System#nanoTime()} when this version became active. */
    public long activatedAtNanos() {
        return activatedAtNanos;
    }

    /** Takes a reference; false if the version has already retired (then the caller must not use it). */
    boolean retain() {
        while (true) {
            int now = references.get();
            if (now == 0) {
                return false;
            }
            if (references.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /**
     * Drops a reference; the last one closes the network, on a thread of its own: the caller may be a stream thread
     * switching versions, which must not wait for native memory to be freed.
     */
    void release() {
        if (references.decrementAndGet() == 0) {
            CLOSER.execute(() -> {
                if (owned) {
                    model.close();
                }
                log.info("Model {} retired: no stream thread steps it any more", label());
                retired.complete(null);
            });
        }
    }

    private static final java.util.concurrent.Executor CLOSER = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "seqstream-model-closer");
                t.setDaemon(true);
                return t;
            });

    /** Completes when no one uses this version any more (every stream thread has switched away from it). */
    public CompletableFuture<Void> retired() {
        return retired;
    }

    @Override
    public String toString() {
        return "ModelVersion[" + label() + "]";
    }
}
