package io.seqstream.app.topology;

import io.seqstream.app.engine.StepEngine;
import io.seqstream.app.engine.StepEngines;
import io.seqstream.app.engine.TokenScore;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.state.KeyState;
import io.seqstream.app.state.PendingEvent;
import io.seqstream.model.LoadedModel;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
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
 * {@code max.batch.size} steps are pending or the oldest has waited {@code max.batch.delay.ms}; then they are
 * stepped in waves: each wave takes the next token of every key with work left, so a batch never holds two
 * steps of one key and every key's order is kept. Because pending events are committed with the input
 * offsets, a crash after a commit restores them and they are scored exactly once.
 */
final class ScoringProcessor extends ContextualProcessor<String, ParsedEvent, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final Supplier<LoadedModel> model;
    private final ScoringOptions options;
    private final SeqstreamMetrics metrics;
    /** Key: sequence id. Value: LSTM state (model version, h and c per layer, pending token, statistics). */
    private KeyValueStore<String, KeyState> states;
    private PendingBuffer pending;
    private StepEngine engine;
    private Vocabulary vocabulary;
    private long unbatchedSequence;

    ScoringProcessor(Supplier<LoadedModel> model, ScoringOptions options, SeqstreamMetrics metrics) {
        this.model = model;
        this.options = options;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        states = context.getStateStore(ScoringTopology.STATE_STORE);
        LoadedModel current = model.get();
        engine = StepEngines.create(current, options.engine());
        vocabulary = current.vocabulary();
        if (options.batching()) {
            pending = new PendingBuffer(context.getStateStore(ScoringTopology.PENDING_STORE));
            if (!pending.isEmpty()) {
                log.info("Restored {} pending events ({} steps) of task {}", pending.events().size(), pending.steps(),
                        context.taskId());
            }
            context.schedule(Duration.ofMillis(Math.max(1, options.maxBatchDelayMs() / 2)),
                    PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
        }
        context.schedule(Duration.ofMillis(options.expiryScanMs()), PunctuationType.WALL_CLOCK_TIME,
                this::expireIdleKeys);
    }

    @Override
    public void process(Record<String, ParsedEvent> record) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        long sequence = pending == null ? unbatchedSequence++ : pending.nextSequence();
        PendingEvent event = new PendingEvent(sequence, record.key(), record.value().tokens(), record.value().end(),
                source.partition(), source.offset(), record.timestamp(), context().currentSystemTimeMs());
        if (pending == null) {
            scoreInWaves(List.of(event));
            return;
        }
        pending.add(event);
        if (pending.steps() >= options.maxBatchSize()) {
            flush();
        }
    }

    private void flushIfDue(long now) {
        if (!pending.isEmpty() && now - pending.oldestReceivedAt() >= options.maxBatchDelayMs()) {
            flush();
        }
    }

    private void flush() {
        scoreInWaves(pending.events());
        pending.clear();
    }

    /** Steps every event's tokens, at most one step per key per batch, and writes the keys' states back. */
    private void scoreInWaves(List<PendingEvent> events) {
        Map<String, KeyWork> work = new LinkedHashMap<>();
        for (PendingEvent event : events) {
            work.computeIfAbsent(event.key(), KeyWork::new).add(event);
        }
        List<KeyWork> wave = new ArrayList<>(work.values());
        while (!wave.isEmpty()) {
            for (int from = 0; from < wave.size(); from += options.maxBatchSize()) {
                stepBatch(wave.subList(from, Math.min(wave.size(), from + options.maxBatchSize())));
            }
            wave.removeIf(KeyWork::isDone);
        }
        for (KeyWork key : work.values()) {
            if (key.state == null) {
                states.delete(key.key);
            } else {
                states.put(key.key, key.state);
            }
        }
    }

    private void stepBatch(List<KeyWork> batch) {
        List<KeyState> batchStates = new ArrayList<>(batch.size());
        for (KeyWork key : batch) {
            batchStates.add(key.stateForNextStep());
        }
        long started = System.nanoTime();
        float[] probabilities = engine.step(batchStates);
        metrics.stepped(System.nanoTime() - started, batch.size());
        int vocab = engine.vocabSize();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).scoreNextStep(probabilities, i * vocab);
        }
    }

    /** One key's steps within a flush, in order, with its state. */
    private final class KeyWork {
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
        context().forward(record, ScoringTopology.SCORES_SINK);
        if (score.anomaly()) {
            context().forward(record, ScoringTopology.ANOMALIES_SINK);
        }
        metrics.scored(score.anomaly());
    }

    private void emitSummary(String key, KeyState state, SummaryReason reason, long timestamp) {
        SequenceSummary summary = new SequenceSummary(key, reason, state.tokens(), state.meanSurprisal(),
                state.surprisalMax(), Math.exp(state.meanSurprisal()), state.anomalies(), state.model(),
                Instant.ofEpochMilli(state.firstEventTime()), Instant.ofEpochMilli(state.lastEventTime()));
        context().forward(new Record<String, SpecificRecord>(key, summary, timestamp), ScoringTopology.SUMMARIES_SINK);
        metrics.sequenceClosed(reason.name().toLowerCase(Locale.ROOT));
    }

    private void expireIdleKeys(long now) {
        if (pending != null && !pending.isEmpty()) {
            flush(); // a key with pending events is not idle
        }
        List<KeyValue<String, KeyState>> expired = new ArrayList<>();
        try (KeyValueIterator<String, KeyState> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, KeyState> entry = all.next();
                if (now - entry.value.lastSeenAt() > options.ttlMs()) {
                    expired.add(entry);
                }
            }
        }
        for (KeyValue<String, KeyState> entry : expired) {
            emitSummary(entry.key, entry.value, SummaryReason.EXPIRED, Math.max(now, entry.value.lastEventTime()));
            states.delete(entry.key);
        }
        if (!expired.isEmpty()) {
            log.debug("Expired {} idle keys", expired.size());
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
