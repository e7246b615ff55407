package io.seqstream.app.topology;

import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.state.PendingEvent;
import io.seqstream.engine.KeyState;
import io.seqstream.model.Vocabulary;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code max.batch.delay.ms}; then the thread's {@link ThreadBatcher} steps them all in waves of distinct keys and
 * hands this task plain per-key results, which it converts, counts and forwards when it applies them. Because
 * pending events are committed with the input offsets and only cleared when their scores are emitted, a crash at
 * any point scores them exactly once.
 */
final class ScoringProcessor extends ContextualProcessor<String, ParsedEvent, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final ThreadBatcher.Registry batchers;
    private final ScoringOptions options;
    private final ScoringTopology.Outputs outputs;
    private final SeqstreamMetrics metrics;
    /** Key: sequence id. Value: LSTM state (model version, h and c per layer, pending token, history, statistics). */
    private KeyValueStore<String, KeyState> states;
    private PendingBuffer pending;
    private ThreadBatcher batcher;
    /** The stored states of the keys with pending events, read in this task's own context (null = no state). */
    private final Map<String, KeyState> working = new HashMap<>();
    /** Work handed to the thread's round; its results wait here until this task applies them. */
    private List<KeyWork> taken;
    /** Tokens scored between two records of one key ({@code input.text.record-separator}); empty for none. */
    private List<String> separator = List.of();
    /** Per key with pending events: whether its last pending event left its sequence open. */
    private final Map<String, Boolean> openInPending = new HashMap<>();
    /** When the next scan for idle keys starts. */
    private long nextExpiryScan;
    /** The scan for idle keys under way: where it goes on; null when none is. */
    private ExpiryScan expiryScan;

    /** How often a scan for idle keys reads its next slice of keys. */
    static final long EXPIRY_SLICE_MS = 100;
    /** Fewest keys a slice reads: a store of a few thousand keys is scanned in a few slices. */
    static final int EXPIRY_SLICE_MIN_KEYS = 100;

    /** One pass over the task's keys, a slice at a time. */
    private static final class ExpiryScan {
        final long startedAt;
        /** Keys per slice: the pass spread over the scan interval. */
        final long sliceKeys;
        /** The first key the next slice reads; null = from the first key. */
        String from;
        long read;
        long expired;
        long slices;
        long busyNanos;
        long longestSliceNanos;

        ExpiryScan(long startedAt, long sliceKeys) {
            this.startedAt = startedAt;
            this.sliceKeys = sliceKeys;
        }
    }

    ScoringProcessor(ThreadBatcher.Registry batchers, ScoringOptions options, ScoringTopology.Outputs outputs,
                     SeqstreamMetrics metrics) {
        this.batchers = batchers;
        this.options = options;
        this.outputs = outputs;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        states = context.getStateStore(outputs.stateStore());
        pending = new PendingBuffer(options.batching() ? context.getStateStore(outputs.pendingStore()) : null);
        if (!pending.isEmpty()) {
            log.info("Restored {} pending events ({} steps) of task {}", pending.events().size(), pending.steps(),
                    context.taskId());
            pending.events().forEach(event -> loadState(event.key()));
        }
        batcher = batchers.join(this);
        separator = options.separatorTokens(batcher.vocabulary());
        pending.events().forEach(event -> openInPending.put(event.key(), !event.end()));
        if (options.batching()) {
            context.schedule(Duration.ofMillis(Math.max(1, options.maxBatchDelayMs() / 2)),
                    PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
        }
        if (outputs == ScoringTopology.SERVED) {
            // a shadow processor shares its task and its commits: one grid is enough
            context.schedule(Duration.ofMillis(options.commitTickMs()), PunctuationType.WALL_CLOCK_TIME,
                    now -> batcher.commitTick(this, now));
        }
        context.schedule(Duration.ofMillis(options.modelCheckMs()), PunctuationType.WALL_CLOCK_TIME,
                now -> batcher.switchIfNewer());
        nextExpiryScan = context.currentSystemTimeMs() + options.expiryScanMs();
        context.schedule(Duration.ofMillis(Math.min(EXPIRY_SLICE_MS, options.expiryScanMs())),
                PunctuationType.WALL_CLOCK_TIME, this::expireIdleKeys);
    }

    @Override
    public void process(Record<String, ParsedEvent> record) {
        applyComputed();
        RecordMetadata source = context().recordMetadata().orElseThrow();
        loadState(record.key());
        List<String> tokens = record.value().tokens();
        if (!separator.isEmpty() && continuesSequence(record.key())) {
            tokens = new ArrayList<>(separator);
            tokens.addAll(record.value().tokens());
        }
        pending.add(new PendingEvent(pending.nextSequence(), record.key(), tokens, record.value().end(),
                source.partition(), source.offset(), record.timestamp(), context().currentSystemTimeMs()));
        openInPending.put(record.key(), !record.value().end());
        if (!options.batching() || batcher.pendingSteps() >= options.maxBatchSize()) {
            batcher.computeRound();
            applyComputed();
        }
    }

    /** True if the key's sequence is open: an earlier record of it is pending or scored, and did not end it. */
    private boolean continuesSequence(String key) {
        Boolean open = openInPending.get(key);
        if (open != null) {
            return open;
        }
        KeyState state = working.get(key);
        return state != null && state.tokens() > 0;
    }

    private void loadState(String key) {
        if (!working.containsKey(key)) {
            working.put(key, states.get(key));
        }
    }

    private void flushIfDue(long now) {
        applyComputed();
        if (now - batcher.oldestPending() >= options.maxBatchDelayMs()) {
            batcher.computeRound();
            applyComputed();
        }
    }

    /** Asks Kafka Streams to commit this task (see {@link ThreadBatcher#commitTick}). */
    void requestCommit() {
        context().commit();
    }

    boolean hasUnappliedResults() {
        return taken != null;
    }

    int pendingSteps() {
        return pending.steps();
    }

    long oldestPending() {
        return pending.oldestReceivedAt();
    }

    /**
     * This task's pending events as per-key work, with each key's state as read from this task's store; they stay
     * pending (and the store unchanged) until this task applies the results.
     */
    List<KeyWork> takeWork() {
        Map<String, List<PendingEvent>> byKey = new LinkedHashMap<>();
        for (PendingEvent event : pending.events()) {
            byKey.computeIfAbsent(event.key(), k -> new ArrayList<>()).add(event);
        }
        taken = new ArrayList<>(byKey.size());
        for (Map.Entry<String, List<PendingEvent>> key : byKey.entrySet()) {
            KeyWork work = new KeyWork(key.getKey(), working.get(key.getKey()), key.getValue());
            work.skipEmptyEvents();
            taken.add(work);
        }
        return taken;
    }

    /**
     * Emits what the last round computed for this task, if anything, writes its keys' states and clears their
     * events; only in this task's own processing or punctuation.
     */
    void applyComputed() {
        if (taken == null) {
            return;
        }
        for (KeyWork key : taken) {
            if (key.migration != null) {
                metrics.stateMigrated(batchers.migration().label(), key.migration);
            }
            for (KeyWork.TokenResult token : key.tokens) {
                emitScore(key.key, token);
                if (token.ended() != null) {
                    emitSummary(key.key, token.ended(), token.verdict(), SummaryReason.END,
                            token.event().timestamp());
                }
            }
            // a null state deletes the key (put(k, null) is delete(k) without reading the old state back)
            states.put(key.key, key.state);
        }
        pending.clear();
        working.clear();
        openInPending.clear();
        taken = null;
        batcher.applied(this);
    }

    private void emitScore(String key, KeyWork.TokenResult token) {
        var score = token.score();
        List<Prediction> predictions = new ArrayList<>(score.topTokens().length);
        for (int i = 0; i < score.topTokens().length; i++) {
            predictions.add(new Prediction(token.vocabulary().token(score.topTokens()[i]),
                    (double) score.topProbabilities()[i]));
        }
        boolean unknown = score.tokenId() == Vocabulary.UNK_ID && !Vocabulary.UNK.equals(token.token());
        PendingEvent event = token.event();
        Score out = new Score(key, token.position(), token.token(), score.tokenId(), unknown, score.probability(),
                score.surprisal(), score.rank(), predictions, score.anomaly(), options.topG(), token.model(),
                event.partition(), event.offset(), Instant.ofEpochMilli(event.timestamp()), token.calibratedScore());
        Record<String, SpecificRecord> record = new Record<>(key, out, event.timestamp());
        context().forward(record, outputs.scoresSink());
        metrics.eventToScore(System.currentTimeMillis() - event.timestamp());
        if (score.anomaly() && outputs.anomaliesSink() != null) {
            context().forward(record, outputs.anomaliesSink());
        }
        metrics.scored(token.model(), score.anomaly());
    }

    private void emitSummary(String key, KeyState state, SessionVerdict verdict, SummaryReason reason,
                             long timestamp) {
        metrics.sequenceClosed(reason.name().toLowerCase(Locale.ROOT));
        if (outputs.summariesSink() != null) {
            context().forward(new Record<>(key, summaryOf(key, state, verdict, reason), timestamp),
                    outputs.summariesSink());
        }
    }

    private static SequenceSummary summaryOf(String key, KeyState state, SessionVerdict verdict,
                                             SummaryReason reason) {
        return new SequenceSummary(key, reason, state.tokens(), state.meanSurprisal(), state.surprisalMax(),
                Math.exp(state.meanSurprisal()), state.anomalies(), state.model(),
                Instant.ofEpochMilli(state.firstEventTime()), Instant.ofEpochMilli(state.lastEventTime()),
                verdict.anomalous(), verdict.rule(), verdict.maxCalibrated());
    }

    /**
     * Reads the next slice of the scan under way (a scan starts every {@code state.expiry-scan-interval.ms}) and
     * expires the keys idle longer than {@code state.ttl.ms}: a summary, then the state deleted. A slice every
     * {@value #EXPIRY_SLICE_MS} ms reads the task's keys (RocksDB's estimate) spread over the interval, at least
     * {@value #EXPIRY_SLICE_MIN_KEYS}: read in one go, the 250,000 large-model states of one task of a million keys
     * stopped the stream thread for 2.4 to 5.2 s; in slices, for milliseconds at a time, for the same work.
     */
    private void expireIdleKeys(long now) {
        if (expiryScan == null) {
            if (now < nextExpiryScan) {
                return;
            }
            long slices = Math.max(1, options.expiryScanMs() / EXPIRY_SLICE_MS);
            long keys = states.approximateNumEntries();
            expiryScan = new ExpiryScan(now, Math.max(EXPIRY_SLICE_MIN_KEYS, (keys + slices - 1) / slices));
            nextExpiryScan = now + options.expiryScanMs();
        }
        long started = System.nanoTime();
        applyComputed();
        Set<String> waiting = new HashSet<>();
        pending.events().forEach(e -> waiting.add(e.key()));
        List<KeyValue<String, KeyState>> expired = new ArrayList<>();
        ExpiryScan scan = expiryScan;
        try (KeyValueIterator<String, KeyState> keys = scan.from == null ? states.all() : states.range(scan.from, null)) {
            long read = 0;
            while (read < scan.sliceKeys && keys.hasNext()) {
                KeyValue<String, KeyState> entry = keys.next();
                read++;
                if (now - entry.value.lastSeenAt() > options.ttlMs() && !waiting.contains(entry.key)) {
                    expired.add(entry);
                }
            }
            scan.read += read;
            scan.from = keys.hasNext() ? keys.peekNextKey() : null;
        }
        for (KeyValue<String, KeyState> entry : expired) {
            // An expired sequence never reached its end: it is judged without its bag.
            SessionVerdict verdict = SessionVerdict.of(entry.value, batcher.calibration(), false);
            emitSummary(entry.key, entry.value, verdict, SummaryReason.EXPIRED,
                    Math.max(now, entry.value.lastEventTime()));
            states.put(entry.key, null);
        }
        scan.expired += expired.size();
        scan.slices++;
        long took = System.nanoTime() - started;
        scan.busyNanos += took;
        scan.longestSliceNanos = Math.max(scan.longestSliceNanos, took);
        if (scan.from == null) {
            expiryScan = null;
            log.debug("Scanned {} keys of task {} for idle ones in {} ms of the stream thread's time over {} slices "
                            + "(longest {} ms) and {} ms of wall clock: {} expired", scan.read, context().taskId(),
                    scan.busyNanos / 1_000_000, scan.slices, scan.longestSliceNanos / 1_000_000,
                    now - scan.startedAt, scan.expired);
        }
    }

    @Override
    public void close() {
        // Anything computed but not applied stays in the pending store and is recomputed by the next owner.
        batchers.leave(this);
    }
}
