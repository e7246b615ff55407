package io.seqstream.app.input;

import io.seqstream.model.RangeQuantizer;
import io.seqstream.model.Vocabulary;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.SequenceEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;

/**
 * Turns an input record's key and value bytes into a {@link ParsedEvent}, or says precisely why it cannot:
 * every refusal is a {@link BadRecordException} whose reason becomes the dead-letter header and metric tag.
 */
public final class EventParser {
    public static final String NULL_KEY = "null-key";
    public static final String EMPTY_KEY = "empty-key";
    public static final String NULL_VALUE = "null-value";
    public static final String OVERSIZED = "oversized";
    public static final String INVALID_UTF8 = "invalid-utf8";
    public static final String INVALID_JSON = "invalid-json";
    public static final String INVALID_AVRO = "invalid-avro";
    public static final String NO_TOKENS = "no-tokens";
    public static final String TOO_MANY_TOKENS = "too-many-tokens";
    public static final String NOT_A_NUMBER = "not-a-number";

    private final InputFormat format;
    private final Vocabulary tokenizer;
    private final int maxValueBytes;
    private final int maxTokens;

    /**
     * @param tokenizer splits {@code text} values into tokens; for json and avro, tokens arrive already split
     * @param maxValueBytes larger values are refused as {@value #OVERSIZED}
     * @param maxTokens records with more tokens are refused as {@value #TOO_MANY_TOKENS}
     */
    public EventParser(InputFormat format, Vocabulary tokenizer, int maxValueBytes, int maxTokens) {
        this.format = format;
        this.tokenizer = tokenizer;
        this.maxValueBytes = maxValueBytes;
        this.maxTokens = maxTokens;
    }

    /** Decodes a record key: a non-empty UTF-8 sequence id. */
    public String parseKey(byte[] key) throws BadRecordException {
        if (key == null) {
            throw new BadRecordException(NULL_KEY, "The record has no key; the key names the sequence");
        }
        if (key.length == 0) {
            throw new BadRecordException(EMPTY_KEY, "The record's key is empty; the key names the sequence");
        }
        return decodeUtf8(key, "key");
    }

    public ParsedEvent parseValue(byte[] value) throws BadRecordException {
        if (value == null) {
            throw new BadRecordException(NULL_VALUE, "The record has no value (a tombstone)");
        }
        if (value.length > maxValueBytes) {
            throw new BadRecordException(OVERSIZED, "The value has " + value.length + " bytes, over the limit of "
                    + maxValueBytes);
        }
        ParsedEvent event = switch (format) {
            case TEXT -> new ParsedEvent(tokenizer.tokenize(decodeUtf8(value, "value")), false);
            case JSON -> fromRecord(parseJson(value), tokenizer.isNumeric());
            case AVRO -> fromRecord(parseAvro(value), tokenizer.isNumeric());
        };
        if (event.tokens().isEmpty() && !event.end()) {
            throw new BadRecordException(NO_TOKENS, "The record carries no token and does not end its sequence");
        }
        if (event.tokens().size() > maxTokens) {
            throw new BadRecordException(TOO_MANY_TOKENS, "The record carries " + event.tokens().size()
                    + " tokens, over the limit of " + maxTokens);
        }
        if (tokenizer.isNumeric()) {
            for (String token : event.tokens()) {
                checkNumber(token);
            }
        }
        return event;
    }

    private SequenceEvent parseJson(byte[] value) throws BadRecordException {
        decodeUtf8(value, "value");
        try {
            SequenceEvent event = SchemaJson.read(value, SequenceEvent.class);
            if (event == null) {
                throw new BadRecordException(INVALID_JSON, "The value is JSON null, not an object");
            }
            return event;
        } catch (IOException | RuntimeException e) {
            throw new BadRecordException(INVALID_JSON, "Not a valid event object: " + firstLine(e.getMessage()));
        }
    }

    private static SequenceEvent parseAvro(byte[] value) throws BadRecordException {
        try {
            return AvroSingleObject.decode(value, SequenceEvent.class);
        } catch (AvroRuntimeException | IllegalArgumentException e) {
            throw new BadRecordException(INVALID_AVRO, "Not a single-object encoded SequenceEvent: "
                    + firstLine(e.getMessage()));
        }
    }

    /** A numeric model's events carry finite numbers, as Java's {@code Double.parseDouble} reads them. */
    private static void checkNumber(String token) throws BadRecordException {
        if (Double.isNaN(RangeQuantizer.number(token))) {
            throw new BadRecordException(NOT_A_NUMBER, "The model is numeric, and '" + RangeQuantizer.shortened(token)
                    + "' is not a finite number");
        }
    }

    private static ParsedEvent fromRecord(SequenceEvent event, boolean numeric) throws BadRecordException {
        List<String> tokens = new ArrayList<>();
        if (event.getToken() != null) {
            tokens.add(event.getToken());
        }
        if (event.getTokens() != null) {
            tokens.addAll(event.getTokens());
        }
        for (String token : tokens) {
            if (token == null || token.isEmpty()) {
                throw new BadRecordException(NO_TOKENS, "The record carries a null or empty token");
            }
        }
        if (event.getValue() != null) {
            if (!numeric) {
                throw new BadRecordException(NOT_A_NUMBER, "The record carries a value (" + event.getValue()
                        + "), but the model scores tokens, not numbers: send token or tokens");
            }
            tokens.add(Double.toString(event.getValue()));
        }
        return new ParsedEvent(tokens, Boolean.TRUE.equals(event.getEnd()));
    }

    private static String decodeUtf8(byte[] bytes, String what) throws BadRecordException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRecordException(INVALID_UTF8, "The " + what + " is not valid UTF-8: " + e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
