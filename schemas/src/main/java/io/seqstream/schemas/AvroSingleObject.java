package io.seqstream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.RawMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a> of the generated classes: the two bytes {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema's Parsing Canonical Form, then the Avro binary body. What this writes is
 * byte for byte what the generated {@code toByteBuffer()} writes.
 *
 * <p>{@link #decode} reads bytes written with the schema of the requested class or with one of its earlier versions
 * kept under {@code io/seqstream/schemas/history/} (found by fingerprint and resolved to the current schema, the
 * added fields taking their defaults). It throws {@link AvroRuntimeException} for every input it cannot decode, so a
 * caller that dead-letters bad input catches that one type, and may tell the cause from the subclass:
 * <ul>
 *   <li>{@link BadHeaderException}: fewer than 10 bytes, or not starting with {@code C3 01} (not single-object
 *       encoded at all, e.g. plain text or JSON);</li>
 *   <li>{@link MissingSchemaException}: the fingerprint is not the requested class's (another record, or another
 *       version of it);</li>
 *   <li>a plain {@link AvroRuntimeException}: the header is right but the body is truncated, malformed, or followed
 *       by extra bytes.</li>
 * </ul>
 *
 * <p>Unlike the generated {@code fromByteBuffer}, {@link #decode} first walks the body without building anything,
 * so that a corrupt length prefix is rejected instead of making the decoder allocate up to gigabytes: a string or
 * collection can then be no longer than the input. (That bound holds because every array and map item in these
 * schemas takes at least one byte.)
 *
 * <p>Thread-safe: the codecs are cached per class and shared.
 */
public final class AvroSingleObject {

    /** Earlier versions of the record schemas, from {@code io/seqstream/schemas/history/<Name>-<n>.avsc}. */
    static final class History {
        private static final List<String> RECORDS = List.of("Score", "SequenceSummary", "SequenceEvent");
        private static final int MAX_VERSION = 9;

        private History() {
        }

        /** The earlier versions of the record with this full name, oldest first. */
        static List<Schema> of(String fullName) {
            String name = fullName.substring(fullName.lastIndexOf('.') + 1);
            if (!RECORDS.contains(name)) {
                return List.of();
            }
            List<Schema> schemas = new ArrayList<>();
            for (int version = 1; version <= MAX_VERSION; version++) {
                Schema.Parser parser = new Schema.Parser();
                String prediction = read("Prediction-" + version);
                String record = read(name + "-" + version);
                if (record == null) {
                    break;
                }
                if (prediction != null && !name.equals("Prediction")) {
                    parser.parse(prediction);
                }
                schemas.add(parser.parse(record));
            }
            return schemas;
        }

        private static String read(String file) {
            try (var in = AvroSingleObject.class.getResourceAsStream("history/" + file + ".avsc")) {
                return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the schema history " + file, e);
            }
        }
    }

    /** Marker plus 8-byte fingerprint. */
    private static final int HEADER_LENGTH = 10;

    private static final ClassValue<Codec<?>> CODECS = new ClassValue<>() {
        @Override
        protected Codec<?> computeValue(Class<?> type) {
            return Codec.of(type);
        }
    };

    private AvroSingleObject() {
    }

    /**
     * Encodes a generated record.
     *
     * @throws NullPointerException if a field that its schema does not allow to be null is null
     * @throws AvroRuntimeException if a value does not fit its schema
     */
    public static byte[] encode(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try {
            codec(record.getClass()).encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing to memory failed", e); // not with a ByteArrayOutputStream
        }
        return out.toByteArray();
    }

    /**
     * Decodes bytes written by {@link #encode} (or any single-object encoder) with the class's schema.
     *
     * @throws BadHeaderException     if the bytes are not single-object encoded
     * @throws MissingSchemaException if the bytes were written with another schema
     * @throws AvroRuntimeException   if the body is truncated, malformed or followed by extra bytes
     */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        return codec(type).decode(bytes);
    }

    /**
     * Whether the bytes start like a single-object encoded message: marker {@code C3 01} and room for a
     * fingerprint. Cheap; meant for telling Avro input from text input. Says nothing about which schema.
     */
    public static boolean hasHeader(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER_LENGTH && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01;
    }

    /** The 10 bytes every message of this class starts with: {@code C3 01} and the schema's fingerprint. */
    public static byte[] header(Class<? extends SpecificRecord> type) {
        return codec(type).header.clone();
    }

    @SuppressWarnings("unchecked")
    private static <T> Codec<T> codec(Class<T> type) {
        return (Codec<T>) CODECS.get(type);
    }

    /** A schema a record may have been written with, and the decoder that reads it into the current class. */
    private record Writer<T>(Schema schema, byte[] header, RawMessageDecoder<T> decoder) {
    }

    /** The encoder and decoder of one generated class. */
    private static final class Codec<T> {
        private final Class<T> type;
        private final BinaryMessageEncoder<T> encoder;
        private final byte[] header;
        /** The current schema first, then earlier versions. */
        private final List<Writer<T>> writers = new ArrayList<>();

        private Codec(Class<T> type, SpecificData model, Schema schema) {
            this.type = type;
            this.encoder = new BinaryMessageEncoder<>(model, schema);
            this.header = headerOf(schema);
            writers.add(new Writer<>(schema, header, new RawMessageDecoder<>(model, schema)));
            for (Schema older : History.of(schema.getFullName())) {
                writers.add(new Writer<>(older, headerOf(older), new RawMessageDecoder<>(model, older, schema)));
            }
        }

        static <T> Codec<T> of(Class<T> type) {
            if (!SpecificRecord.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(type.getName() + " is not a generated Avro record class");
            }
            // The generated class's own model, which carries its logical-type conversions (Instant).
            SpecificData model = SpecificData.getForClass(type);
            return new Codec<>(type, model, model.getSchema(type));
        }

        void encode(Object record, ByteArrayOutputStream out) throws IOException {
            encoder.encode(type.cast(record), out);
        }

        T decode(byte[] bytes) {
            Writer<T> writer = checkHeader(bytes);
            checkBody(bytes, writer.schema());
            try {
                return writer.decoder().decode(ByteBuffer.wrap(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH));
            } catch (IOException | RuntimeException e) {
                // Bodies that are complete but wrong: negative lengths, enum or union index out of range.
                throw malformed(e);
            }
        }

        private Writer<T> checkHeader(byte[] bytes) {
            if (!hasHeader(bytes)) {
                throw new BadHeaderException("Not single-object encoded: expected C3 01 and an 8-byte fingerprint,"
                        + " got " + bytes.length + " bytes starting "
                        + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 2)));
            }
            for (Writer<T> writer : writers) {
                if (Arrays.equals(bytes, 2, HEADER_LENGTH, writer.header(), 2, HEADER_LENGTH)) {
                    return writer;
                }
            }
            throw new MissingSchemaException("Not a " + type.getSimpleName() + ": the bytes carry schema"
                    + " fingerprint " + HexFormat.of().formatHex(bytes, 2, HEADER_LENGTH) + ", "
                    + type.getSimpleName() + "'s is " + HexFormat.of().formatHex(header, 2, HEADER_LENGTH)
                    + (writers.size() > 1 ? " (or an earlier version's)" : ""));
        }

        /** Walks the body without allocating: every length must fit the input, and the input must end there. */
        private void checkBody(byte[] bytes, Schema schema) {
            BinaryDecoder body = DecoderFactory.get()
                    .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
            try {
                GenericDatumReader.skip(schema, body);
                if (!body.isEnd()) {
                    throw new AvroRuntimeException(
                            "Unexpected bytes after a " + type.getSimpleName() + " body");
                }
            } catch (AvroRuntimeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw malformed(e);
            }
        }

        private AvroRuntimeException malformed(Exception e) {
            Throwable cause = e instanceof AvroRuntimeException && e.getCause() != null ? e.getCause() : e;
            return new AvroRuntimeException("Malformed " + type.getSimpleName() + " body: " + cause, e);
        }

        private static byte[] headerOf(Schema schema) {
            long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
            byte[] header = new byte[HEADER_LENGTH];
            header[0] = (byte) 0xC3;
            header[1] = 0x01;
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian
            }
            return header;
        }
    }
}
