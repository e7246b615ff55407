package io.seqstream.app.topology;

import io.seqstream.engine.StepEngine;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.engine.KeyState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Batches LSTM steps across all the scoring tasks of one stream thread — every partition the thread owns —
 * so that a batch fills as fast as the thread's whole input, not one partition's.
 *
 * <p>A round computes, in one engine, the pending work of every task that has nothing computed and unapplied;
 * each task then applies its own results (emits its scores, writes its states, clears its pending events)
 * inside its own processing or punctuation, never in another task's. Until a task applies, its pending events
 * and states stay as they were committed, so a crash in between recomputes them: nothing is lost or
 * duplicated. Rounds go in waves of distinct keys, so a batch never holds two steps of one key.
 *
 * <p>One instance per stream thread, used only by that thread (not thread-safe); made by a {@link Registry}.
 */
final class ThreadBatcher {
    private final StepEngine engine;
    private final SeqstreamMetrics metrics;
    private final int maxBatchSize;
    private final Set<ScoringProcessor> tasks = new LinkedHashSet<>();

    private ThreadBatcher(StepEngine engine, SeqstreamMetrics metrics, int maxBatchSize) {
        this.engine = engine;
        this.metrics = metrics;
        this.maxBatchSize = maxBatchSize;
    }

    StepEngine engine() {
        return engine;
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
        List<ScoringProcessor.KeyWork> wave = new ArrayList<>();
        for (ScoringProcessor task : tasks) {
            if (!task.hasUnappliedResults()) {
                wave.addAll(task.takeWork());
            }
        }
        while (!wave.isEmpty()) {
            for (int from = 0; from < wave.size(); from += maxBatchSize) {
                stepBatch(wave.subList(from, Math.min(wave.size(), from + maxBatchSize)));
            }
            wave.removeIf(ScoringProcessor.KeyWork::isDone);
        }
    }

    private void stepBatch(List<ScoringProcessor.KeyWork> batch) {
        List<KeyState> states = new ArrayList<>(batch.size());
        for (ScoringProcessor.KeyWork key : batch) {
            states.add(key.stateForNextStep());
        }
        long started = System.nanoTime();
        float[] probabilities = engine.step(states);
        metrics.stepped(System.nanoTime() - started, batch.size());
        int vocab = engine.vocabSize();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).scoreNextStep(probabilities, i * vocab);
        }
    }

    /** Hands out one batcher per stream thread for one built topology. */
    static final class Registry {
        private final Map<Thread, ThreadBatcher> byThread = new ConcurrentHashMap<>();
        private final Supplier<StepEngine> engines;
        private final SeqstreamMetrics metrics;
        private final int maxBatchSize;

        Registry(Supplier<StepEngine> engines, SeqstreamMetrics metrics, int maxBatchSize) {
            this.engines = engines;
            this.metrics = metrics;
            this.maxBatchSize = maxBatchSize;
        }

        /** The calling thread's batcher, with {@code task} registered in it. */
        ThreadBatcher join(ScoringProcessor task) {
            ThreadBatcher batcher = byThread.computeIfAbsent(Thread.currentThread(),
                    t -> new ThreadBatcher(engines.get(), metrics, maxBatchSize));
            batcher.tasks.add(task);
            return batcher;
        }

        /** Unregisters a closing task; the thread's engine is closed with its last task. */
        void leave(ScoringProcessor task) {
            ThreadBatcher batcher = byThread.get(Thread.currentThread());
            if (batcher != null && batcher.tasks.remove(task) && batcher.tasks.isEmpty()) {
                byThread.remove(Thread.currentThread());
                batcher.engine.close();
            }
        }
    }
}
