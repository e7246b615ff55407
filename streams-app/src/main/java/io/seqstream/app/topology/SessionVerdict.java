package io.seqstream.app.topology;

import io.seqstream.engine.KeyState;
import io.seqstream.model.ModelCalibration;
import java.util.Optional;

/**
 * The session rule's verdict on a finished sequence, written into its summary.
 *
 * @param anomalous        whether the sequence as a whole is anomalous
 * @param rule             which part of the rule flagged it (null when normal)
 * @param maxCalibrated    the largest calibrated score of its tokens (null without a calibration)
 */
record SessionVerdict(boolean anomalous, String rule, Double maxCalibrated) {
    /** Without a calibration: a token outside the vocabulary, or any event anomalous by the event rule. */
    static final String RULE_ANOMALOUS_EVENT = "anomalous-event";

    /**
     * Judges a sequence's final state.
     *
     * @param withBag whether the sequence's bag may be used (false for sequences that expired before their end)
     */
    static SessionVerdict of(KeyState state, Optional<ModelCalibration> calibration, boolean withBag) {
        if (calibration.isEmpty()) {
            if (state.sawUnknown()) {
                return new SessionVerdict(true, ModelCalibration.RULE_UNKNOWN_TOKEN, null);
            }
            return state.anomalies() > 0
                    ? new SessionVerdict(true, RULE_ANOMALOUS_EVENT, null)
                    : new SessionVerdict(false, null, null);
        }
        ModelCalibration c = calibration.get();
        double maxCalibrated = c.calibratedScore(state.surprisalMax(), state.sawUnknown());
        Optional<String> rule = c.sessionAnomaly(state.sawUnknown(), withBag ? state.bag() : null,
                state.surprisalMax());
        return new SessionVerdict(rule.isPresent(), rule.orElse(null), maxCalibrated);
    }
}
