package io.seqstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;

/** Records written by builds before a schema gained fields still decode, the new fields taking their defaults. */
class SchemaHistoryTest {
    @Test
    void shouldKeepEveryEarlierVersionCompatibleBothWays() {
        for (Class<?> type : List.of(Score.class, SequenceSummary.class, SequenceEvent.class)) {
            Schema current = org.apache.avro.specific.SpecificData.get().getSchema(type);
            List<Schema> history = AvroSingleObject.History.of(current.getFullName());
            assertThat(history).as(type.getSimpleName()).isNotEmpty();
            for (Schema older : history) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, older).getType())
                        .as("this build reads %s written by an older one", type.getSimpleName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(older, current).getType())
                        .as("an older build's reader resolves this one's %s, given the schema", type.getSimpleName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void shouldDecodeAScoreWrittenWithTheFirstSchema() throws Exception {
        Score now = Samples.score();
        Schema first = AvroSingleObject.History.of(Score.getClassSchema().getFullName()).get(0);
        GenericRecord old = new GenericData.Record(first);
        for (Schema.Field field : first.getFields()) {
            Object value = now.get(field.name());
            old.put(field.name(), value instanceof java.time.Instant t ? t.toEpochMilli() : value);
        }
        old.put("predictions", toGeneric(now, first));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), first).encode(old, bytes);

        Score back = AvroSingleObject.decode(bytes.toByteArray(), Score.class);

        assertThat(back.getKey()).isEqualTo(now.getKey());
        assertThat(back.getSurprisal()).isEqualTo(now.getSurprisal());
        assertThat(back.getPredictions()).isEqualTo(now.getPredictions());
        assertThat(back.getEventTime()).isEqualTo(now.getEventTime());
        assertThat(back.getCalibratedScore()).as("the added field's default").isNull();
        assertThat(bytes.toByteArray()).as("another fingerprint than today's")
                .startsWith(new byte[] {(byte) 0xC3, 0x01}).isNotEqualTo(AvroSingleObject.encode(now));
    }

    @Test
    void shouldDecodeAnEventWrittenBeforeEventsCarriedValues() throws Exception {
        Schema first = AvroSingleObject.History.of(SequenceEvent.getClassSchema().getFullName()).get(0);
        GenericRecord old = new GenericData.Record(first);
        old.put("token", "E5");
        old.put("tokens", List.of("E7"));
        old.put("end", true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), first).encode(old, bytes);

        SequenceEvent back = AvroSingleObject.decode(bytes.toByteArray(), SequenceEvent.class);

        assertThat(back.getToken()).isEqualTo("E5");
        assertThat(back.getTokens()).containsExactly("E7");
        assertThat(back.getEnd()).isTrue();
        assertThat(back.getValue()).isNull();
    }

    private static List<GenericRecord> toGeneric(Score score, Schema scoreSchema) {
        Schema prediction = scoreSchema.getField("predictions").schema().getElementType();
        return score.getPredictions().stream().map(p -> {
            GenericRecord r = new GenericData.Record(prediction);
            r.put("token", p.getToken());
            r.put("probability", p.getProbability());
            return r;
        }).toList();
    }

    @Test
    void shouldStillRefuseAnotherRecordsBytes() {
        byte[] summary = AvroSingleObject.encode(Samples.sequenceSummary());
        assertThatThrownBy(() -> AvroSingleObject.decode(summary, Score.class))
                .isInstanceOf(MissingSchemaException.class).hasMessageContaining("or an earlier version's");
    }
}
