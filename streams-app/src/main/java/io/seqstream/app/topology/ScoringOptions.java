package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.InputFormat;
import io.seqstream.app.input.RecordSeparator;
import io.seqstream.engine.StateMigration;
import io.seqstream.model.Vocabulary;
import java.util.List;

/** The scoring settings a processor needs, read once from the configuration. */
record ScoringOptions(int topK, int topG, String anomalyRule, double calibratedThreshold, int likelihoodProbation,
                      double numericPriorWeight, int numericWindow, int numericHistory, int numericFloor,
                      long ttlMs, long expiryScanMs, String engine, int maxBatchSize,
                      long maxBatchDelayMs, StateMigration stateMigration, int replayTokens, long modelCheckMs,
                      InputFormat inputFormat, String recordSeparator, long commitIntervalMs) {
    static ScoringOptions from(SeqstreamConfig config) {
        return new ScoringOptions(config.integer(Setting.TOP_K), config.integer(Setting.TOP_G),
                config.string(Setting.ANOMALY_RULE), Double.parseDouble(config.string(Setting.CALIBRATED_THRESHOLD)),
                config.integer(Setting.LIKELIHOOD_PROBATION),
                Double.parseDouble(config.string(Setting.NUMERIC_PRIOR_WEIGHT)),
                config.integer(Setting.NUMERIC_WINDOW), config.integer(Setting.NUMERIC_HISTORY),
                config.integer(Setting.NUMERIC_FLOOR),
                config.longValue(Setting.STATE_TTL_MS), config.longValue(Setting.EXPIRY_SCAN_MS),
                config.string(Setting.ENGINE), config.integer(Setting.MAX_BATCH_SIZE),
                config.longValue(Setting.MAX_BATCH_DELAY_MS), StateMigration.parse(config.string(Setting.STATE_MIGRATION)),
                config.integer(Setting.REPLAY_TOKENS), Math.max(10, config.longValue(Setting.MODEL_WATCH_MS) / 4),
                config.inputFormat(), config.string(Setting.INPUT_TEXT_RECORD_SEPARATOR),
                config.longValue(Setting.COMMIT_INTERVAL_MS));
    }

    /** Tokens scored between two records of one key, for a model with this vocabulary. */
    List<String> separatorTokens(Vocabulary vocabulary) {
        return RecordSeparator.tokens(recordSeparator, inputFormat, vocabulary);
    }

    /**
     * Whether an event is an anomaly under {@code score.anomaly-rule}, from the top-g verdict and its calibrated
     * score (null without a calibration: then top-g decides).
     */
    boolean isAnomaly(boolean topG, Double calibrated) {
        if (calibrated == null || anomalyRule.equals("top-g")) {
            return topG;
        }
        boolean high = calibrated > calibratedThreshold;
        return anomalyRule.equals("either") ? topG || high : high;
    }

    /**
     * Whether an event of a numeric model is an anomaly, whatever the rule: its calibrated score is above the
     * threshold, or it broke out of the key's range (scored 1).
     */
    boolean isMetricAnomaly(double calibrated) {
        return calibrated > calibratedThreshold || calibrated >= 1.0;
    }

    boolean batching() {
        return maxBatchDelayMs > 0;
    }

    /** How often the punctuator that asks for commits on the {@code commit.interval.ms} grid looks at the clock. */
    long commitTickMs() {
        return Math.max(1, Math.min(10, commitIntervalMs / 10));
    }
}
