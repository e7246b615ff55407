package io.seqstream.app.topology;

import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Writes and reads a generated Avro record as plain JSON or as Avro single-object encoding. */
public final class SpecificRecordSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private final boolean avro;

    /** @param format {@code json} or {@code avro} */
    public SpecificRecordSerde(Class<T> type, String format) {
        this.type = type;
        this.avro = "avro".equals(format);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null
                : avro ? AvroSingleObject.encode(record) : SchemaJson.writeBytes(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return avro ? AvroSingleObject.decode(bytes, type) : SchemaJson.read(bytes, type);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot read a " + type.getSimpleName() + " from topic " + topic, e);
            }
        };
    }
}
