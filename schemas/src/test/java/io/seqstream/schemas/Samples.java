package io.seqstream.schemas;

import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;

/** One fully populated instance of every generated record, built through the generated builders. */
final class Samples {

    /** Every generated record class, in the order of the README. */
    static final List<Class<? extends SpecificRecordBase>> RECORD_CLASSES = List.of(
            SequenceEvent.class, Prediction.class, Score.class, SequenceSummary.class, ModelAnnouncement.class);

    private Samples() {
    }

    static SequenceEvent sequenceEvent() {
        return SequenceEvent.newBuilder()
                .setToken("E5")
                .setTokens(List.of("E22", "E11"))
                .setEnd(true)
                .build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder().setToken("E5").setProbability(0.8125).build();
    }

    static Score score() {
        return Score.newBuilder()
                .setKey("blk_-1608999687919862906")
                .setPosition(3)
                .setToken("E7")
                .setTokenId(2)
                .setUnknown(true)
                .setProbability(0.0009765625)
                .setSurprisal(6.931471805599453)
                .setRank(12)
                .setPredictions(List.of(prediction(),
                        Prediction.newBuilder().setToken("E22").setProbability(0.125).build()))
                .setAnomaly(true)
                .setTopG(9)
                .setModel("hdfs@3")
                .setPartition(1)
                .setOffset(42)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .build();
    }

    static SequenceSummary sequenceSummary() {
        return SequenceSummary.newBuilder()
                .setKey("blk_-1608999687919862906")
                .setReason(SummaryReason.EXPIRED)
                .setTokens(17)
                .setMeanSurprisal(0.75)
                .setMaxSurprisal(6.931471805599453)
                .setPerplexity(Math.exp(0.75))
                .setAnomalies(1)
                .setModel("hdfs@3")
                .setFirstEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setLastEventTime(Instant.ofEpochMilli(1_700_000_060_000L))
                .build();
    }

    static ModelAnnouncement modelAnnouncement() {
        return ModelAnnouncement.newBuilder()
                .setName("hdfs")
                .setVersion("3")
                .setUri("file:///models/hdfs/3")
                .setManifestSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setCreatedAt(Instant.ofEpochMilli(1_699_999_000_000L))
                .setVocabularyKind("id")
                .setMetrics(Map.of("validation_perplexity", 1.84))
                .setAction("publish")
                .setForced(false)
                .setGate("passed: loss 0.4120 vs active 0.4180")
                .setAnnouncedAt(Instant.ofEpochMilli(1_700_000_100_000L))
                .build();
    }

    static Stream<SpecificRecordBase> all() {
        return Stream.of(sequenceEvent(), prediction(), score(), sequenceSummary(), modelAnnouncement());
    }
}
