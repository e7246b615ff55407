package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Moves key states made by an older (or any other) model version onto the version an engine steps, following a
 * {@link StateMigration} policy. Every migrated state keeps the key's statistics (tokens, anomalies, surprisal,
 * event times, last seen) and gets the target's label, new h and c, and a pending token and history in the
 * target's vocabulary:
 * <ul>
 *   <li>{@code replay}: a fresh state under the target with {@code <s>} pending consumes {@code <s>}, h[0], ...,
 *       h[n-2] of the key's history h (n steps, scores discarded), so h[n-1] ends pending: exactly the state the
 *       target would have had, had it seen {@code <s>} and the history. The replays of all keys are batched: at
 *       step j one {@link StepEngine#advance} advances every key whose history is longer than j. Token ids go from
 *       the old vocabulary to the target's through their strings ({@code <unk>} for tokens the target lacks).
 *       Outcome {@value #REPLAYED}; a key without history, or whose old model is unknown, is reset instead.</li>
 *   <li>{@code keep}: h, c, the pending token and the history are reused when the old model is known and has
 *       the same architecture and vocabulary as the target (outcome {@value #KEPT}); otherwise reset.</li>
 *   <li>{@code reset}: h = c = 0 and {@code <s>} pending, so the key's next token is scored as the first of a
 *       sequence (though its statistics go on); the history starts empty, because the new h and c have seen
 *       none of it. Outcome {@value #RESET}.</li>
 * </ul>
 *
 * <p>Cost: a replay of keys whose histories are at most N long takes N engine steps whatever the number of
 * keys, with batches shrinking as shorter histories finish (the ND4J engine keeps buffers for a few recent
 * batch sizes, so a replay of many distinct lengths may evict the ones the scoring path uses; they are
 * reallocated on its next step).
 *
 * <p>Not thread-safe: it runs on a stream thread with that thread's engine of the new version, and remembers
 * the identities and vocabulary mappings it has looked up.
 */
public final class StateMigrator {
    public static final String REPLAYED = "replayed";
    public static final String KEPT = "kept";
    public static final String RESET = "reset";

    private final StateMigration policy;
    private final StepEngine target;
    private final Function<String, Optional<ModelIdentity>> known;
    /** Old model label to: old token id -> target token id. */
    private final Map<String, int[]> idMaps = new HashMap<>();
    private final Map<String, ModelIdentity> identities = new HashMap<>();

    /**
     * @param policy what to do with states of other versions
     * @param target an engine of the version states move to; used to replay, never closed here
     * @param known the identity of a model version by label, where it is known (the versions still loaded or
     *              in the store); asked once per label until it answers
     */
    public StateMigrator(StateMigration policy, StepEngine target, Function<String, Optional<ModelIdentity>> known) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.target = Objects.requireNonNull(target, "target");
        this.known = Objects.requireNonNull(known, "known");
    }

    public StateMigration policy() {
        return policy;
    }

    /**
     * Migrates states made by other versions ({@code state.model()} differs from the target's label).
     *
     * @return in the order given, each migrated state and what happened to it ({@value #REPLAYED},
     *         {@value #KEPT} or {@value #RESET}); the given states are not changed
     * @throws IllegalArgumentException if a state already belongs to the target's version
     */
    public List<Migrated> migrate(List<KeyState> states) {
        Migrated[] out = new Migrated[states.size()];
        List<Replay> replays = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            KeyState state = states.get(i);
            if (state.model().equals(target.modelLabel())) {
                throw new IllegalArgumentException("State of " + state.model() + " is already the target's version");
            }
            switch (policy) {
                case RESET -> out[i] = reset(state);
                case KEEP -> out[i] = keep(state);
                case REPLAY -> {
                    int[] history = mappedHistory(state);
                    if (history.length == 0) {
                        out[i] = reset(state);
                    } else {
                        replays.add(new Replay(i, fresh(state), history));
                    }
                }
            }
        }
        replay(replays);
        for (Replay r : replays) {
            out[r.index()] = new Migrated(r.state(), REPLAYED);
        }
        return List.of(out);
    }

    private Migrated reset(KeyState state) {
        return new Migrated(fresh(state), RESET);
    }

    /** The key's statistics under the target with h = c = 0, {@code <s>} pending and an empty history. */
    private KeyState fresh(KeyState state) {
        KeyState zero = target.newState(Vocabulary.START_ID, state.firstEventTime());
        return state.withModel(target.modelLabel(), zero.hidden(), zero.cell(), Vocabulary.START_ID, new int[0],
                target.historyTokens());
    }

    private Migrated keep(KeyState state) {
        Optional<ModelIdentity> old = identity(state.model());
        if (old.isEmpty() || !old.get().architecture().equals(target.architecture())
                || !old.get().vocabulary().equals(target.vocabulary())) {
            return reset(state);
        }
        KeyState kept = state.withModel(target.modelLabel(), deepCopy(state.hidden()), deepCopy(state.cell()),
                state.pendingToken(), state.history(), target.historyTokens());
        return new Migrated(kept, KEPT);
    }

    /** The state's history in the target's token ids; empty if it has none or its vocabulary is unknown. */
    private int[] mappedHistory(KeyState state) {
        int[] history = state.history();
        if (history.length == 0) {
            return history;
        }
        int[] map = idMap(state.model());
        if (map == null) {
            return new int[0];
        }
        int[] mapped = new int[history.length];
        for (int i = 0; i < history.length; i++) {
            int id = history[i];
            mapped[i] = id >= 0 && id < map.length ? map[id] : Vocabulary.UNK_ID;
        }
        return mapped;
    }

    private int[] idMap(String oldLabel) {
        int[] map = idMaps.get(oldLabel);
        if (map == null) {
            Optional<ModelIdentity> old = identity(oldLabel);
            if (old.isEmpty()) {
                return null;
            }
            Vocabulary from = old.get().vocabulary();
            Vocabulary to = target.vocabulary();
            map = new int[from.size()];
            for (int id = 0; id < map.length; id++) {
                map[id] = to.id(from.token(id));
            }
            idMaps.put(oldLabel, map);
        }
        return map;
    }

    private Optional<ModelIdentity> identity(String label) {
        ModelIdentity cached = identities.get(label);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<ModelIdentity> found = known.apply(label);
        found.ifPresent(identity -> identities.put(label, identity));
        return found;
    }

    /**
     * Steps every replay through its history, one engine step per position: longest histories first, so the
     * keys still replaying at step j are a prefix of the list.
     */
    private void replay(List<Replay> replays) {
        if (replays.isEmpty()) {
            return;
        }
        List<Replay> byLength = new ArrayList<>(replays);
        byLength.sort(Comparator.comparingInt((Replay r) -> r.history().length).reversed());
        List<KeyState> states = new ArrayList<>(byLength.size());
        for (Replay r : byLength) {
            states.add(r.state());
        }
        int active = byLength.size();
        for (int j = 0; active > 0; j++) {
            while (active > 0 && byLength.get(active - 1).history().length <= j) {
                active--;
            }
            if (active == 0) {
                break;
            }
            target.advance(states.subList(0, active)); // the replay needs the new states only
            for (int i = 0; i < active; i++) {
                Replay r = byLength.get(i);
                r.state().observe(r.history()[j]);
            }
        }
    }

    private static float[][] deepCopy(float[][] rows) {
        float[][] copy = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        return copy;
    }

    private record Replay(int index, KeyState state, int[] history) {
    }

    /** A migrated state and what happened to it: {@value #REPLAYED}, {@value #KEPT} or {@value #RESET}. */
    public record Migrated(KeyState state, String outcome) {
    }

    /** What migration needs to know of a model version: its label, shape and vocabulary. */
    public record ModelIdentity(String label, ModelManifest.Architecture architecture, Vocabulary vocabulary) {
        public ModelIdentity {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(vocabulary, "vocabulary");
        }

        public static ModelIdentity of(LoadedModel model) {
            return new ModelIdentity(model.label(), model.manifest().architecture(), model.vocabulary());
        }

        public static ModelIdentity of(StepEngine engine) {
            return new ModelIdentity(engine.modelLabel(), engine.architecture(), engine.vocabulary());
        }
    }
}
