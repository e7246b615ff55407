package io.seqstream.app.topology;

import io.seqstream.app.engine.TokenScore;
import io.seqstream.app.engine.StepEngine;
import io.seqstream.app.engine.Dl4jStepEngine;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.state.KeyState;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Scores every token of a parsed event against its key's LSTM state, one step per token, and emits a
 * {@link Score} per token (and to the anomalies sink when anomalous). An event that ends its sequence also
 * scores {@code <e>}, emits a {@link SequenceSummary} and deletes the key's state; keys idle longer than the
 * TTL are summarised and deleted by a wall-clock punctuator.
 */
final class ScoringProcessor extends ContextualProcessor<String, ParsedEvent, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final Supplier<LoadedModel> model;
    private final ScoringOptions options;
    private final SeqstreamMetrics metrics;
    /** Key: sequence id. Value: LSTM state (model version, h and c per layer, pending token, statistics). */
    private KeyValueStore<String, KeyState> states;
    private StepEngine stepper;
    private Vocabulary vocabulary;

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
        stepper = new Dl4jStepEngine(current);
        vocabulary = current.vocabulary();
        context.schedule(Duration.ofMillis(options.expiryScanMs()), PunctuationType.WALL_CLOCK_TIME,
                this::expireIdleKeys);
    }

    @Override
    public void process(Record<String, ParsedEvent> record) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        KeyState state = stateOf(record.key(), record.timestamp());
        for (String token : record.value().tokens()) {
            scoreToken(record, source, state, token, vocabulary.id(token));
        }
        if (record.value().end()) {
            scoreToken(record, source, state, Vocabulary.END, Vocabulary.END_ID);
            emitSummary(record.key(), state, SummaryReason.END, record.timestamp());
            states.delete(record.key());
        } else {
            states.put(record.key(), state);
        }
    }

    private KeyState stateOf(String key, long eventTime) {
        KeyState state = states.get(key);
        if (state != null && !stepper.owns(state)) {
            log.info("Key state made by {} restarts under {}", state.model(), stepper.modelLabel());
            metrics.stateReset("model-changed");
            state = null;
        }
        return state != null ? state : stepper.newState(Vocabulary.START_ID, eventTime);
    }

    private void scoreToken(Record<String, ParsedEvent> record, RecordMetadata source, KeyState state, String token,
                            int tokenId) {
        long started = System.nanoTime();
        float[] probabilities = stepper.step(List.of(state));
        metrics.stepped(System.nanoTime() - started);
        TokenScore score = TokenScore.of(probabilities, 0, stepper.vocabSize(), tokenId, options.topK(),
                options.topG());
        state.recordScore(score.surprisal(), score.anomaly(), tokenId, record.timestamp(),
                context().currentSystemTimeMs());
        Score out = toRecord(record.key(), token, state.tokens(), score, source, record.timestamp());
        context().forward(record.withValue((SpecificRecord) out), ScoringTopology.SCORES_SINK);
        if (score.anomaly()) {
            context().forward(record.withValue((SpecificRecord) out), ScoringTopology.ANOMALIES_SINK);
        }
        metrics.scored(score.anomaly());
    }

    private Score toRecord(String key, String token, long position, TokenScore score, RecordMetadata source,
                           long eventTime) {
        List<Prediction> predictions = new ArrayList<>(score.topTokens().length);
        for (int i = 0; i < score.topTokens().length; i++) {
            predictions.add(new Prediction(vocabulary.token(score.topTokens()[i]),
                    (double) score.topProbabilities()[i]));
        }
        boolean unknown = score.tokenId() == Vocabulary.UNK_ID && !Vocabulary.UNK.equals(token);
        return new Score(key, position, token, score.tokenId(), unknown, score.probability(), score.surprisal(),
                score.rank(), predictions, score.anomaly(), options.topG(), stepper.modelLabel(),
                source.partition(), source.offset(), Instant.ofEpochMilli(eventTime));
    }

    private void emitSummary(String key, KeyState state, SummaryReason reason, long timestamp) {
        SequenceSummary summary = new SequenceSummary(key, reason, state.tokens(), state.meanSurprisal(),
                state.surprisalMax(), Math.exp(state.meanSurprisal()), state.anomalies(), state.model(),
                Instant.ofEpochMilli(state.firstEventTime()), Instant.ofEpochMilli(state.lastEventTime()));
        context().forward(new Record<String, SpecificRecord>(key, summary, timestamp), ScoringTopology.SUMMARIES_SINK);
        metrics.sequenceClosed(reason.name().toLowerCase(java.util.Locale.ROOT));
    }

    private void expireIdleKeys(long now) {
        List<KeyValue<String, KeyState>> expired = new ArrayList<>();
        try (KeyValueIterator<String, KeyState> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, KeyState> entry = all.next();
                if (isExpired(entry.value, now)) {
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

    private boolean isExpired(KeyState state, long now) {
        return now - state.lastSeenAt() > options.ttlMs();
    }

    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
        }
    }
}
