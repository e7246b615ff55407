package io.seqstream.engine;

import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.Vocabulary;
import java.util.Arrays;
import java.util.Objects;

/**
 * One sequence's state between events: which model version produced it, the recurrent state of every layer,
 * the token the network has not consumed yet, the last tokens observed, and running statistics of the sequence
 * so far.
 *
 * <p>Stepping is lazy by one token: when an event arrives, the network first consumes the pending token
 * (initially {@code <s>}) to predict this position, the event's token is scored against that prediction, and
 * then becomes the pending token. So every event costs exactly one step, and the end of a sequence
 * ({@code <e>}) is scored like any other token.
 *
 * <p>History: the last {@link #historyCapacity()} observed token ids, kept in a ring buffer whose capacity is
 * fixed at creation (0 keeps none). Its newest entry is the pending token. They are the ids of the model that
 * made the state, and they are what the state's h and c have seen since {@code <s>} (or the newest of them):
 * after a model swap {@link StateMigrator} replays them through the new version to rebuild h and c.
 *
 * <p>Mutable and owned by one processor at a time; the arrays are updated in place by the stepper.
 */
public final class KeyState {
    /** The most distinct token ids a state keeps in its bag (the session rule's token counts). */
    public static final int MAX_BAG_TOKENS = ModelCalibration.MAX_BAG_TOKENS;
    /** History capacity when none is given: the default of the {@code model.replay-tokens} setting. */
    public static final int DEFAULT_HISTORY_TOKENS = 32;

    private final String model;
    private final float[][] hidden;
    private final float[][] cell;
    private int pendingToken;
    /** Ring buffer of observed token ids; {@code historyNext} is where the next one goes. */
    private final int[] historyRing;
    private int historyNext;
    private int historySize;
    private long tokens;
    private long anomalies;
    private double surprisalSum;
    private double surprisalMax;
    private long firstEventTime;
    private long lastEventTime;
    private long lastSeenAt;
    /** Surprisal of the last token scored (0 before the first). */
    private double lastSurprisal;
    /** Ids of the top-k predictions for the last token scored, most likely first; empty when unknown. */
    private int[] lastTopTokens = new int[0];
    /** Whether any token scored was outside the vocabulary ({@code <unk>}). */
    private boolean sawUnknown;
    /**
     * The sequence's bag: the ids of the tokens it observed ({@code <e>} excluded) with their counts, ascending id,
     * in the first {@code bagSize} entries; at most {@value #MAX_BAG_TOKENS} distinct ids are kept.
     */
    private int[] bagIds = new int[0];
    private int[] bagCounts = new int[0];
    private int bagSize;
    /** True once the bag is no longer known: too many distinct tokens, or the sequence changed model version. */
    private boolean bagLost;
    /** A numeric model's per-key range and anomaly likelihood; null for token models. */
    private MetricTrack metric;

    /**
     * A state with no history and a history capacity of 0 (as states decoded from formats without history
     * were).
     *
     * @param hidden per layer, the activation h (length = hidden size)
     * @param cell per layer, the LSTM memory cell c; empty arrays for a simple RNN
     */
    public KeyState(String model, float[][] hidden, float[][] cell, int pendingToken, long tokens, long anomalies,
                    double surprisalSum, double surprisalMax, long firstEventTime, long lastEventTime,
                    long lastSeenAt) {
        this(model, hidden, cell, pendingToken, new int[0], 0, tokens, anomalies, surprisalSum, surprisalMax,
                firstEventTime, lastEventTime, lastSeenAt);
    }

    /**
     * @param hidden per layer, the activation h (length = hidden size)
     * @param cell per layer, the LSTM memory cell c; empty arrays for a simple RNN
     * @param history observed token ids, oldest first; if longer than {@code historyCapacity}, only the newest
     *                are kept
     * @param historyCapacity how many observed tokens the state keeps, 0 or more
     */
    public KeyState(String model, float[][] hidden, float[][] cell, int pendingToken, int[] history,
                    int historyCapacity, long tokens, long anomalies, double surprisalSum, double surprisalMax,
                    long firstEventTime, long lastEventTime, long lastSeenAt) {
        if (historyCapacity < 0) {
            throw new IllegalArgumentException("History capacity must be 0 or more, got " + historyCapacity);
        }
        this.model = Objects.requireNonNull(model, "model");
        this.hidden = hidden;
        this.cell = cell;
        this.pendingToken = pendingToken;
        this.historyRing = new int[historyCapacity];
        for (int token : history) {
            remember(token);
        }
        this.tokens = tokens;
        this.anomalies = anomalies;
        this.surprisalSum = surprisalSum;
        this.surprisalMax = surprisalMax;
        this.firstEventTime = firstEventTime;
        this.lastEventTime = lastEventTime;
        this.lastSeenAt = lastSeenAt;
    }

    /** A new sequence: zero state, {@code <s>} pending, room for {@value #DEFAULT_HISTORY_TOKENS} tokens. */
    public static KeyState start(String model, int layers, int hiddenSize, boolean hasCell, int startToken,
                                 long eventTime) {
        return start(model, layers, hiddenSize, hasCell, startToken, eventTime, DEFAULT_HISTORY_TOKENS);
    }

    /** A new sequence: zero state, {@code <s>} pending, an empty history of {@code historyCapacity} tokens. */
    public static KeyState start(String model, int layers, int hiddenSize, boolean hasCell, int startToken,
                                 long eventTime, int historyCapacity) {
        return new KeyState(model, new float[layers][hiddenSize], new float[layers][hasCell ? hiddenSize : 0],
                startToken, new int[0], historyCapacity, 0, 0, 0.0, 0.0, eventTime, eventTime, 0L);
    }

    /**
     * True if this state was made by model {@code model} with this shape, and so can be stepped by it: the same
     * version label, layer count and width, and memory cells exactly when the model has them.
     */
    public boolean fits(String model, int layers, int hiddenSize, boolean hasCell) {
        return this.model.equals(model) && hidden.length == layers
                && (layers == 0 || (hidden[0].length == hiddenSize && cell[0].length == (hasCell ? hiddenSize : 0)));
    }

    /** Records one scored token: it becomes the pending token and the newest of the history. */
    public void recordScore(double surprisal, boolean anomaly, int observedToken, long eventTime, long seenAt) {
        recordScore(surprisal, anomaly, observedToken, eventTime, seenAt, new int[0]);
    }

    /**
     * Records one scored token: it becomes the pending token and the newest of the history.
     *
     * @param topTokens ids of the model's top-k predictions for this token, most likely first (kept, not copied)
     */
    public void recordScore(double surprisal, boolean anomaly, int observedToken, long eventTime, long seenAt,
                            int[] topTokens) {
        lastSurprisal = surprisal;
        lastTopTokens = Objects.requireNonNull(topTokens, "topTokens");
        tokens++;
        surprisalSum += surprisal;
        surprisalMax = Math.max(surprisalMax, surprisal);
        if (anomaly) {
            anomalies++;
        }
        if (observedToken == Vocabulary.UNK_ID) {
            sawUnknown = true;
        }
        if (observedToken != Vocabulary.END_ID) {
            count(observedToken);
        }
        observe(observedToken);
        lastEventTime = Math.max(lastEventTime, eventTime);
        lastSeenAt = seenAt;
    }

    private void count(int token) {
        if (bagLost) {
            return;
        }
        int at = Arrays.binarySearch(bagIds, 0, bagSize, token);
        if (at >= 0) {
            bagCounts[at]++;
            return;
        }
        if (bagSize == MAX_BAG_TOKENS) {
            bagLost = true;
            bagIds = new int[0];
            bagCounts = new int[0];
            bagSize = 0;
            return;
        }
        at = -at - 1;
        if (bagSize == bagIds.length) {
            int grown = Math.min(MAX_BAG_TOKENS, Math.max(8, bagIds.length * 2));
            bagIds = Arrays.copyOf(bagIds, grown);
            bagCounts = Arrays.copyOf(bagCounts, grown);
        }
        System.arraycopy(bagIds, at, bagIds, at + 1, bagSize - at);
        System.arraycopy(bagCounts, at, bagCounts, at + 1, bagSize - at);
        bagIds[at] = token;
        bagCounts[at] = 1;
        bagSize++;
    }

    /** Makes {@code token} the pending token and the newest of the history, without scoring it. */
    void observe(int token) {
        pendingToken = token;
        remember(token);
    }

    private void remember(int token) {
        if (historyRing.length == 0) {
            return;
        }
        historyRing[historyNext] = token;
        historyNext = (historyNext + 1) % historyRing.length;
        historySize = Math.min(historySize + 1, historyRing.length);
    }

    /**
     * A state under another model version that carries this one's statistics (tokens, anomalies, surprisal,
     * event times, last seen), with the given recurrent arrays, pending token and history.
     */
    KeyState withModel(String newModel, float[][] newHidden, float[][] newCell, int newPending, int[] newHistory,
                       int newHistoryCapacity) {
        // The last top-k ids and the bag's ids are the old version's; they mean nothing in another vocabulary.
        boolean same = newModel.equals(model);
        return new KeyState(newModel, newHidden, newCell, newPending, newHistory, newHistoryCapacity, tokens,
                anomalies, surprisalSum, surprisalMax, firstEventTime, lastEventTime, lastSeenAt)
                .withLastScore(lastSurprisal, same ? lastTopTokens : new int[0])
                .withSession(sawUnknown, same ? bagIds() : new int[0], same ? bagCounts() : new int[0],
                        !same || bagLost)
                .withMetric(metric);
    }

    /**
     * Sets the key's metric track (a numeric model's range and anomaly likelihood; null for none) and returns this
     * state. The track is the key's, not the model version's: it is kept across model swaps.
     */
    public KeyState withMetric(MetricTrack track) {
        this.metric = track;
        return this;
    }

    /** The key's metric track, null for token models and before a numeric model's first value. */
    public MetricTrack metric() {
        return metric;
    }

    /**
     * Sets what is known of the last token scored (as a decoder restores it) and returns this state.
     *
     * @param topTokens ids of its top-k predictions, most likely first; empty when unknown
     */
    public KeyState withLastScore(double surprisal, int[] topTokens) {
        this.lastSurprisal = surprisal;
        this.lastTopTokens = Objects.requireNonNull(topTokens, "topTokens").clone();
        return this;
    }

    /**
     * Sets what is known of the sequence for the session rule (as a decoder restores it) and returns this state.
     *
     * @param ids    the bag's token ids, ascending (copied)
     * @param counts their counts (copied)
     * @param lost   true when the bag is not known
     */
    public KeyState withSession(boolean unknownSeen, int[] ids, int[] counts, boolean lost) {
        if (ids.length != counts.length || ids.length > MAX_BAG_TOKENS) {
            throw new IllegalArgumentException("A bag needs as many counts as ids, at most " + MAX_BAG_TOKENS
                    + "; got " + ids.length + " ids and " + counts.length + " counts");
        }
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] <= ids[i - 1]) {
                throw new IllegalArgumentException("Bag ids must ascend: " + Arrays.toString(ids));
            }
        }
        this.sawUnknown = unknownSeen;
        this.bagLost = lost;
        this.bagIds = lost ? new int[0] : ids.clone();
        this.bagCounts = lost ? new int[0] : counts.clone();
        this.bagSize = this.bagIds.length;
        return this;
    }

    /** Whether any token scored in this sequence was outside the vocabulary. */
    public boolean sawUnknown() {
        return sawUnknown;
    }

    /** True when the bag is not known (too many distinct tokens, or the sequence changed model version). */
    public boolean bagLost() {
        return bagLost;
    }

    /** The bag's token ids, ascending (a copy; empty when lost). */
    public int[] bagIds() {
        return Arrays.copyOf(bagIds, bagSize);
    }

    /** The counts of {@link #bagIds()} (a copy). */
    public int[] bagCounts() {
        return Arrays.copyOf(bagCounts, bagSize);
    }

    /** The sequence's bag in {@link ModelCalibration#bag} form, or null when it is not known. */
    public String bag() {
        return bagLost ? null : ModelCalibration.bag(bagIds, bagCounts, bagSize);
    }

    public String model() {
        return model;
    }

    public float[][] hidden() {
        return hidden;
    }

    public float[][] cell() {
        return cell;
    }

    public int layers() {
        return hidden.length;
    }

    public int pendingToken() {
        return pendingToken;
    }

    /** The last observed token ids, oldest first (a copy); at most {@link #historyCapacity()} of them. */
    public int[] history() {
        int[] out = new int[historySize];
        int start = Math.floorMod(historyNext - historySize, Math.max(1, historyRing.length));
        for (int i = 0; i < historySize; i++) {
            out[i] = historyRing[(start + i) % historyRing.length];
        }
        return out;
    }

    /** How many observed tokens this state keeps, fixed at creation. */
    public int historyCapacity() {
        return historyRing.length;
    }

    /** Tokens scored so far in this sequence; the next token's 1-based position is {@code tokens() + 1}. */
    public long tokens() {
        return tokens;
    }

    public long anomalies() {
        return anomalies;
    }

    public double surprisalSum() {
        return surprisalSum;
    }

    public double surprisalMax() {
        return surprisalMax;
    }

    public double meanSurprisal() {
        return tokens == 0 ? 0.0 : surprisalSum / tokens;
    }

    /** Surprisal of the last token scored; 0 before the first. */
    public double lastSurprisal() {
        return lastSurprisal;
    }

    /** Ids of the top-k predictions for the last token scored, most likely first (a copy); empty when unknown. */
    public int[] lastTopTokens() {
        return lastTopTokens.clone();
    }

    public long firstEventTime() {
        return firstEventTime;
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    /** Wall-clock time this key last received an event, for idle expiry. */
    public long lastSeenAt() {
        return lastSeenAt;
    }

    @Override
    public String toString() {
        return "KeyState[" + model + ", " + tokens + " tokens, pending " + pendingToken + ", history "
                + Arrays.toString(history()) + "]";
    }
}
