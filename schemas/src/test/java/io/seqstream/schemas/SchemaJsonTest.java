package io.seqstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaJsonTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    static List<SpecificRecordBase> samples() {
        return Samples.all().toList();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldRoundTripEveryRecord(SpecificRecordBase record) throws Exception {
        String json = SchemaJson.writeString(record);

        assertThat(SchemaJson.read(json, record.getClass())).isEqualTo(record);
        assertThat(SchemaJson.read(json.getBytes(StandardCharsets.UTF_8), record.getClass())).isEqualTo(record);
        assertThat(SchemaJson.writeBytes(record)).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldWriteExactlyTheSchemaFieldsInSchemaOrder(SpecificRecordBase record) throws Exception {
        JsonNode json = PLAIN.readTree(SchemaJson.writeString(record));

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(
                record.getSchema().getFields().stream().map(Schema.Field::name).toList());
    }

    /**
     * The record writer against a reference that does not go through it: the record turned into plain maps and
     * lists in schema order, written by a plain Jackson mapper. Byte for byte, for every sample and for a score whose
     * strings need escaping and whose doubles are not finite or need all 17 digits. Field order, names, nulls,
     * timestamps, enums and nesting are checked; the digits of a number are Jackson's in both (the same double
     * writer), so they are not.
     */
    @ParameterizedTest
    @MethodSource("samplesAndAwkwardScore")
    void shouldWriteWhatAPlainMapperWritesForTheSameFields(SpecificRecordBase record) throws Exception {
        ObjectMapper reference = JsonMapper.builder(JsonFactory.builder()
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build()).build();

        byte[] expected = reference.writeValueAsBytes(plain(record));

        assertThat(new String(SchemaJson.writeBytes(record), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        // and inside any value a seqstream mapper writes
        assertThat(new String(SchemaJson.newObjectMapper().writeValueAsBytes(List.of(record)), StandardCharsets.UTF_8))
                .isEqualTo("[" + new String(expected, StandardCharsets.UTF_8) + "]");
    }

    static List<SpecificRecordBase> samplesAndAwkwardScore() {
        List<SpecificRecordBase> records = new ArrayList<>(Samples.all().toList());
        records.add(Score.newBuilder(Samples.score())
                .setKey("blk_\"quoted\"\n\ttab \u00e9\u4e2d \ud83d\ude00 \u0001")
                .setToken("</script>")
                .setProbability(0.1 + 0.2)
                .setSurprisal(Double.POSITIVE_INFINITY)
                .setCalibratedScore(Double.NaN)
                .setPredictions(List.of(new Prediction("E5", 1e-300), new Prediction("E\u00e9", -0.0),
                        new Prediction("E7", Double.NEGATIVE_INFINITY)))
                .build());
        return records;
    }

    /** A record as maps and lists in schema order: timestamps as epoch millis, enums by name. */
    private static Object plain(Object value) {
        if (value instanceof SpecificRecordBase record) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Schema.Field field : record.getSchema().getFields()) {
                fields.put(field.name(), plain(record.get(field.pos())));
            }
            return fields;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SchemaJsonTest::plain).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> entries = new LinkedHashMap<>();
            map.forEach((k, v) -> entries.put(k.toString(), plain(v)));
            return entries;
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof Enum<?> symbol) {
            return symbol.name();
        }
        return value instanceof CharSequence text ? text.toString() : value;
    }

    @Test
    void shouldReadSingleTokenEventWithDefaults() throws Exception {
        SequenceEvent event = SchemaJson.read("{\"token\":\"E5\"}", SequenceEvent.class);

        assertThat(event.getToken()).isEqualTo("E5");
        assertThat(event.getTokens()).isEmpty();
        assertThat(event.getEnd()).isFalse();
    }

    @Test
    void shouldReadTokensAndEndWithNullTokenDefault() throws Exception {
        SequenceEvent event = SchemaJson.read("{\"tokens\":[\"a\",\"b\"],\"end\":true}", SequenceEvent.class);

        assertThat(event.getToken()).isNull();
        assertThat(event.getTokens()).containsExactly("a", "b");
        assertThat(event.getEnd()).isTrue();
    }

    @Test
    void shouldReadEmptyObjectAsAllDefaults() throws Exception {
        assertThat(SchemaJson.read("{}", SequenceEvent.class))
                .isEqualTo(SequenceEvent.newBuilder().build());
    }

    @Test
    void shouldGiveEachReadItsOwnDefaultList() throws Exception {
        SequenceEvent first = SchemaJson.read("{}", SequenceEvent.class);
        first.getTokens().add("mutated");

        assertThat(SchemaJson.read("{}", SequenceEvent.class).getTokens()).isEmpty();
    }

    @Test
    void shouldIgnoreUnknownProperties() throws Exception {
        SequenceEvent event = SchemaJson.read(
                "{\"token\":\"E5\",\"addedLater\":{\"x\":[1,2]},\"schema\":\"ignored\"}", SequenceEvent.class);

        assertThat(event.getToken()).isEqualTo("E5");
    }

    @Test
    void shouldDefaultOmittedOptionalFieldsOfScoreAndAnnouncement() throws Exception {
        ObjectMapper mapper = SchemaJson.newObjectMapper();
        var score = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
                SchemaJson.writeString(Samples.score()));
        score.remove("unknown");
        var announcement = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
                SchemaJson.writeString(Samples.modelAnnouncement()));
        announcement.remove("metrics");

        assertThat(SchemaJson.read(score.toString(), Score.class).getUnknown()).isFalse();
        assertThat(SchemaJson.read(announcement.toString(), ModelAnnouncement.class).getMetrics()).isEmpty();
    }

    @Test
    void shouldReadAnnouncementOfAWriterThatPredatesActionForcedGateAndAnnouncedAt() throws Exception {
        String old = "{\"name\":\"hdfs\",\"version\":\"2\",\"uri\":\"file:///models/hdfs/2\","
                + "\"manifestSha256\":\"ab\",\"createdAt\":1699999000000,\"vocabularyKind\":\"id\"}";

        ModelAnnouncement announcement = SchemaJson.read(old, ModelAnnouncement.class);

        assertThat(announcement.getAction()).isEqualTo("publish");
        assertThat(announcement.getForced()).isFalse();
        assertThat(announcement.getGate()).isNull();
        assertThat(announcement.getAnnouncedAt()).isNull();
    }

    @Test
    void shouldWriteAnnouncedAtAsEpochMillis() throws Exception {
        JsonNode json = PLAIN.readTree(SchemaJson.writeString(Samples.modelAnnouncement()));

        assertThat(json.get("announcedAt").isIntegralNumber()).isTrue();
        assertThat(json.get("announcedAt").asLong()).isEqualTo(1_700_000_100_000L);
        assertThat(json.get("forced").isBoolean()).isTrue();
    }

    @Test
    void shouldWriteTimestampsAsEpochMillisAndEnumsByName() throws Exception {
        JsonNode json = PLAIN.readTree(SchemaJson.writeString(Samples.sequenceSummary()));

        assertThat(json.get("firstEventTime").isIntegralNumber()).isTrue();
        assertThat(json.get("firstEventTime").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(json.get("reason").asText()).isEqualTo("EXPIRED");
    }

    @Test
    void shouldWriteNullableNullAsJsonNull() {
        assertThat(SchemaJson.writeString(SequenceEvent.newBuilder().setTokens(List.of("a")).build()))
                .isEqualTo("{\"token\":null,\"tokens\":[\"a\"],\"end\":false,\"value\":null}");
    }

    @Test
    void shouldRoundTripNonFiniteDoublesAsStrings() throws Exception {
        Score score = Score.newBuilder(Samples.score())
                .setProbability(0.0)
                .setSurprisal(Double.POSITIVE_INFINITY)
                .build();

        String json = SchemaJson.writeString(score);

        assertThat(json).contains("\"surprisal\":\"Infinity\"");
        assertThat(SchemaJson.read(json, Score.class).getSurprisal()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void shouldNameTheFieldWhoseNullIsRejected() {
        assertThatThrownBy(() -> SchemaJson.read("{\"tokens\":null}", SequenceEvent.class))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("SequenceEvent.tokens");
    }

    @Test
    void shouldRejectMissingRequiredFieldNamingIt() {
        String json = "{\"token\":\"E5\"}";

        assertThatThrownBy(() -> SchemaJson.read(json, Prediction.class))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("probability");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"tokens\":null}",
        "null",
        "{\"end\":null}",
        "{\"tokens\":[\"a\",null]}",
        "{\"tokens\":\"a\"}",
        "{\"end\":\"true\"}",
        "{\"token\":17}",
        "{\"tokens\":[\"a\",true]}",
        "{\"end\":1}",
        "{\"token\":\"a\",\"token\":\"b\"}",
        "{\"token\":\"a\"} {}",
        "[\"a\"]",
        "{\"token\":",
        "not json"
    })
    void shouldRejectMalformedEvents(String json) {
        assertThatThrownBy(() -> SchemaJson.read(json, SequenceEvent.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"token\":\"E5\",\"probability\":null}",
        "{\"token\":null,\"probability\":0.5}",
        "{\"token\":\"E5\",\"probability\":\"0.5\"}"
    })
    void shouldRejectNullsAndStringsWhereTheSchemaWantsValues(String json) {
        assertThatThrownBy(() -> SchemaJson.read(json, Prediction.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldRejectTimestampsThatAreNotEpochMillis() throws Exception {
        var summary = (com.fasterxml.jackson.databind.node.ObjectNode) PLAIN.readTree(
                SchemaJson.writeString(Samples.sequenceSummary()));

        summary.put("firstEventTime", "2023-11-14T22:13:20Z");
        assertThatThrownBy(() -> SchemaJson.read(summary.toString(), SequenceSummary.class))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("epoch milliseconds");

        summary.put("firstEventTime", 1.5);
        assertThatThrownBy(() -> SchemaJson.read(summary.toString(), SequenceSummary.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldRejectUnknownEnumSymbolsAndOrdinals() throws Exception {
        var summary = (com.fasterxml.jackson.databind.node.ObjectNode) PLAIN.readTree(
                SchemaJson.writeString(Samples.sequenceSummary()));

        summary.put("reason", "EVICTED");
        assertThatThrownBy(() -> SchemaJson.read(summary.toString(), SequenceSummary.class))
                .isInstanceOf(JsonProcessingException.class);

        summary.put("reason", 0);
        assertThatThrownBy(() -> SchemaJson.read(summary.toString(), SequenceSummary.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldRefuseToWriteNullRequiredField() {
        Prediction broken = new Prediction(null, 0.5);

        assertThatThrownBy(() -> SchemaJson.writeString(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Prediction.token");
    }

    @Test
    void shouldKeepMillisecondPrecisionOnly() throws Exception {
        Score score = Score.newBuilder(Samples.score())
                .setEventTime(Instant.parse("2023-11-14T22:13:20.123456789Z"))
                .build();

        assertThat(SchemaJson.read(SchemaJson.writeString(score), Score.class).getEventTime())
                .isEqualTo(Instant.parse("2023-11-14T22:13:20.123Z"));
    }

    @Test
    void shouldReadEnumSymbolsByName() throws Exception {
        String json = SchemaJson.writeString(Samples.sequenceSummary()).replace("EXPIRED", "END");

        assertThat(SchemaJson.read(json, SequenceSummary.class).getReason()).isEqualTo(SummaryReason.END);
    }
}
