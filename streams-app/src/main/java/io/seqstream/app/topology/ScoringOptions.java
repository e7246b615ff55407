package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;

/** The scoring settings a processor needs, read once from the configuration. */
record ScoringOptions(int topK, int topG, long ttlMs, long expiryScanMs, String engine, int maxBatchSize,
                      long maxBatchDelayMs) {
    static ScoringOptions from(SeqstreamConfig config) {
        return new ScoringOptions(config.integer(Setting.TOP_K), config.integer(Setting.TOP_G),
                config.longValue(Setting.STATE_TTL_MS), config.longValue(Setting.EXPIRY_SCAN_MS),
                config.string(Setting.ENGINE), config.integer(Setting.MAX_BATCH_SIZE),
                config.longValue(Setting.MAX_BATCH_DELAY_MS));
    }

    boolean batching() {
        return maxBatchDelayMs > 0;
    }
}
