package io.seqstream.app.http;

import java.util.List;

/**
 * What {@code GET /keys/{key}} answers: a summary of one key's state in the instance that hosts it. Rendered as
 * JSON with these field names; event times are ISO-8601 instants.
 *
 * @param key the sequence id
 * @param model {@code name@version} of the version that made the state
 * @param tokensSeen tokens scored in this sequence so far
 * @param meanSurprisal mean surprisal (nats) of those tokens
 * @param lastSurprisal surprisal of the last token scored
 * @param maxSurprisal the highest surprisal so far
 * @param anomalies tokens outside the model's top-g predictions
 * @param lastTopK the top-k predictions for the last token scored (token strings, most likely first; empty when
 *                 unknown, e.g. a state written before this field existed or carried over from another version)
 * @param firstEventTime event time of the sequence's first event
 * @param lastEventTime event time of its latest event
 * @param servedBy {@code host:port} of the instance that answered (the one hosting the key), or empty if unknown
 */
public record KeySummary(String key, String model, long tokensSeen, double meanSurprisal, double lastSurprisal,
                         double maxSurprisal, long anomalies, List<String> lastTopK, String firstEventTime,
                         String lastEventTime, String servedBy) {
}
