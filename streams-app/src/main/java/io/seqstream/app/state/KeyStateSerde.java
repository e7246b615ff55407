package io.seqstream.app.state;

import io.seqstream.engine.KeyState;
import io.seqstream.engine.metric.MetricTrack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary encoding of {@link KeyState}, big-endian. Version 7, the one written:
 * <pre>
 * byte    format version (7)
 * byte    flags: bit 0 = h and c as IEEE float16, bit 1 = history and top-k ids as unsigned 16-bit; other bits 0
 * short   model label length, then its UTF-8 bytes
 * int     pending token
 * long    tokens, anomalies
 * double  surprisal sum, surprisal max
 * long    first event time, last event time, last seen at
 * short   layers; int hidden size; int cell size (0 for a simple RNN)
 * float[] h of every layer, then c of every layer (float32, or float16 when flagged)
 * short   history length, then the history's token ids oldest first (int, or unsigned short when flagged)
 * double  surprisal of the last token scored
 * byte    top-k length, then the ids of the last token's top-k predictions, most likely first (as history ids)
 * byte    session flags: bit 0 = a token outside the vocabulary was seen, bit 1 = the bag is not known
 * byte    bag size, then its token ids ascending (as history ids), then their counts (int)
 * byte    1 when a numeric model's metric track follows (MetricTrack.write: bins, range, transitions, anomaly
 *         likelihood, and its nearest window if any: values, distances, likelihood), else 0
 * </pre>
 * Floats are bulk-copied, never boxed. float16 halves the state size for large models
 * ({@code state.precision=float16}); 16-bit history ids are used whenever every id fits.
 *
 * <p>Older versions are still read: version 7 is version 8 with a nearest window that kept no floor and no distances,
 * and version 6 is version 7 with a metric track that has no nearest window; both scored raw values differently, so
 * their metric tracks keep their range and transitions and start fresh likelihoods and windows (the key's anomaly
 * likelihood goes through its probation again); version 5 is version 6 without the metric track; version 4 is version 5
 * without the session flags and the bag (a sequence read from it has no known bag, so its session is judged by the
 * max-surprisal rule); version 3 is version 4 without the last surprisal and top-k (they come back as 0 and empty);
 * version 1 is version 3 without the flags byte and the history, float32; version 2 is the same with float16 h and c.
 * Version 1 and 2 states come back with an empty history (after a model swap they are reset, not replayed). An unknown
 * version or flag is refused with an exception. Instances of a build before version 8 cannot read what this one writes.
 *
 * <p>A state read back keeps at most the reader's history capacity ({@code model.replay-tokens}), the newest
 * tokens, so a changed setting applies to every key on its next event.
 */
public final class KeyStateSerde implements Serde<KeyState>, Serializer<KeyState>, Deserializer<KeyState> {
    /** The version written: version 7 with the nearest window's distances. */
    public static final byte VERSION = 8;
    /** Legacy: version 6 with a metric track's nearest window, without its distances. Read only. */
    public static final byte VERSION_WINDOW = 7;
    /** Legacy: version 5 plus a numeric model's metric track, without a nearest window. Read only. */
    public static final byte VERSION_METRIC = 6;
    /** Legacy: version 4 plus what the session rule needs (unknown token seen, the bag). Read only. */
    public static final byte VERSION_SESSION = 5;
    /** Legacy: any precision, with history and the last token's surprisal and top-k. Read only. */
    public static final byte VERSION_LAST_SCORE = 4;
    /** Legacy: any precision, with history, without the last token's surprisal and top-k. Read only. */
    public static final byte VERSION_HISTORY = 3;
    /** Legacy: float32 h and c, no history. Read only. */
    public static final byte VERSION_FLOAT32 = 1;
    /** Legacy: float16 h and c, no history. Read only. */
    public static final byte VERSION_FLOAT16 = 2;
    /** Version 3 flag: h and c are float16. */
    public static final int FLAG_FLOAT16 = 1;
    /** Version 3 and 4 flag: history (and top-k) ids are unsigned 16-bit. */
    public static final int FLAG_SHORT_HISTORY = 2;
    private static final int KNOWN_FLAGS = FLAG_FLOAT16 | FLAG_SHORT_HISTORY;

    private final boolean float16;
    private final int historyTokens;

    /** Writes float32 state; states read keep up to {@value KeyState#DEFAULT_HISTORY_TOKENS} history tokens. */
    public KeyStateSerde() {
        this(false);
    }

    /** @param float16 write h and c as float16 */
    public KeyStateSerde(boolean float16) {
        this(float16, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /**
     * @param float16 write h and c as float16
     * @param historyTokens the history capacity of the states read (the {@code model.replay-tokens} setting);
     *                      a longer stored history keeps its newest tokens
     */
    public KeyStateSerde(boolean float16, int historyTokens) {
        if (historyTokens < 0) {
            throw new IllegalArgumentException("History tokens must be 0 or more, got " + historyTokens);
        }
        this.float16 = float16;
        this.historyTokens = historyTokens;
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
        int[] history = state.history();
        if (history.length > Short.MAX_VALUE) {
            throw new SerializationException("History of " + history.length + " tokens exceeds " + Short.MAX_VALUE);
        }
        int[] top = state.lastTopTokens();
        if (top.length > 255) {
            throw new SerializationException("Top-k of " + top.length + " tokens exceeds 255");
        }
        int[] bagIds = state.bagIds();
        int[] bagCounts = state.bagCounts();
        boolean shortIds = fitsUnsignedShort(history) && fitsUnsignedShort(top) && fitsUnsignedShort(bagIds);
        int flags = (float16 ? FLAG_FLOAT16 : 0) | (shortIds ? FLAG_SHORT_HISTORY : 0);
        ByteBuffer buf = ByteBuffer.allocate(1 + 1 + 2 + model.length + 4 + 8 * 2 + 8 * 2 + 8 * 3 + 2 + 4 + 4
                + (float16 ? 2 : 4) * layers * (hiddenSize + cellSize) + 2 + (shortIds ? 2 : 4) * history.length + 8 + 1 + (shortIds ? 2 : 4) * top.length
                + 1 + 1 + ((shortIds ? 2 : 4) + 4) * bagIds.length
                + 1 + (state.metric() == null ? 0 : state.metric().size()));
        buf.put(VERSION).put((byte) flags);
        buf.putShort((short) model.length).put(model);
        buf.putInt(state.pendingToken());
        buf.putLong(state.tokens()).putLong(state.anomalies());
        buf.putDouble(state.surprisalSum()).putDouble(state.surprisalMax());
        buf.putLong(state.firstEventTime()).putLong(state.lastEventTime()).putLong(state.lastSeenAt());
        buf.putShort((short) layers).putInt(hiddenSize).putInt(cellSize);
        writeFloats(buf, state.hidden());
        writeFloats(buf, state.cell());
        buf.putShort((short) history.length);
        writeIds(buf, history, shortIds);
        buf.putDouble(state.lastSurprisal());
        buf.put((byte) top.length);
        writeIds(buf, top, shortIds);
        buf.put((byte) ((state.sawUnknown() ? 1 : 0) | (state.bagLost() ? 2 : 0)));
        buf.put((byte) bagIds.length);
        writeIds(buf, bagIds, shortIds);
        for (int count : bagCounts) {
            buf.putInt(count);
        }
        buf.put((byte) (state.metric() == null ? 0 : 1));
        if (state.metric() != null) {
            state.metric().write(buf);
        }
        return buf.array();
    }

    private static void writeIds(ByteBuffer buf, int[] ids, boolean shortIds) {
        for (int id : ids) {
            if (shortIds) {
                buf.putShort((short) id);
            } else {
                buf.putInt(id);
            }
        }
    }

    private static boolean fitsUnsignedShort(int[] ids) {
        for (int id : ids) {
            if (id < 0 || id > 0xFFFF) {
                return false;
            }
        }
        return true;
    }

    @Override
    public KeyState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte version = buf.get();
            int flags = switch (version) {
                case VERSION_FLOAT32 -> 0;
                case VERSION_FLOAT16 -> FLAG_FLOAT16;
                case VERSION_HISTORY, VERSION_LAST_SCORE, VERSION_SESSION, VERSION_METRIC, VERSION_WINDOW, VERSION ->
                        buf.get() & 0xFF;
                default -> throw new SerializationException("Unknown key-state format version " + version
                        + " (this build reads versions " + VERSION_FLOAT32 + " to " + VERSION + ")");
            };
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new SerializationException("Unknown key-state flags 0x" + Integer.toHexString(flags)
                        + " in format version " + version);
            }
            boolean halves = (flags & FLAG_FLOAT16) != 0;
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
            boolean shortIds = (flags & FLAG_SHORT_HISTORY) != 0;
            int[] history = version >= VERSION_HISTORY ? readIds(buf, buf.getShort(), shortIds) : new int[0];
            double lastSurprisal = 0.0;
            int[] top = new int[0];
            if (version >= VERSION_LAST_SCORE) {
                lastSurprisal = buf.getDouble();
                top = readIds(buf, buf.get() & 0xFF, shortIds);
            }
            boolean unknownSeen = false;
            boolean bagLost = true;
            int[] bagIds = new int[0];
            int[] bagCounts = new int[0];
            if (version >= VERSION_SESSION) {
                int session = buf.get() & 0xFF;
                if ((session & ~3) != 0) {
                    throw new SerializationException("Unknown key-state session flags 0x"
                            + Integer.toHexString(session));
                }
                unknownSeen = (session & 1) != 0;
                bagLost = (session & 2) != 0;
                int bagSize = buf.get() & 0xFF;
                bagIds = readIds(buf, bagSize, shortIds);
                bagCounts = new int[bagSize];
                for (int i = 0; i < bagSize; i++) {
                    bagCounts[i] = buf.getInt();
                }
            }
            MetricTrack metric = null;
            if (version >= VERSION_METRIC) {
                int present = buf.get();
                if (present == 1) {
                    metric = version >= VERSION ? MetricTrack.read(buf)
                            : MetricTrack.readLegacy(buf, version == VERSION_WINDOW);
                } else if (present != 0) {
                    throw new SerializationException("Unknown key-state metric marker " + present);
                }
            }
            if (buf.hasRemaining()) {
                throw new SerializationException("Corrupt key-state record of " + data.length + " bytes: "
                        + buf.remaining() + " bytes left over");
            }
            return new KeyState(new String(model, StandardCharsets.UTF_8), hidden, cell, pending, history,
                    historyTokens, tokens, anomalies, sum, max, first, last, seen).withLastScore(lastSurprisal, top)
                    .withSession(unknownSeen, bagIds, bagCounts, bagLost).withMetric(metric);
        } catch (RuntimeException e) {
            if (e instanceof SerializationException) {
                throw e;
            }
            throw new SerializationException("Corrupt key-state record of " + data.length + " bytes", e);
        }
    }

    private static int[] readIds(ByteBuffer buf, int count, boolean shortIds) {
        int[] ids = new int[count];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = shortIds ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
        }
        return ids;
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
    public void configure(Map<String, ?> configs, boolean isKey) {
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
