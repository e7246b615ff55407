package io.seqstream.app.model;

import io.seqstream.engine.StateMigrator.ModelIdentity;
import io.seqstream.model.LoadedModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model version the application serves now. A swap publishes the new version atomically; each stream thread
 * picks it up between two batch rounds ({@link #acquire()}), and the old version is closed once the last thread
 * has let go of it. Also remembers the identity (architecture, vocabulary) of every version served in this process,
 * so that per-key state made by an earlier version can be migrated.
 *
 * <p>Thread-safe.
 */
public final class ActiveModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ActiveModel.class);

    private final Map<String, ModelIdentity> identities = new ConcurrentHashMap<>();
    private final Function<String, Optional<ModelIdentity>> lookup;
    private final List<Consumer<ModelVersion>> listeners = new CopyOnWriteArrayList<>();
    private volatile ModelVersion current;

    private ActiveModel(LoadedModel initial, boolean owned, Function<String, Optional<ModelIdentity>> lookup) {
        this.lookup = lookup;
        this.current = new ModelVersion(initial, owned);
        remember(initial);
    }

    /**
     * Serves {@code initial}, which this object then owns and closes when it retires.
     *
     * @param lookup identities of versions this process has not served (e.g. read from a models directory), for
     *               the state that an earlier run left behind
     */
    public static ActiveModel owning(LoadedModel initial, Function<String, Optional<ModelIdentity>> lookup) {
        return new ActiveModel(initial, true, lookup);
    }

    /** Serves a model owned elsewhere (never closed here), e.g. a test's shared model. */
    public static ActiveModel of(LoadedModel model) {
        return new ActiveModel(model, false, label -> Optional.empty());
    }

    /** The version served now. */
    public ModelVersion current() {
        return current;
    }

    /** The version served now, with a reference taken for the caller, who must {@link #release} it. */
    public ModelVersion acquire() {
        while (true) {
            ModelVersion version = current;
            if (version.retain()) {
                return version;
            }
        }
    }

    public void release(ModelVersion version) {
        version.release();
    }

    /**
     * Makes {@code next} (owned from now on by this object) the active version and returns it; stream threads
     * switch to it between rounds and the previous version retires once they all have.
     */
    public synchronized ModelVersion activate(LoadedModel next) {
        remember(next);
        ModelVersion previous = current;
        ModelVersion version = new ModelVersion(next, true);
        current = version;
        log.info("Model {} is active (was {}); stream threads switch between two batch rounds", next.label(),
                previous.label());
        previous.release();
        listeners.forEach(listener -> listener.accept(version));
        return version;
    }

    /**
     * Calls {@code listener} with the version served now, and then with every version activated later (on the
     * activating thread, after the version is published).
     */
    public synchronized void onActivation(Consumer<ModelVersion> listener) {
        listeners.add(listener);
        listener.accept(current);
    }

    /** Architecture and vocabulary of a version served now or earlier, if known. */
    public Optional<ModelIdentity> identity(String label) {
        ModelIdentity known = identities.get(label);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<ModelIdentity> found = lookup.apply(label);
        found.ifPresent(identity -> identities.put(label, identity));
        return found;
    }

    private void remember(LoadedModel model) {
        identities.put(model.label(), ModelIdentity.of(model));
    }

    /** Lets go of the active version (closing it once no stream thread uses it). */
    @Override
    public synchronized void close() {
        current.release();
    }
}
