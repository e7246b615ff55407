package io.seqstream.app.topology;

import io.seqstream.engine.StepEngine;
import io.seqstream.engine.TokenScore;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.engine.KeyState;
import io.seqstream.app.state.PendingEvent;
import io.seqstream.model.Vocabulary;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every token of every event against its key's LSTM state and emits a {@link Score} per token (and to
 * the anomalies sink when anomalous). An event that ends its sequence also scores {@code <e>}, emits a
 * {@link SequenceSummary} and deletes the key's state; keys idle longer than the TTL are summarised and
 * deleted by a wall-clock punctuator.
 *
 * <p>With batching on ({@code max.batch.delay.ms > 0}) events wait in a changelogged pending store until
 * {@code max.batch.size} steps are pending across the stream thread's tasks or the oldest has waited
 * {@code max.batch.delay.ms}; then the thread's {@link ThreadBatcher} steps them all in waves of distinct keys,
 * and each task applies its own results. Because pending events are committed with the input offsets and only
 * cleared when their scores are emitted, a crash at any point scores them exactly once.
 */
final class ScoringProcessor extends ContextualProcessor<String, ParsedEvent, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final ThreadBatcher.Registry batchers;
    private final Vocabulary vocabulary;
    private final ScoringOptions options;
    private final SeqstreamMetrics metrics;
    /** Key: sequence id. Value: LSTM state (model version, h and c per layer, pending token, statistics). */
    private KeyValueStore<String, KeyState> states;
    private PendingBuffer pending;
    private ThreadBatcher batcher;
    private StepEngine engine;
    /** Keys computed by the thread's last round, with their outputs, waiting to be applied in this task. */
    private final List<KeyWork> computed = new ArrayList<>();
    private final List<Record<String, SpecificRecord>> outputs = new ArrayList<>();
    private final List<String> outputSinks = new ArrayList<>();

    ScoringProcessor(ThreadBatcher.Registry batchers, Vocabulary vocabulary, ScoringOptions options,
                     SeqstreamMetrics metrics) {
        this.batchers = batchers;
        this.vocabulary = vocabulary;
        this.options = options;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        states = context.getStateStore(ScoringTopology.STATE_STORE);
        pending = new PendingBuffer(options.batching() ? context.getStateStore(ScoringTopology.PENDING_STORE) : null);
        if (!pending.isEmpty()) {
            log.info("Restored {} pending events ({} steps) of task {}", pending.events().size(), pending.steps(),
                    context.taskId());
        }
        batcher = batchers.join(this);
        engine = batcher.engine();
        if (options.batching()) {
            context.schedule(Duration.ofMillis(Math.max(1, options.maxBatchDelayMs() / 2)),
                    PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
        }
        context.schedule(Duration.ofMillis(options.expiryScanMs()), PunctuationType.WALL_CLOCK_TIME,
                this::expireIdleKeys);
    }

    @Override
    public void process(Record<String, ParsedEvent> record) {
        applyComputed();
        RecordMetadata source = context().recordMetadata().orElseThrow();
        pending.add(new PendingEvent(pending.nextSequence(), record.key(), record.value().tokens(), record.value().end(),
                source.partition(), source.offset(), record.timestamp(), context().currentSystemTimeMs()));
        if (!options.batching() || batcher.pendingSteps() >= options.maxBatchSize()) {
            batcher.computeRound();
            applyComputed();
        }
    }

    private void flushIfDue(long now) {
        applyComputed();
        if (now - batcher.oldestPending() >= options.maxBatchDelayMs()) {
            batcher.computeRound();
            applyComputed();
        }
    }

    boolean hasUnappliedResults() {
        return !computed.isEmpty();
    }

    int pendingSteps() {
        return pending.steps();
    }

    long oldestPending() {
        return pending.oldestReceivedAt();
    }

    /** This task's pending events as per-key work for the thread's round; they stay pending until applied. */
    List<KeyWork> takeWork() {
        Map<String, KeyWork> work = new LinkedHashMap<>();
        for (PendingEvent event : pending.events()) {
            work.computeIfAbsent(event.key(), KeyWork::new).add(event);
        }
        computed.addAll(work.values());
        List<KeyWork> steppable = new ArrayList<>(work.values());
        steppable.removeIf(KeyWork::isDone);
        return steppable;
    }

    /** Emits what the last round computed for this task, writes its keys' states and clears their events. */
    private void applyComputed() {
        if (computed.isEmpty()) {
            return;
        }
        for (int i = 0; i < outputs.size(); i++) {
            context().forward(outputs.get(i), outputSinks.get(i));
        }
        for (KeyWork key : computed) {
            if (key.state == null) {
                states.delete(key.key);
            } else {
                states.put(key.key, key.state);
            }
        }
        pending.clear();
        computed.clear();
        outputs.clear();
        outputSinks.clear();
    }

    private void output(Record<String, SpecificRecord> record, String sink) {
        outputs.add(record);
        outputSinks.add(sink);
    }

    /** One key's steps within a round, in order, with its state. */
    final class KeyWork {
        final String key;
        final Deque<PendingEvent> events = new ArrayDeque<>();
        int tokenIndex;
        KeyState state;
        boolean loaded;

        KeyWork(String key) {
            this.key = key;
        }

        void add(PendingEvent event) {
            if (event.steps() > 0) {
                events.add(event);
            }
        }

        boolean isDone() {
            return events.isEmpty();
        }

        KeyState stateForNextStep() {
            if (!loaded) {
                state = states.get(key);
                loaded = true;
                if (state != null && !engine.owns(state)) {
                    log.info("Key state made by {} restarts under {}", state.model(), engine.modelLabel());
                    metrics.stateReset("model-changed");
                    state = null;
                }
            }
            if (state == null) {
                state = engine.newState(Vocabulary.START_ID, events.getFirst().timestamp());
            }
            return state;
        }

        void scoreNextStep(float[] probabilities, int offset) {
            PendingEvent event = events.getFirst();
            boolean endStep = tokenIndex == event.tokens().size();
            String token = endStep ? Vocabulary.END : event.tokens().get(tokenIndex);
            int tokenId = endStep ? Vocabulary.END_ID : vocabulary.id(token);
            TokenScore score = TokenScore.of(probabilities, offset, engine.vocabSize(), tokenId, options.topK(),
                    options.topG());
            state.recordScore(score.surprisal(), score.anomaly(), tokenId, event.timestamp(), event.receivedAt());
            emitScore(key, token, state.tokens(), score, event);
            if (endStep) {
                emitSummary(key, state, SummaryReason.END, event.timestamp());
                state = null;
            }
            tokenIndex++;
            if (tokenIndex >= event.steps()) {
                events.removeFirst();
                tokenIndex = 0;
            }
        }
    }

    private void emitScore(String key, String token, long position, TokenScore score, PendingEvent event) {
        List<Prediction> predictions = new ArrayList<>(score.topTokens().length);
        for (int i = 0; i < score.topTokens().length; i++) {
            predictions.add(new Prediction(vocabulary.token(score.topTokens()[i]),
                    (double) score.topProbabilities()[i]));
        }
        boolean unknown = score.tokenId() == Vocabulary.UNK_ID && !Vocabulary.UNK.equals(token);
        Score out = new Score(key, position, token, score.tokenId(), unknown, score.probability(), score.surprisal(),
                score.rank(), predictions, score.anomaly(), options.topG(), engine.modelLabel(), event.partition(),
                event.offset(), Instant.ofEpochMilli(event.timestamp()));
        Record<String, SpecificRecord> record = new Record<>(key, out, event.timestamp());
        output(record, ScoringTopology.SCORES_SINK);
        if (score.anomaly()) {
            output(record, ScoringTopology.ANOMALIES_SINK);
        }
        metrics.scored(score.anomaly());
    }

    private void emitSummary(String key, KeyState state, SummaryReason reason, long timestamp) {
        output(new Record<>(key, summaryOf(key, state, reason), timestamp), ScoringTopology.SUMMARIES_SINK);
    }

    private SequenceSummary summaryOf(String key, KeyState state, SummaryReason reason) {
        metrics.sequenceClosed(reason.name().toLowerCase(Locale.ROOT));
        return new SequenceSummary(key, reason, state.tokens(), state.meanSurprisal(), state.surprisalMax(),
                Math.exp(state.meanSurprisal()), state.anomalies(), state.model(),
                Instant.ofEpochMilli(state.firstEventTime()), Instant.ofEpochMilli(state.lastEventTime()));
    }

    private void expireIdleKeys(long now) {
        applyComputed();
        Set<String> waiting = new HashSet<>();
        pending.events().forEach(e -> waiting.add(e.key()));
        List<KeyValue<String, KeyState>> expired = new ArrayList<>();
        try (KeyValueIterator<String, KeyState> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, KeyState> entry = all.next();
                if (now - entry.value.lastSeenAt() > options.ttlMs() && !waiting.contains(entry.key)) {
                    expired.add(entry);
                }
            }
        }
        for (KeyValue<String, KeyState> entry : expired) {
            context().forward(new Record<String, SpecificRecord>(entry.key,
                    summaryOf(entry.key, entry.value, SummaryReason.EXPIRED),
                    Math.max(now, entry.value.lastEventTime())), ScoringTopology.SUMMARIES_SINK);
            states.delete(entry.key);
        }
        if (!expired.isEmpty()) {
            log.debug("Expired {} idle keys", expired.size());
        }
    }

    @Override
    public void close() {
        // Anything computed but not applied stays in the pending store and is recomputed by the next owner.
        batchers.leave(this);
    }
}
