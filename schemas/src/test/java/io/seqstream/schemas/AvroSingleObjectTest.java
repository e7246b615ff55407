package io.seqstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSingleObjectTest {

    static List<SpecificRecordBase> samples() {
        return Samples.all().toList();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldRoundTripEveryRecord(SpecificRecordBase record) {
        byte[] bytes = AvroSingleObject.encode(record);

        assertThat(AvroSingleObject.decode(bytes, record.getClass())).isEqualTo(record);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldWriteWhatTheGeneratedClassWrites(SpecificRecordBase record) throws Exception {
        ByteBuffer generated = (ByteBuffer) record.getClass().getMethod("toByteBuffer").invoke(record);
        byte[] expected = new byte[generated.remaining()];
        generated.get(expected);

        assertThat(AvroSingleObject.encode(record)).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldStartWithMarkerAndLittleEndianFingerprint(SpecificRecordBase record) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(record.getSchema());
        byte[] expected = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint).array();

        assertThat(AvroSingleObject.header(record.getClass())).isEqualTo(expected);
        assertThat(Arrays.copyOf(AvroSingleObject.encode(record), 10)).isEqualTo(expected);
        assertThat(AvroSingleObject.hasHeader(AvroSingleObject.encode(record))).isTrue();
    }

    @Test
    void shouldRejectAnotherRecordsFingerprint() {
        byte[] prediction = AvroSingleObject.encode(Samples.prediction());

        assertThatThrownBy(() -> AvroSingleObject.decode(prediction, Score.class))
                .isInstanceOf(MissingSchemaException.class)
                .hasMessageContaining("Not a Score");
    }

    @Test
    void shouldRejectAFingerprintWithOneBitFlipped() {
        byte[] bytes = AvroSingleObject.encode(Samples.sequenceEvent());
        bytes[9] ^= 0x01;

        assertThatThrownBy(() -> AvroSingleObject.decode(bytes, SequenceEvent.class))
                .isInstanceOf(MissingSchemaException.class);
    }

    @Test
    void shouldRejectPlainTextAndJsonAsBadHeader() {
        byte[] text = "E5 E22 E11".getBytes(StandardCharsets.UTF_8);
        byte[] json = SchemaJson.writeBytes(Samples.sequenceEvent());

        assertThat(AvroSingleObject.hasHeader(text)).isFalse();
        assertThat(AvroSingleObject.hasHeader(json)).isFalse();
        assertThatThrownBy(() -> AvroSingleObject.decode(text, SequenceEvent.class))
                .isInstanceOf(BadHeaderException.class);
        assertThatThrownBy(() -> AvroSingleObject.decode(json, SequenceEvent.class))
                .isInstanceOf(BadHeaderException.class);
    }

    @Test
    void shouldRejectInputShorterThanTheHeader() {
        byte[] bytes = {(byte) 0xC3, 0x01, 1, 2, 3};

        assertThat(AvroSingleObject.hasHeader(bytes)).isFalse();
        assertThat(AvroSingleObject.hasHeader(new byte[0])).isFalse();
        assertThat(AvroSingleObject.hasHeader(null)).isFalse();
        assertThatThrownBy(() -> AvroSingleObject.decode(bytes, SequenceEvent.class))
                .isInstanceOf(BadHeaderException.class);
        assertThatThrownBy(() -> AvroSingleObject.decode(new byte[0], SequenceEvent.class))
                .isInstanceOf(BadHeaderException.class);
    }

    @Test
    void shouldRejectTruncatedBody() {
        byte[] bytes = AvroSingleObject.encode(Samples.score());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> AvroSingleObject.decode(truncated, Score.class))
                .isExactlyInstanceOf(AvroRuntimeException.class)
                .hasMessageContaining("Malformed Score body");
    }

    @Test
    void shouldRejectTrailingBytes() {
        byte[] bytes = AvroSingleObject.encode(Samples.prediction());
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 2);

        assertThatThrownBy(() -> AvroSingleObject.decode(padded, Prediction.class))
                .isExactlyInstanceOf(AvroRuntimeException.class)
                .hasMessageContaining("Unexpected bytes after a Prediction body");
    }

    @Test
    void shouldRejectOutOfRangeEnumSymbol() {
        byte[] bytes = AvroSingleObject.encode(Samples.sequenceSummary());
        // Body: key (length-prefixed string), then the enum index as a zig-zag varint.
        int keyLength = Samples.sequenceSummary().getKey().getBytes(StandardCharsets.UTF_8).length;
        int enumAt = 10 + 1 + keyLength;
        assertThat(keyLength).isLessThan(64); // so its length fits the one varint byte assumed above
        bytes[enumAt] = 0x7E; // index 63

        assertThatThrownBy(() -> AvroSingleObject.decode(bytes, SequenceSummary.class))
                .isExactlyInstanceOf(AvroRuntimeException.class)
                .hasMessageContaining("Malformed SequenceSummary body");
    }

    @Test
    void shouldRejectRandomBodiesBehindTheRightHeaderWithAvroRuntimeExceptionOnly() {
        byte[] header = AvroSingleObject.header(Score.class);
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            byte[] bytes = ByteBuffer.allocate(header.length + body.length).put(header).put(body).array();
            try {
                AvroSingleObject.decode(bytes, Score.class);
            } catch (AvroRuntimeException expected) {
                // The documented failure; anything else escapes and fails the test.
            }
        }
    }

    @Test
    void shouldRejectCorruptedBodiesWithAvroRuntimeExceptionOnly() {
        byte[] valid = AvroSingleObject.encode(Samples.score());
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[10 + random.nextInt(bytes.length - 10)] = (byte) random.nextInt(256);
            }
            try {
                AvroSingleObject.decode(bytes, Score.class);
            } catch (AvroRuntimeException expected) {
                // The documented failure; an OutOfMemoryError or any other exception fails the test.
            }
        }
    }

    @Test
    void shouldRejectHugeLengthPrefixWithoutAllocatingIt() {
        // SequenceEvent body: union index 1 (string), then a string length of about 2^30.
        byte[] bytes = ByteBuffer.allocate(16).put(AvroSingleObject.header(SequenceEvent.class))
                .put((byte) 0x02).put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08})
                .array();

        assertThatThrownBy(() -> AvroSingleObject.decode(bytes, SequenceEvent.class))
                .isExactlyInstanceOf(AvroRuntimeException.class)
                .hasMessageContaining("Malformed SequenceEvent body");
    }

    @Test
    void shouldRefuseToEncodeNullRequiredField() {
        Prediction broken = new Prediction(null, 0.5);

        assertThatThrownBy(() -> AvroSingleObject.encode(broken))
                .isInstanceOfAny(NullPointerException.class, AvroRuntimeException.class);
    }
}
