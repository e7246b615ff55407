package io.seqstream.bench;

import io.seqstream.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The worst case: keys {@code k00000…} drawn uniformly from {@code keys}, tokens uniformly from the ordinary tokens
 * both bench models know, no sequence ever ends. Every event lands on a key whose state was last touched long ago,
 * so the record cache never coalesces two writes of one key, and an untrained model scores every token as random.
 */
record UniformWorkload(int keys) implements Workload {
    static final String NAME = "uniform";

    UniformWorkload {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be positive: " + keys);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "random tokens over %,d uniformly drawn keys, untrained models "
                + "(the worst case)", keys);
    }

    /** The name of key number {@code i}: {@code k00000}, {@code k00001}, … */
    static String key(int i) {
        return String.format(Locale.ROOT, "k%05d", i);
    }

    @Override
    public Events events(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return () -> {
            String key = key(random.nextInt(keys));
            int token = Vocabulary.RESERVED.size()
                    + random.nextInt(BenchModel.SMALL.vocab() - Vocabulary.RESERVED.size());
            byte[] value = ("{\"token\":\"" + BenchModels.token(token) + "\"}").getBytes(StandardCharsets.UTF_8);
            return new Event(key, value, false);
        };
    }
}
