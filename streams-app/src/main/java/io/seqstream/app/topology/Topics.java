package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics seqstream reads and writes, with their serdes, as configured. Immutable: build one per
 * configuration; tests use the same registry as the application.
 */
public record Topics(TopicSpec<byte[], byte[]> events,
                     TopicSpec<String, Score> scores,
                     TopicSpec<String, Score> anomalies,
                     TopicSpec<String, SequenceSummary> summaries,
                     TopicSpec<byte[], byte[]> deadLetter,
                     TopicSpec<String, Score> shadowScores,
                     boolean shadowEnabled) {

    public static Topics from(SeqstreamConfig config) {
        Serde<Score> scoreSerde = new SpecificRecordSerde<>(Score.class, config.outputFormat());
        Serde<SequenceSummary> summarySerde = new SpecificRecordSerde<>(SequenceSummary.class, config.outputFormat());
        return new Topics(
                new TopicSpec<>(config.string(Setting.EVENTS_TOPIC), Serdes.ByteArray(), Serdes.ByteArray()),
                new TopicSpec<>(config.string(Setting.SCORES_TOPIC), Serdes.String(), scoreSerde),
                new TopicSpec<>(config.string(Setting.ANOMALIES_TOPIC), Serdes.String(), scoreSerde),
                new TopicSpec<>(config.string(Setting.SUMMARIES_TOPIC), Serdes.String(), summarySerde),
                new TopicSpec<>(config.string(Setting.DEAD_LETTER_TOPIC), Serdes.ByteArray(), Serdes.ByteArray()),
                new TopicSpec<>(config.string(Setting.SHADOW_SCORES_TOPIC), Serdes.String(), scoreSerde),
                !config.string(Setting.MODEL_SHADOW).isEmpty());
    }

    /** Every topic's name, the input first (the shadow scores topic only when a shadow model is configured). */
    public List<String> names() {
        List<String> names = new java.util.ArrayList<>(List.of(events.name(), scores.name(), anomalies.name(),
                summaries.name(), deadLetter.name()));
        if (shadowEnabled) {
            names.add(shadowScores.name());
        }
        return List.copyOf(names);
    }
}
