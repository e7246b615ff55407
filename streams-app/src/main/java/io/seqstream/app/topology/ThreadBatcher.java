package io.seqstream.app.topology;

import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.model.ModelVersion;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.Logits;
import io.seqstream.engine.StateMigration;
import io.seqstream.engine.StateMigrator;
import io.seqstream.engine.StepEngine;
import io.seqstream.engine.StepEngines;
import io.seqstream.engine.TokenScore;
import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.RangeQuantizer;
import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches LSTM steps across all the scoring tasks of one stream thread — every partition the thread owns —
 * so that a batch fills as fast as the thread's whole input, not one partition's.
 *
 * <p>A round takes the pending work of every task that has nothing computed and unapplied, steps it in one engine
 * and hands each task plain per-key results ({@link KeyWork}); each task then converts, counts and forwards its own
 * results inside its own processing or punctuation, never in another task's. Until a task applies, its pending
 * events and states stay as they were committed, so a crash in between recomputes them: nothing is lost or
 * duplicated. Rounds go in waves of distinct keys, so a batch never holds two steps of one key.
 *
 * <p>The thread's engine steps one model version. When another version becomes active, the batcher switches
 * between two rounds ({@link #switchIfNewer()}): it builds an engine on the new version, lets go of the old one
 * (which closes once no thread uses it), and from then on carries each key's state over to the new version,
 * per {@code model.state-migration}, the first time the key is stepped.
 *
 * <p>One instance per stream thread, used only by that thread (not thread-safe); made by a {@link Registry}.
 */
final class ThreadBatcher {
    private static final Logger log = LoggerFactory.getLogger(ThreadBatcher.class);

    private final Registry registry;
    private final Set<ScoringProcessor> tasks = new LinkedHashSet<>();
    /** The last slot of the commit grid (wall clock ÷ {@code commit.interval.ms}) the thread started. */
    private long commitSlot = -1;
    /** From a slot's start until the tasks in {@link #awaitingApply} have applied and the thread asked to commit. */
    private boolean commitWanted;
    /** The tasks holding results computed up to the current slot's start that they have not applied yet. */
    private final Set<ScoringProcessor> awaitingApply = new HashSet<>();
    private ModelVersion version;
    private StepEngine engine;
    private StateMigrator migrator;

    private ThreadBatcher(Registry registry) {
        this.registry = registry;
        this.version = registry.models.acquire();
        this.engine = registry.newEngine(version);
        this.migrator = registry.newMigrator(engine);
    }

    /** The calibration of the version this thread steps now, if it has one. */
    Optional<ModelCalibration> calibration() {
        return version.model().calibration();
    }

    /** The vocabulary of the version this thread steps now. */
    Vocabulary vocabulary() {
        return version.model().vocabulary();
    }

    /**
     * Switches to the active model version if it is not the one this thread steps. Call only between rounds (any
     * time the thread is not inside {@link #computeRound()}).
     */
    void switchIfNewer() {
        ModelVersion active = registry.models.current();
        if (active == version) {
            return;
        }
        long started = System.nanoTime();
        ModelVersion next = registry.models.acquire();
        StepEngine nextEngine = registry.newEngine(next);
        StepEngine oldEngine = engine;
        ModelVersion old = version;
        engine = nextEngine;
        migrator = registry.newMigrator(nextEngine);
        version = next;
        oldEngine.close();
        registry.models.release(old);
        long waited = started - next.activatedAtNanos();
        registry.metrics.threadSwitched(waited, System.nanoTime() - started);
        log.info("Stream thread {} switched from {} to {} ({} ms after activation; the switch took {} ms)",
                Thread.currentThread().getName(), old.label(), next.label(), waited / 1_000_000,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * The commit grid's tick, run in {@code task}'s own punctuation: asks Kafka Streams to commit every task of
     * this thread once in each slot of a fixed wall-clock grid of {@code commit.interval.ms}. Kafka Streams times its
     * own commits from the end of the last one, so on its own it commits every interval <em>plus</em> a commit's
     * duration (4 tasks' flushes and the transaction: 40–110 ms on a 2-core machine), and a score waits for all of
     * it; on the grid the period is the interval.
     *
     * <p>At the start of a slot the thread steps every event waiting in it, whatever {@code max.batch.delay.ms}
     * says, so that the commit takes them along; each task applies its results in its next tick (all within one
     * tick), and once every task that held results then has applied them, the thread asks for the commit, which
     * Kafka Streams runs right after the punctuation (later rounds' results do not hold it back). Every
     * task asks, because Kafka Streams commits (all the thread's tasks, one transaction) for a task that asked and
     * has processed or punctuated since its last commit. A task that has not applied by the next slot does not
     * hold the commit back any longer.
     */
    void commitTick(ScoringProcessor task, long now) {
        long slot = now / registry.options.commitIntervalMs();
        if (slot > commitSlot) {
            if (commitWanted) {
                requestCommits();
            }
            commitSlot = slot;
            commitWanted = true;
            if (pendingSteps() > 0) {
                computeRound();
            }
            awaitingApply.clear();
            tasks.stream().filter(ScoringProcessor::hasUnappliedResults).forEach(awaitingApply::add);
        }
        task.applyComputed();
        if (commitWanted && awaitingApply.isEmpty()) {
            requestCommits();
        }
    }

    /** Called by a task that has just applied its results. */
    void applied(ScoringProcessor task) {
        awaitingApply.remove(task);
    }

    private void requestCommits() {
        commitWanted = false;
        tasks.forEach(ScoringProcessor::requestCommit);
    }

    /** Steps pending across every task of the thread that can take part in a round. */
    int pendingSteps() {
        int steps = 0;
        for (ScoringProcessor task : tasks) {
            if (!task.hasUnappliedResults()) {
                steps += task.pendingSteps();
            }
        }
        return steps;
    }

    /** Wall-clock arrival of the oldest event waiting in any task, or {@link Long#MAX_VALUE}. */
    long oldestPending() {
        long oldest = Long.MAX_VALUE;
        for (ScoringProcessor task : tasks) {
            if (!task.hasUnappliedResults()) {
                oldest = Math.min(oldest, task.oldestPending());
            }
        }
        return oldest;
    }

    /**
     * Computes the pending work of every task without unapplied results, in waves of distinct keys and
     * batches of at most {@code max.batch.size}; each task's results wait in it until it applies them.
     */
    void computeRound() {
        switchIfNewer();
        List<KeyWork> all = new ArrayList<>();
        for (ScoringProcessor task : tasks) {
            if (!task.hasUnappliedResults()) {
                all.addAll(task.takeWork());
            }
        }
        migrateStates(all);
        List<KeyWork> wave = new ArrayList<>(all);
        wave.removeIf(KeyWork::isDone);
        while (!wave.isEmpty()) {
            for (int from = 0; from < wave.size(); from += registry.maxBatchSize) {
                stepBatch(wave.subList(from, Math.min(wave.size(), from + registry.maxBatchSize)));
            }
            wave.removeIf(KeyWork::isDone);
        }
    }

    /** Carries states made by another model version over to this thread's version, batched across keys. */
    private void migrateStates(List<KeyWork> work) {
        List<KeyWork> stale = new ArrayList<>();
        List<KeyState> states = new ArrayList<>();
        for (KeyWork key : work) {
            if (key.state != null && !engine.owns(key.state)) {
                stale.add(key);
                states.add(key.state);
            }
        }
        if (stale.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        List<StateMigrator.Migrated> migrated = migrator.migrate(states);
        log.debug("Migrated {} keys to {} in {} ms", stale.size(), engine.modelLabel(),
                (System.nanoTime() - started) / 1_000_000);
        for (int i = 0; i < stale.size(); i++) {
            stale.get(i).state = migrated.get(i).state();
            stale.get(i).migration = migrated.get(i).outcome();
        }
    }

    private void stepBatch(List<KeyWork> batch) {
        List<KeyState> states = new ArrayList<>(batch.size());
        for (KeyWork key : batch) {
            if (key.state == null) {
                key.state = engine.newState(Vocabulary.START_ID, key.currentEvent().timestamp());
            }
            states.add(key.state);
        }
        long started = System.nanoTime();
        Logits logits = engine.stepLogits(states);
        registry.metrics.stepped(System.nanoTime() - started, batch.size());
        Vocabulary vocabulary = version.model().vocabulary();
        for (int i = 0; i < batch.size(); i++) {
            scoreNextStep(batch.get(i), logits, i, vocabulary);
        }
    }

    private void scoreNextStep(KeyWork key, Logits logits, int row, Vocabulary vocabulary) {
        boolean endStep = key.nextIsEnd();
        String token = key.nextToken();
        KeyState state = key.state;
        boolean numeric = vocabulary.isNumeric();
        MetricTrack.Observation observed = null;
        int tokenId;
        if (endStep) {
            tokenId = Vocabulary.END_ID;
        } else if (numeric) {
            double value = RangeQuantizer.number(token);
            if (!Double.isNaN(value)) {
                // the key's range turns the value into its bin's token
                if (state.metric() == null || state.metric().bins() != vocabulary.bins()) {
                    state.withMetric(new MetricTrack(vocabulary.bins(), registry.options.likelihoodProbation()));
                }
                // a track read from an older state, or kept across a change of the settings, gets a fresh window
                state.metric().withShape(registry.options.numericWindow(), registry.options.numericHistory(),
                        registry.options.numericFloor());
                observed = state.metric().observe(value);
                tokenId = vocabulary.binId(observed.bin());
            } else {
                // the parser refuses non-numbers for a numeric model; one parsed for a model of another kind (events
                // pending across a restart onto a numeric model) is scored as unknown rather than stop the thread
                log.warn("A numeric model got a token that is not a number ('{}' of key {}); scored as <unk>",
                        RangeQuantizer.shortened(token), key.key);
                tokenId = Vocabulary.UNK_ID;
            }
        } else {
            tokenId = vocabulary.id(token);
        }
        TokenScore topG = logits.score(row, tokenId, registry.topK, registry.topG);
        // a numeric model's calibration is per key (its anomaly likelihood); its training calibration is not used
        Optional<ModelCalibration> calibration = numeric ? Optional.empty() : version.model().calibration();
        Double calibrated = observed != null
                ? Double.valueOf(state.metric().calibrate(observed,
                        bin -> logits.probability(row, vocabulary.binId(bin)),
                        registry.options.numericPriorWeight()))
                : calibration.map(c -> c.calibratedScore(topG.surprisal(), tokenId == Vocabulary.UNK_ID)).orElse(null);
        // a numeric model's values are judged by their calibrated score alone; its end token by nothing
        boolean anomaly = numeric ? observed != null && registry.options.isMetricAnomaly(calibrated)
                : registry.options.isAnomaly(topG.anomaly(), calibrated);
        TokenScore score = anomaly == topG.anomaly() ? topG
                : new TokenScore(topG.tokenId(), topG.probability(), topG.surprisal(), topG.rank(), topG.topTokens(),
                        topG.topProbabilities(), anomaly);
        state.recordScore(score.surprisal(), score.anomaly(), tokenId, key.currentEvent().timestamp(),
                key.currentEvent().receivedAt(), score.topTokens());
        key.tokens.add(new KeyWork.TokenResult(key.currentEvent(), token, state.tokens(), score,
                engine.modelLabel(), vocabulary, calibrated, endStep ? state : null,
                endStep ? SessionVerdict.of(state, calibration, true) : null));
        if (endStep) {
            key.state = null;
        }
        key.advance();
    }

    /** Hands out one batcher per stream thread for one built topology (and one model: the served or the shadow). */
    static final class Registry {
        private final Map<Thread, ThreadBatcher> byThread = new ConcurrentHashMap<>();
        private final ActiveModel models;
        private final SeqstreamMetrics metrics;
        private final String engineKind;
        private final int historyTokens;
        private final StateMigration migration;
        private final int maxBatchSize;
        private final int topK;
        private final int topG;
        private final ScoringOptions options;

        Registry(ActiveModel models, SeqstreamMetrics metrics, ScoringOptions options) {
            this.models = models;
            this.metrics = metrics;
            this.engineKind = options.engine();
            this.historyTokens = options.replayTokens();
            this.migration = options.stateMigration();
            this.maxBatchSize = options.maxBatchSize();
            this.topK = options.topK();
            this.topG = options.topG();
            this.options = options;
        }

        private StepEngine newEngine(ModelVersion version) {
            return StepEngines.create(version.model(), engineKind, historyTokens);
        }

        private StateMigrator newMigrator(StepEngine engine) {
            return new StateMigrator(migration, engine, models::identity);
        }

        /** The calling thread's batcher, with {@code task} registered in it. */
        ThreadBatcher join(ScoringProcessor task) {
            ThreadBatcher batcher = byThread.computeIfAbsent(Thread.currentThread(), t -> new ThreadBatcher(this));
            batcher.tasks.add(task);
            return batcher;
        }

        /** Unregisters a closing task; the thread's engine is closed, and its version let go, with its last task. */
        void leave(ScoringProcessor task) {
            ThreadBatcher batcher = byThread.get(Thread.currentThread());
            if (batcher == null) {
                return;
            }
            batcher.awaitingApply.remove(task);
            if (batcher.tasks.remove(task) && batcher.tasks.isEmpty()) {
                byThread.remove(Thread.currentThread());
                batcher.engine.close();
                models.release(batcher.version);
            }
        }

        StateMigration migration() {
            return migration;
        }
    }
}
