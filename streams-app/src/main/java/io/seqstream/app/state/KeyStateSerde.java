package io.seqstream.app.state;

import io.seqstream.engine.KeyState;
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
 * Floats are bulk-copied, never boxed. Version 2 is the same with h and c stored as IEEE float16 (half the
 * state size, for large models; {@code state.precision=float16}). A reader reads both versions, so a running
 * deployment can switch precision; an unknown version is refused with an exception.
 */
public final class KeyStateSerde implements Serde<KeyState>, Serializer<KeyState>, Deserializer<KeyState> {
    public static final byte VERSION = 1;
    public static final byte VERSION_FLOAT16 = 2;

    private final boolean float16;

    /** Writes float32 state (version 1). */
    public KeyStateSerde() {
        this(false);
    }

    /** @param float16 write h and c as float16 (version 2) */
    public KeyStateSerde(boolean float16) {
        this.float16 = float16;
    }

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
                + (float16 ? 2 : 4) * layers * (hiddenSize + cellSize));
        buf.put(float16 ? VERSION_FLOAT16 : VERSION);
        buf.putShort((short) model.length).put(model);
        buf.putInt(state.pendingToken());
        buf.putLong(state.tokens()).putLong(state.anomalies());
        buf.putDouble(state.surprisalSum()).putDouble(state.surprisalMax());
        buf.putLong(state.firstEventTime()).putLong(state.lastEventTime()).putLong(state.lastSeenAt());
        buf.putShort((short) layers).putInt(hiddenSize).putInt(cellSize);
        writeFloats(buf, state.hidden());
        writeFloats(buf, state.cell());
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
            if (version != VERSION && version != VERSION_FLOAT16) {
                throw new SerializationException("Unknown key-state format version " + version
                        + " (this build reads versions " + VERSION + " and " + VERSION_FLOAT16 + ")");
            }
            boolean halves = version == VERSION_FLOAT16;
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
            float[][] hidden = readFloats(buf, layers, hiddenSize, halves);
            float[][] cell = readFloats(buf, layers, cellSize, halves);
            return new KeyState(new String(model, StandardCharsets.UTF_8), hidden, cell, pending, tokens, anomalies,
                    sum, max, first, last, seen);
        } catch (RuntimeException e) {
            if (e instanceof SerializationException) {
                throw e;
            }
            throw new SerializationException("Corrupt key-state record of " + data.length + " bytes", e);
        }
    }

    private void writeFloats(ByteBuffer buf, float[][] rows) {
        for (float[] row : rows) {
            if (float16) {
                for (float v : row) {
                    buf.putShort(Float16.fromFloat(v));
                }
            } else {
                buf.asFloatBuffer().put(row);
                buf.position(buf.position() + 4 * row.length);
            }
        }
    }

    private static float[][] readFloats(ByteBuffer buf, int rows, int cols, boolean halves) {
        float[][] out = new float[rows][cols];
        for (float[] row : out) {
            if (halves) {
                for (int j = 0; j < cols; j++) {
                    row[j] = Float16.toFloat(buf.getShort());
                }
            } else {
                buf.asFloatBuffer().get(row);
                buf.position(buf.position() + 4 * cols);
            }
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
