package io.seqstream.schemas;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.data.RecordBuilderBase;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Plain JSON for the generated classes in {@code io.seqstream.schemas.v1}: one JSON object per record, fields in
 * schema order, no Avro union wrappers ({@code "token": "E5"}, not {@code "token": {"string": "E5"}}).
 *
 * <ul>
 *   <li>Reading goes through the generated builders, so an absent field gets its Avro default, an absent field
 *       without a default is an error, and null is accepted only where the schema allows it. Nulls inside arrays
 *       and maps are rejected (no v1 schema allows them). Unknown properties are ignored, so a reader keeps
 *       working when a writer adds fields. No coercion: {@code "1"} is not an int, {@code 1.5} is not a long,
 *       {@code 17} is not a string.</li>
 *   <li>Timestamp fields ({@code timestamp-millis}, {@link Instant} in Java) are epoch milliseconds as JSON
 *       integers; enums are their symbol names; maps are JSON objects.</li>
 *   <li>Non-finite doubles are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}
 *       (JSON has no such numbers) and read back from them.</li>
 * </ul>
 *
 * <p>Reading throws {@link com.fasterxml.jackson.core.JsonProcessingException} (an {@link IOException}) for
 * anything malformed, which is what a caller catches to dead-letter a record.
 *
 * <p>The shared reader and writer are immutable and thread-safe. {@link #newObjectMapper()} gives a caller its own
 * mutable mapper with the same configuration.
 */
public final class SchemaJson {

    private static final ObjectMapper MAPPER = newObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer();

    private SchemaJson() {
    }

    /** A new mapper configured as described above; the caller owns it and may change it. */
    public static ObjectMapper newObjectMapper() {
        SimpleModule module = new SimpleModule("seqstream-schemas")
                .addSerializer(new RecordSerializer())
                .addSerializer(new InstantSerializer())
                .addDeserializer(Instant.class, new InstantDeserializer())
                .setDeserializerModifier(new NullCheckingModifier());
        JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        // Schubfach instead of JDK 17's Double.toString: that was 9 % of a stream thread's time
                        // writing JSON scores (a JFR profile of the bench's HDFS run); the digits are the shortest
                        // that read back to the same double, as Double.toString's are since JDK 19.
                        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                        .build())
                .annotationIntrospector(new GeneratedBuilderIntrospector())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Top-level nulls are for the generated builders to judge; nulls inside arrays and maps fail.
                .defaultSetterInfo(JsonSetter.Value.construct(Nulls.DEFAULT, Nulls.FAIL))
                .addModule(module)
                .build();
        // Numbers and booleans are not strings either: {"token": 17} is an error, not "17".
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** A reader for one generated class. Like any Jackson reader it returns null for a bare JSON {@code null}. */
    public static <T extends SpecificRecord> ObjectReader reader(Class<T> type) {
        return MAPPER.readerFor(type);
    }

    /** The writer for any generated record (compact, one line). */
    public static ObjectWriter writer() {
        return WRITER;
    }

    /** Reads one record of the given class from UTF-8 JSON bytes; a bare JSON {@code null} is an error. */
    public static <T extends SpecificRecord> T read(byte[] json, Class<T> type) throws IOException {
        return nonNull(reader(type).readValue(json), type);
    }

    /** Reads one record of the given class from a JSON string; a bare JSON {@code null} is an error. */
    public static <T extends SpecificRecord> T read(String json, Class<T> type) throws JsonProcessingException {
        return nonNull(reader(type).readValue(json), type);
    }

    private static <T> T nonNull(T record, Class<T> type) throws MismatchedInputException {
        if (record == null) {
            throw MismatchedInputException.from(null, type, "Expected a JSON object for " + type.getSimpleName()
                    + ", got null");
        }
        return record;
    }

    /**
     * Writes a record as UTF-8 JSON bytes.
     *
     * @throws IllegalArgumentException if a field that its schema does not allow to be null is null
     */
    public static byte[] writeBytes(SpecificRecord record) {
        try {
            return WRITER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw failure(record, e);
        }
    }

    /**
     * Writes a record as a JSON string.
     *
     * @throws IllegalArgumentException if a field that its schema does not allow to be null is null
     */
    public static String writeString(SpecificRecord record) {
        try {
            return WRITER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw failure(record, e);
        }
    }

    private static RuntimeException failure(SpecificRecord record, JsonProcessingException e) {
        if (e.getCause() instanceof IllegalArgumentException invalid) {
            return invalid;
        }
        return new UncheckedIOException("Cannot write " + record.getClass().getSimpleName() + " as JSON", e);
    }

    /**
     * Writes a generated record field by field in schema order, from its schema rather than its getters (which
     * include {@code getSchema()} and {@code getSpecificData()}).
     */
    private static final class RecordSerializer extends StdSerializer<SpecificRecordBase> {
        RecordSerializer() {
            super(SpecificRecordBase.class);
        }

        @Override
        public void serialize(SpecificRecordBase record, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeStartObject(record);
            for (Schema.Field field : record.getSchema().getFields()) {
                Object value = record.get(field.pos());
                if (value == null && !field.schema().isNullable()) {
                    throw new IllegalArgumentException(record.getSchema().getName() + "." + field.name()
                            + " is null but its schema does not allow null");
                }
                provider.defaultSerializeField(field.name(), value, gen);
            }
            gen.writeEndObject();
        }
    }

    /** {@code timestamp-millis} as an epoch-millisecond integer. */
    private static final class InstantSerializer extends StdSerializer<Instant> {
        InstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(value.toEpochMilli());
        }
    }

    /** An epoch-millisecond integer as an {@link Instant}; nothing else. */
    private static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p.currentToken(), p,
                        "expected a timestamp as epoch milliseconds (a JSON integer)");
            }
            return Instant.ofEpochMilli(p.getLongValue());
        }
    }

    /** Wraps the deserializer of every generated record in a {@link NullCheckingDeserializer}. */
    private static final class NullCheckingModifier extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                JsonDeserializer<?> deserializer) {
            // Builder-based deserializers are described by their builder class.
            Class<?> type = description.getBeanClass();
            return SpecificRecordBase.class.isAssignableFrom(type) || RecordBuilderBase.class.isAssignableFrom(type)
                    ? new NullCheckingDeserializer(deserializer)
                    : deserializer;
        }
    }

    /**
     * Rejects an explicit JSON null for a field whose schema does not allow null. Needed because a generated
     * builder accepts null for any field that has a default ({@code "tokens": null} would otherwise build).
     */
    private static final class NullCheckingDeserializer extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;

        NullCheckingDeserializer(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new NullCheckingDeserializer(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object value = super.deserialize(p, ctxt);
            if (value instanceof SpecificRecordBase record) {
                for (Schema.Field field : record.getSchema().getFields()) {
                    if (record.get(field.pos()) == null && !field.schema().isNullable()) {
                        return ctxt.reportInputMismatch(this, "%s.%s is null but its schema does not allow null",
                                record.getSchema().getName(), field.name());
                    }
                }
            }
            return value;
        }
    }

    /**
     * Reads generated records through their generated {@code Builder} ({@code newBuilder().setX(..).build()}),
     * which fills in schema defaults and rejects missing required fields and illegal nulls.
     */
    private static final class GeneratedBuilderIntrospector extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Class<?> findPOJOBuilder(AnnotatedClass ac) {
            Class<?> type = ac.getRawType();
            if (SpecificRecordBase.class.isAssignableFrom(type)) {
                for (Class<?> nested : type.getDeclaredClasses()) {
                    if (nested.getSimpleName().equals("Builder") && RecordBuilderBase.class.isAssignableFrom(nested)) {
                        return nested;
                    }
                }
            }
            return super.findPOJOBuilder(ac);
        }

        @Override
        public JsonPOJOBuilder.Value findPOJOBuilderConfig(AnnotatedClass ac) {
            if (RecordBuilderBase.class.isAssignableFrom(ac.getRawType())) {
                return new JsonPOJOBuilder.Value("build", "set");
            }
            return super.findPOJOBuilderConfig(ac);
        }
    }
}
