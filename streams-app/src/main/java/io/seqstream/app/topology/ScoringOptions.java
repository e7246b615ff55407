package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.engine.StateMigration;

/** The scoring settings a processor needs, read once from the configuration. */
record ScoringOptions(int topK, int topG, long ttlMs, long expiryScanMs, String engine, int maxBatchSize,
                      long maxBatchDelayMs, StateMigration stateMigration, int replayTokens, long modelCheckMs) {
    static ScoringOptions from(SeqstreamConfig config) {
        return new ScoringOptions(config.integer(Setting.TOP_K), config.integer(Setting.TOP_G),
                config.longValue(Setting.STATE_TTL_MS), config.longValue(Setting.EXPIRY_SCAN_MS),
                config.string(Setting.ENGINE), config.integer(Setting.MAX_BATCH_SIZE),
                config.longValue(Setting.MAX_BATCH_DELAY_MS), StateMigration.parse(config.string(Setting.STATE_MIGRATION)),
                config.integer(Setting.REPLAY_TOKENS), Math.max(10, config.longValue(Setting.MODEL_WATCH_MS) / 4));
    }

    boolean batching() {
        return maxBatchDelayMs > 0;
    }
}
