package io.seqstream.app.topology;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.state.KeyStateSerde;
import io.seqstream.app.state.PendingEventSerde;
import io.seqstream.app.model.ActiveModel;
import java.util.List;
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
 *                  ├─▶ score-shadow ─▶ scores-shadow   (only with model.shadow: own state stores)
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
    /** The shadow model's scoring processor, sink and stores (only with {@code model.shadow}). */
    public static final String SHADOW_PROCESSOR = "score-shadow";
    public static final String SHADOW_SCORES_SINK = "scores-shadow-sink";
    public static final String SHADOW_STATE_STORE = "shadow-sequence-state";
    public static final String SHADOW_PENDING_STORE = "shadow-pending-events";

    private ScoringTopology() {
    }

    /** Where one scoring processor keeps its state and sends its output; a null sink drops that output. */
    record Outputs(String stateStore, String pendingStore, String scoresSink, String anomaliesSink,
                   String summariesSink) {
    }

    static final Outputs SERVED = new Outputs(STATE_STORE, PENDING_STORE, SCORES_SINK, ANOMALIES_SINK, SUMMARIES_SINK);
    static final Outputs SHADOW = new Outputs(SHADOW_STATE_STORE, SHADOW_PENDING_STORE, SHADOW_SCORES_SINK, null, null);

    /** The topology serving {@code models}, without a shadow model. */
    public static Topology build(SeqstreamConfig config, ActiveModel models, SeqstreamMetrics metrics) {
        return build(config, models, null, metrics);
    }

    /**
     * @param models the served model; stream threads switch to a newly activated version between two rounds
     * @param shadow a candidate that scores the same events into the shadow scores topic with its own state, or
     *               null for none
     */
    public static Topology build(SeqstreamConfig config, ActiveModel models, ActiveModel shadow,
                                 SeqstreamMetrics metrics) {
        Topics topics = Topics.from(config);
        ScoringOptions options = ScoringOptions.from(config);
        Topology topology = new Topology(new TopologyConfig(new StreamsConfig(StreamsSettings.build(config))));
        topology.addSource(SOURCE, topics.events().keySerde().deserializer(),
                topics.events().valueSerde().deserializer(), topics.events().name());
        List<String> scorers = shadow == null ? List.of(SCORE_PROCESSOR) : List.of(SCORE_PROCESSOR, SHADOW_PROCESSOR);
        topology.addProcessor(PARSE_PROCESSOR, () -> new ParseProcessor(newParser(config, models), metrics, scorers),
                SOURCE);
        addScoring(topology, config, options, SCORE_PROCESSOR, SERVED, models, metrics);
        topology.addSink(SCORES_SINK, topics.scores().name(), topics.scores().keySerde().serializer(),
                topics.scores().valueSerde().serializer(), SCORE_PROCESSOR);
        topology.addSink(ANOMALIES_SINK, topics.anomalies().name(), topics.anomalies().keySerde().serializer(),
                topics.anomalies().valueSerde().serializer(), SCORE_PROCESSOR);
        topology.addSink(SUMMARIES_SINK, topics.summaries().name(), topics.summaries().keySerde().serializer(),
                topics.summaries().valueSerde().serializer(), SCORE_PROCESSOR);
        if (shadow != null) {
            addScoring(topology, config, options, SHADOW_PROCESSOR, SHADOW, shadow,
                    new SeqstreamMetrics(metrics.registry(), "shadow"));
            topology.addSink(SHADOW_SCORES_SINK, topics.shadowScores().name(),
                    topics.shadowScores().keySerde().serializer(), topics.shadowScores().valueSerde().serializer(),
                    SHADOW_PROCESSOR);
        }
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter().name(), topics.deadLetter().keySerde().serializer(),
                topics.deadLetter().valueSerde().serializer(), PARSE_PROCESSOR);
        return topology;
    }

    private static void addScoring(Topology topology, SeqstreamConfig config, ScoringOptions options, String name,
                                   Outputs outputs, ActiveModel models, SeqstreamMetrics metrics) {
        ThreadBatcher.Registry batchers = new ThreadBatcher.Registry(models, metrics, options);
        topology.addProcessor(name, () -> new ScoringProcessor(batchers, options, outputs, metrics), PARSE_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(outputs.stateStore()),
                Serdes.String(), new KeyStateSerde(config.compactState(), options.replayTokens())).withCachingEnabled(), name);
        if (options.batching()) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(outputs.pendingStore()),
                    Serdes.Long(), new PendingEventSerde()).withCachingEnabled(), name);
        }
    }

    /** Splits input by the vocabulary of the version active when the processor starts (a swap never changes it). */
    private static EventParser newParser(SeqstreamConfig config, ActiveModel models) {
        return new EventParser(config.inputFormat(), models.current().model().vocabulary(),
                config.integer(Setting.INPUT_MAX_VALUE_BYTES), config.integer(Setting.INPUT_MAX_TOKENS));
    }
}
