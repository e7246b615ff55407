package io.seqstream.app.dashboard;

import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import java.util.List;

/**
 * One score as the dashboard shows it: the fields of a {@link Score} a browser needs, with the top three
 * predictions. Serialised to JSON as is (record components become the field names).
 *
 * @param time the input record's timestamp, in milliseconds since the Unix epoch
 * @param top the model's three most likely tokens for this position, most likely first
 */
public record FeedScore(String key, long position, String token, double probability, double surprisal, int rank,
                        boolean anomaly, boolean unknown, String model, long time, List<Top> top) {
    /** How many predictions a {@link FeedScore} keeps. */
    public static final int TOP = 3;

    /** One of the model's predictions. */
    public record Top(String token, double probability) {
    }

    static FeedScore of(Score s) {
        List<Top> top = s.getPredictions().stream().limit(TOP)
                .map((Prediction p) -> new Top(p.getToken().toString(), p.getProbability())).toList();
        return new FeedScore(s.getKey().toString(), s.getPosition(), s.getToken().toString(), s.getProbability(),
                s.getSurprisal(), s.getRank(), s.getAnomaly(), s.getUnknown(), s.getModel().toString(),
                s.getEventTime().toEpochMilli(), top);
    }
}
