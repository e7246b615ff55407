package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;

/** The scoring settings a processor needs, read once from the configuration. */
record ScoringOptions(int topK, int topG, long ttlMs, long expiryScanMs) {
    static ScoringOptions from(SeqstreamConfig config) {
        return new ScoringOptions(config.integer(Setting.TOP_K), config.integer(Setting.TOP_G),
                config.longValue(Setting.STATE_TTL_MS), config.longValue(Setting.EXPIRY_SCAN_MS));
    }
}
