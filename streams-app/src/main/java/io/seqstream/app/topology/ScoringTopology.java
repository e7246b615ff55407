package io.seqstream.app.topology;

import io.seqstream.engine.KeyState;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.engine.StepEngines;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.state.KeyStateSerde;
import io.seqstream.app.state.PendingEventSerde;
import io.seqstream.model.LoadedModel;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the scoring topology:
 * <pre>
 * events ─▶ parse ─┬─▶ score ─┬─▶ scores        (score: sequence-state and, when batching, pending-events)
 *                  │          ├─▶ anomalies
 *                  │          └─▶ summaries
 *                  └─▶ events-dlq
 * </pre>
 * Every node and the state store are named: the names are part of a running deployment's identity
 * (internal topics, state directories), so renaming one is a breaking change.
 */
public final class ScoringTopology {
    public static final String SOURCE = "events-source";
    public static final String PARSE_PROCESSOR = "parse";
    public static final String SCORE_PROCESSOR = "score";
    public static final String SCORES_SINK = "scores-sink";
    public static final String ANOMALIES_SINK = "anomalies-sink";
    public static final String SUMMARIES_SINK = "summaries-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    /** Key: sequence id. Value: {@link io.seqstream.engine.KeyState}. Changelogged. */
    public static final String STATE_STORE = "sequence-state";
    /** Key: arrival sequence number. Value: {@link io.seqstream.app.state.PendingEvent}. Changelogged. */
    public static final String PENDING_STORE = "pending-events";

    private ScoringTopology() {
    }

    /**
     * @param model the model to score with; read when each processor starts
     */
    public static Topology build(SeqstreamConfig config, Supplier<LoadedModel> model, SeqstreamMetrics metrics) {
        Topics topics = Topics.from(config);
        ScoringOptions options = ScoringOptions.from(config);
        Topology topology = new Topology(new TopologyConfig(new StreamsConfig(StreamsSettings.build(config))));
        topology.addSource(SOURCE, topics.events().keySerde().deserializer(),
                topics.events().valueSerde().deserializer(), topics.events().name());
        topology.addProcessor(PARSE_PROCESSOR, () -> new ParseProcessor(newParser(config, model), metrics), SOURCE);
        ThreadBatcher.Registry batchers = new ThreadBatcher.Registry(
                () -> StepEngines.create(model.get(), options.engine()), metrics, options.maxBatchSize());
        topology.addProcessor(SCORE_PROCESSOR,
                () -> new ScoringProcessor(batchers, model.get().vocabulary(), options, metrics), PARSE_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), new KeyStateSerde(config.compactState())).withCachingEnabled(), SCORE_PROCESSOR);
        if (options.batching()) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
                    Serdes.Long(), new PendingEventSerde()).withCachingEnabled(), SCORE_PROCESSOR);
        }
        topology.addSink(SCORES_SINK, topics.scores().name(), topics.scores().keySerde().serializer(),
                topics.scores().valueSerde().serializer(), SCORE_PROCESSOR);
        topology.addSink(ANOMALIES_SINK, topics.anomalies().name(), topics.anomalies().keySerde().serializer(),
                topics.anomalies().valueSerde().serializer(), SCORE_PROCESSOR);
        topology.addSink(SUMMARIES_SINK, topics.summaries().name(), topics.summaries().keySerde().serializer(),
                topics.summaries().valueSerde().serializer(), SCORE_PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter().name(), topics.deadLetter().keySerde().serializer(),
                topics.deadLetter().valueSerde().serializer(), PARSE_PROCESSOR);
        return topology;
    }

    private static EventParser newParser(SeqstreamConfig config, Supplier<LoadedModel> model) {
        return new EventParser(config.inputFormat(), model.get().vocabulary(),
                config.integer(Setting.INPUT_MAX_VALUE_BYTES), config.integer(Setting.INPUT_MAX_TOKENS));
    }
}
