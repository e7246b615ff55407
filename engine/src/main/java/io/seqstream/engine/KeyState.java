package io.seqstream.engine;

import java.util.Objects;

/**
 * One sequence's state between events: which model version produced it, the recurrent state of every layer,
 * the token the network has not consumed yet, and running statistics of the sequence so far.
 *
 * <p>Stepping is lazy by one token: when an event arrives, the network first consumes the pending token
 * (initially {@code <s>}) to predict this position, the event's token is scored against that prediction, and
 * then becomes the pending token. So every event costs exactly one step, and the end of a sequence
 * ({@code <e>}) is scored like any other token.
 *
 * <p>Mutable and owned by one processor at a time; the arrays are updated in place by the stepper.
 */
public final class KeyState {
    private final String model;
    private final float[][] hidden;
    private final float[][] cell;
    private int pendingToken;
    private long tokens;
    private long anomalies;
    private double surprisalSum;
    private double surprisalMax;
    private long firstEventTime;
    private long lastEventTime;
    private long lastSeenAt;

    /**
     * @param hidden per layer, the activation h (length = hidden size)
     * @param cell per layer, the LSTM memory cell c; empty arrays for a simple RNN
     */
    public KeyState(String model, float[][] hidden, float[][] cell, int pendingToken, long tokens, long anomalies,
                    double surprisalSum, double surprisalMax, long firstEventTime, long lastEventTime,
                    long lastSeenAt) {
        this.model = Objects.requireNonNull(model, "model");
        this.hidden = hidden;
        this.cell = cell;
        this.pendingToken = pendingToken;
        this.tokens = tokens;
        this.anomalies = anomalies;
        this.surprisalSum = surprisalSum;
        this.surprisalMax = surprisalMax;
        this.firstEventTime = firstEventTime;
        this.lastEventTime = lastEventTime;
        this.lastSeenAt = lastSeenAt;
    }

    /** A new sequence: zero state, {@code <s>} pending. */
    public static KeyState start(String model, int layers, int hiddenSize, boolean hasCell, int startToken,
                                 long eventTime) {
        return new KeyState(model, new float[layers][hiddenSize], new float[layers][hasCell ? hiddenSize : 0],
                startToken, 0, 0, 0.0, 0.0, eventTime, eventTime, 0L);
    }

    /**
     * True if this state was made by model {@code model} with this shape, and so can be stepped by it: the same
     * version label, layer count and width, and memory cells exactly when the model has them.
     */
    public boolean fits(String model, int layers, int hiddenSize, boolean hasCell) {
        return this.model.equals(model) && hidden.length == layers
                && (layers == 0 || (hidden[0].length == hiddenSize && cell[0].length == (hasCell ? hiddenSize : 0)));
    }

    /** Records one scored token. */
    public void recordScore(double surprisal, boolean anomaly, int observedToken, long eventTime, long seenAt) {
        tokens++;
        surprisalSum += surprisal;
        surprisalMax = Math.max(surprisalMax, surprisal);
        if (anomaly) {
            anomalies++;
        }
        pendingToken = observedToken;
        lastEventTime = Math.max(lastEventTime, eventTime);
        lastSeenAt = seenAt;
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
}
