package io.seqstream.app.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary encoding of {@link KeyState}, big-endian:
 * <pre>
 * byte    format version (1)
 * short   model label length, then its UTF-8 bytes
 * int     pending token
 * long    tokens, anomalies
 * double  surprisal sum, surprisal max
 * long    first event time, last event time, last seen at
 * short   layers; int hidden size; int cell size (0 for a simple RNN)
 * float[] h of every layer, then c of every layer
 * </pre>
 * Floats are bulk-copied, never boxed. A reader meets an unknown version with an exception, so a new format
 * gets a new version byte and the old one stays readable.
 */
public final class KeyStateSerde implements Serde<KeyState>, Serializer<KeyState>, Deserializer<KeyState> {
    public static final byte VERSION = 1;

    @Override
    public byte[] serialize(String topic, KeyState state) {
        if (state == null) {
            return null;
        }
        byte[] model = state.model().getBytes(StandardCharsets.UTF_8);
        int layers = state.layers();
        int hiddenSize = layers == 0 ? 0 : state.hidden()[0].length;
        int cellSize = layers == 0 ? 0 : state.cell()[0].length;
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + model.length + 4 + 8 * 2 + 8 * 2 + 8 * 3 + 2 + 4 + 4
                + 4 * layers * (hiddenSize + cellSize));
        buf.put(VERSION);
        buf.putShort((short) model.length).put(model);
        buf.putInt(state.pendingToken());
        buf.putLong(state.tokens()).putLong(state.anomalies());
        buf.putDouble(state.surprisalSum()).putDouble(state.surprisalMax());
        buf.putLong(state.firstEventTime()).putLong(state.lastEventTime()).putLong(state.lastSeenAt());
        buf.putShort((short) layers).putInt(hiddenSize).putInt(cellSize);
        for (float[] h : state.hidden()) {
            buf.asFloatBuffer().put(h);
            buf.position(buf.position() + 4 * h.length);
        }
        for (float[] c : state.cell()) {
            buf.asFloatBuffer().put(c);
            buf.position(buf.position() + 4 * c.length);
        }
        return buf.array();
    }

    @Override
    public KeyState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte version = buf.get();
            if (version != VERSION) {
                throw new SerializationException("Unknown key-state format version " + version
                        + " (this build reads version " + VERSION + ")");
            }
            byte[] model = new byte[buf.getShort()];
            buf.get(model);
            int pending = buf.getInt();
            long tokens = buf.getLong();
            long anomalies = buf.getLong();
            double sum = buf.getDouble();
            double max = buf.getDouble();
            long first = buf.getLong();
            long last = buf.getLong();
            long seen = buf.getLong();
            int layers = buf.getShort();
            int hiddenSize = buf.getInt();
            int cellSize = buf.getInt();
            float[][] hidden = readFloats(buf, layers, hiddenSize);
            float[][] cell = readFloats(buf, layers, cellSize);
            return new KeyState(new String(model, StandardCharsets.UTF_8), hidden, cell, pending, tokens, anomalies,
                    sum, max, first, last, seen);
        } catch (RuntimeException e) {
            if (e instanceof SerializationException) {
                throw e;
            }
            throw new SerializationException("Corrupt key-state record of " + data.length + " bytes", e);
        }
    }

    private static float[][] readFloats(ByteBuffer buf, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (float[] row : out) {
            buf.asFloatBuffer().get(row);
            buf.position(buf.position() + 4 * cols);
        }
        return out;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }

    @Override
    public Serializer<KeyState> serializer() {
        return this;
    }

    @Override
    public Deserializer<KeyState> deserializer() {
        return this;
    }
}
