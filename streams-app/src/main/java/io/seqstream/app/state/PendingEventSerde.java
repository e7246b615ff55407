package io.seqstream.app.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary encoding of {@link PendingEvent}: a version byte (1), then sequence, key, partition, offset,
 * timestamp, received-at, the end flag and the tokens, strings as modified UTF-8 ({@link DataOutputStream}).
 */
public final class PendingEventSerde implements Serde<PendingEvent>, Serializer<PendingEvent>,
        Deserializer<PendingEvent> {
    public static final byte VERSION = 1;

    @Override
    public byte[] serialize(String topic, PendingEvent event) {
        if (event == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(event.sequence());
            out.writeUTF(event.key());
            out.writeInt(event.partition());
            out.writeLong(event.offset());
            out.writeLong(event.timestamp());
            out.writeLong(event.receivedAt());
            out.writeBoolean(event.end());
            out.writeInt(event.tokens().size());
            for (String token : event.tokens()) {
                out.writeUTF(token);
            }
        } catch (IOException e) {
            throw new SerializationException("Cannot encode a pending event", e);
        }
        return bytes.toByteArray();
    }

    @Override
    public PendingEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown pending-event format version " + version);
            }
            long sequence = in.readLong();
            String key = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            long receivedAt = in.readLong();
            boolean end = in.readBoolean();
            int count = in.readInt();
            List<String> tokens = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                tokens.add(in.readUTF());
            }
            return new PendingEvent(sequence, key, tokens, end, partition, offset, timestamp, receivedAt);
        } catch (IOException e) {
            throw new SerializationException("Corrupt pending-event record of " + data.length + " bytes", e);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }

    @Override
    public Serializer<PendingEvent> serializer() {
        return this;
    }

    @Override
    public Deserializer<PendingEvent> deserializer() {
        return this;
    }
}
