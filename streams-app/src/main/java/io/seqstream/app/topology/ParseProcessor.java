package io.seqstream.app.topology;

import io.seqstream.app.input.BadRecordException;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses raw input records. A good record goes on to scoring as {@code (sequence id, ParsedEvent)}; a bad one
 * goes, unchanged and with its reason in headers, to the dead-letter sink. Never throws for bad input.
 */
final class ParseProcessor extends ContextualProcessor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(ParseProcessor.class);

    private final EventParser parser;
    private final SeqstreamMetrics metrics;
    private final List<String> scorers;

    /** @param scorers the scoring processors every good record goes to (the served model's, and a shadow's) */
    ParseProcessor(EventParser parser, SeqstreamMetrics metrics, List<String> scorers) {
        this.parser = parser;
        this.metrics = metrics;
        this.scorers = List.copyOf(scorers);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            String key = parser.parseKey(record.key());
            ParsedEvent event = parser.parseValue(record.value());
            Record<Object, Object> parsed = record.withKey((Object) key).withValue(event);
            for (String scorer : scorers) {
                context().forward(parsed, scorer);
            }
        } catch (BadRecordException e) {
            deadLetter(record, e);
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, BadRecordException e) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        log.warn("Dead-lettering record {}-{}@{}: {} ({})", source.topic(), source.partition(), source.offset(),
                e.reason(), e.getMessage());
        metrics.deadLettered(e.reason());
        Record<byte[], byte[]> dead = DeadLetters.of(record, source, e.reason(), e.getMessage());
        context().forward(dead.withKey((Object) dead.key()).withValue(dead.value()), ScoringTopology.DEAD_LETTER_SINK);
    }
}
