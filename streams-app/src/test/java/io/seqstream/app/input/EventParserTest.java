package io.seqstream.app.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.SequenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventParserTest {
    private static final Vocabulary CHARS = new Vocabulary(VocabularyKind.CHAR, false, Vocabulary.RESERVED);

    private static EventParser parser(InputFormat format) {
        return new EventParser(format, CHARS, 64, 8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadJsonWithOneTokenSeveralTokensAndEnd() throws Exception {
        EventParser json = parser(InputFormat.JSON);

        assertThat(json.parseValue(utf8("{\"token\":\"E5\"}"))).isEqualTo(new ParsedEvent(List.of("E5"), false));
        assertThat(json.parseValue(utf8("{\"tokens\":[\"a\",\"b\"],\"end\":true}")))
                .isEqualTo(new ParsedEvent(List.of("a", "b"), true));
        assertThat(json.parseValue(utf8("{\"end\":true}"))).isEqualTo(new ParsedEvent(List.of(), true));
    }

    @Test
    void shouldReadANumericModelsValuesFromJsonAvroAndText() throws Exception {
        Vocabulary numeric = Vocabulary.numeric(8);
        EventParser json = new EventParser(InputFormat.JSON, numeric, 64, 8);
        EventParser text = new EventParser(InputFormat.TEXT, numeric, 64, 8);
        EventParser avro = new EventParser(InputFormat.AVRO, numeric, 64, 8);

        assertThat(json.parseValue(utf8("{\"value\":12.5}"))).isEqualTo(new ParsedEvent(List.of("12.5"), false));
        assertThat(json.parseValue(utf8("{\"token\":\"-3\",\"value\":1e3,\"end\":true}")))
                .isEqualTo(new ParsedEvent(List.of("-3", "1000.0"), true));
        assertThat(text.parseValue(utf8(" 7.25\n"))).isEqualTo(new ParsedEvent(List.of("7.25"), false));
        SequenceEvent event = SequenceEvent.newBuilder().setValue(0.5).build();
        assertThat(avro.parseValue(AvroSingleObject.encode(event))).isEqualTo(new ParsedEvent(List.of("0.5"), false));
    }

    @Test
    void shouldScoreNothingBetweenANumericModelsRecords() {
        assertThat(RecordSeparator.tokens("|", InputFormat.TEXT, Vocabulary.numeric(8))).isEmpty();
        assertThat(RecordSeparator.tokens("0", InputFormat.TEXT, Vocabulary.numeric(8))).isEmpty();
        assertThat(RecordSeparator.tokens(RecordSeparator.AUTO, InputFormat.TEXT, Vocabulary.numeric(8))).isEmpty();
    }

    @Test
    void shouldDeadLetterWhatANumericModelCannotRead() {
        EventParser json = new EventParser(InputFormat.JSON, Vocabulary.numeric(8), 64, 8);
        EventParser text = new EventParser(InputFormat.TEXT, Vocabulary.numeric(8), 64, 8);

        assertThatThrownBy(() -> json.parseValue(utf8("{\"token\":\"E5\"}"))).isInstanceOf(BadRecordException.class)
                .hasFieldOrPropertyWithValue("reason", EventParser.NOT_A_NUMBER).hasMessageContaining("'E5'");
        assertThatThrownBy(() -> text.parseValue(utf8("NaN"))).isInstanceOf(BadRecordException.class)
                .hasFieldOrPropertyWithValue("reason", EventParser.NOT_A_NUMBER);
        assertThatThrownBy(() -> text.parseValue(utf8("1e999"))).isInstanceOf(BadRecordException.class)
                .hasFieldOrPropertyWithValue("reason", EventParser.NOT_A_NUMBER);
        assertThatThrownBy(() -> parser(InputFormat.JSON).parseValue(utf8("{\"value\":3}")))
                .isInstanceOf(BadRecordException.class)
                .hasFieldOrPropertyWithValue("reason", EventParser.NOT_A_NUMBER)
                .hasMessageContaining("scores tokens, not numbers");
    }

    @Test
    void shouldSplitTextWithTheModelsTokenizer() throws Exception {
        assertThat(parser(InputFormat.TEXT).parseValue(utf8("héj"))).isEqualTo(
                new ParsedEvent(List.of("h", "é", "j"), false));
    }

    @Test
    void shouldReadAvroSingleObjectEvents() throws Exception {
        byte[] bytes = AvroSingleObject.encode(SequenceEvent.newBuilder().setTokens(List.of("E5", "E7")).build());

        assertThat(parser(InputFormat.AVRO).parseValue(bytes)).isEqualTo(new ParsedEvent(List.of("E5", "E7"), false));
    }

    @Test
    void shouldRefuseEachKindOfBadRecordWithItsReason() {
        assertReason(() -> parser(InputFormat.JSON).parseKey(null), EventParser.NULL_KEY);
        assertReason(() -> parser(InputFormat.JSON).parseKey(new byte[0]), EventParser.EMPTY_KEY);
        assertReason(() -> parser(InputFormat.JSON).parseKey(new byte[] {(byte) 0xC3, 0x28}), EventParser.INVALID_UTF8);
        assertReason(() -> parser(InputFormat.JSON).parseValue(null), EventParser.NULL_VALUE);
        assertReason(() -> parser(InputFormat.JSON).parseValue(new byte[65]), EventParser.OVERSIZED);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{\"token\":")), EventParser.INVALID_JSON);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("[1,2]")), EventParser.INVALID_JSON);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("null")), EventParser.INVALID_JSON);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{\"token\":{\"x\":1}}")), EventParser.INVALID_JSON);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{\"token\":17}")), EventParser.INVALID_JSON);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{}")), EventParser.NO_TOKENS);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{\"token\":\"\"}")), EventParser.NO_TOKENS);
        assertReason(() -> parser(InputFormat.JSON).parseValue(new byte[] {'{', (byte) 0xFF, '}'}),
                EventParser.INVALID_UTF8);
        assertReason(() -> parser(InputFormat.JSON).parseValue(utf8("{\"tokens\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}")),
                EventParser.TOO_MANY_TOKENS);
        assertReason(() -> parser(InputFormat.TEXT).parseValue(utf8("")), EventParser.NO_TOKENS);
        assertReason(() -> parser(InputFormat.AVRO).parseValue(utf8("{\"token\":\"E5\"}")), EventParser.INVALID_AVRO);
        assertReason(() -> parser(InputFormat.AVRO).parseValue(
                AvroSingleObject.encode(new Prediction("x", 0.5))), EventParser.INVALID_AVRO);
    }

    private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOf(BadRecordException.class)
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo(reason))
                .hasMessageNotContaining("null\n");
    }
}
