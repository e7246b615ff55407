package io.seqstream.bench;

import io.seqstream.app.config.Setting;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.Logits;
import io.seqstream.engine.StepEngine;
import io.seqstream.engine.StepEngines;
import io.seqstream.engine.TokenScore;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Measures a stepping engine alone, the way the batching processor drives it: {@code keys} sequences with
 * their own states, batches of B distinct keys taken in turn from that pool (so each step gathers and
 * scatters real per-key h/c), and after each step every key's next token, a fresh random one, scored as the
 * stream scores an event (its probability, surprisal, rank, the top k and the top-g flag, with the defaults of
 * {@code score.top-k} and {@code score.top-g}) and fed to the key.
 *
 * <p>Per model: a warm-up of {@link Settings#warmup()} per engine that cycles through every engine and batch
 * size (the JIT and ND4J's caches settle), then per batch size {@link Settings#repeats()} timed repeats of
 * {@link Settings#perRepeat()} each (at least one step each) of every engine in turn; a cell's figure is its
 * median repeat.
 */
final class StepBenchmark {
    /** The stream's defaults: {@code score.top-k} and {@code score.top-g}. */
    static final int TOP_K = Integer.parseInt(Setting.TOP_K.defaultValue());
    static final int TOP_G = Integer.parseInt(Setting.TOP_G.defaultValue());

    /**
     * @param keys size of the key pool the batches are drawn from
     * @param warmup per model and engine, before any cell is timed
     * @param perRepeat wall-clock length of one timed repeat
     */
    record Settings(List<Integer> batchSizes, int keys, Duration warmup, Duration perRepeat, int repeats, long seed) {
        Settings {
            batchSizes = List.copyOf(batchSizes);
            if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("Batch sizes must be positive, got " + batchSizes);
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be at least 1");
            }
            keys = Math.max(keys, batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow());
        }
    }

    /** One measured cell: events (token steps) per second, the median of the repeats. */
    record Cell(String model, String engine, int batch, double eventsPerSecond, double[] repeats) {
    }

    private final Settings settings;
    /** Keeps the results alive so that no step can be optimised away. */
    private double sink;

    StepBenchmark(Settings settings) {
        this.settings = settings;
    }

    /**
     * Measures every batch size of one model on every engine kind, interleaved: per batch size, each timed
     * repeat runs every engine in turn, so that a change in the machine's background load (it is shared)
     * affects all engines alike rather than whichever was measured at the time. Reports each cell as it
     * completes.
     */
    List<Cell> run(BenchModel spec, LoadedModel model, List<String> kinds, Consumer<Cell> onCell) {
        List<StepEngine> engines = new ArrayList<>();
        try {
            List<Pool> pools = new ArrayList<>();
            for (String kind : kinds) {
                StepEngine engine = StepEngines.create(model, kind);
                engines.add(engine);
                pools.add(new Pool(engine, spec.vocab(), settings.keys(), settings.seed()));
            }
            warmUp(engines, pools);
            List<Cell> cells = new ArrayList<>();
            for (int batch : settings.batchSizes()) {
                for (int e = 0; e < engines.size(); e++) {
                    step(engines.get(e), pools.get(e), batch); // a step at this size right before timing it
                }
                double[][] repeats = new double[engines.size()][settings.repeats()];
                for (int r = 0; r < settings.repeats(); r++) {
                    for (int e = 0; e < engines.size(); e++) {
                        repeats[e][r] = timeRepeat(engines.get(e), pools.get(e), batch);
                    }
                }
                for (int e = 0; e < engines.size(); e++) {
                    Cell cell = new Cell(spec.name(), kinds.get(e), batch, median(repeats[e]), repeats[e]);
                    cells.add(cell);
                    onCell.accept(cell);
                }
            }
            return cells;
        } finally {
            engines.forEach(StepEngine::close);
        }
    }

    /** {@link Settings#warmup()} per engine, cycling through every engine and batch size. */
    private void warmUp(List<StepEngine> engines, List<Pool> pools) {
        long deadline = System.nanoTime() + settings.warmup().toNanos() * engines.size();
        do {
            for (int e = 0; e < engines.size(); e++) {
                for (int batch : settings.batchSizes()) {
                    step(engines.get(e), pools.get(e), batch);
                }
            }
        } while (System.nanoTime() < deadline);
    }

    private double timeRepeat(StepEngine engine, Pool pool, int batch) {
        long budget = settings.perRepeat().toNanos();
        long events = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            step(engine, pool, batch);
            events += batch;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return events / (elapsed / 1e9);
    }

    private void step(StepEngine engine, Pool pool, int batch) {
        List<KeyState> states = pool.next(batch);
        Logits logits = engine.stepLogits(states);
        for (int i = 0; i < batch; i++) {
            KeyState state = states.get(i);
            int token = pool.nextToken();
            TokenScore score = logits.score(i, token, TOP_K, TOP_G);
            sink += score.probability();
            state.recordScore(score.surprisal(), score.anomaly(), token, 0L, 0L, score.topTokens());
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The key pool: states stepped in turn, B consecutive keys per batch, wrapping around. */
    private static final class Pool {
        private final List<KeyState> states;
        private final int[] tokens;
        private int nextKey;
        private int nextToken;

        Pool(StepEngine engine, int vocab, int keys, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            this.states = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                states.add(engine.newState(Vocabulary.START_ID, 0L));
            }
            // Ordinary tokens only (not <s>, <e>, <unk>), from the range both models know.
            int known = Math.min(vocab, BenchModel.SMALL.vocab());
            this.tokens = new int[1 << 16];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = Vocabulary.RESERVED.size() + random.nextInt(known - Vocabulary.RESERVED.size());
            }
            for (KeyState state : states) {
                state.recordScore(0.0, false, nextToken(), 0L, 0L);
            }
        }

        List<KeyState> next(int batch) {
            if (nextKey + batch > states.size()) {
                nextKey = 0;
            }
            List<KeyState> slice = states.subList(nextKey, nextKey + batch);
            nextKey += batch;
            return slice;
        }

        /** The next of the pool's random tokens. */
        int nextToken() {
            int token = tokens[nextToken];
            nextToken = (nextToken + 1) & (tokens.length - 1);
            return token;
        }
    }
}
