package io.seqstream.bench;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The end-to-end baseline: the least a stateful per-key topology can do. Counts the events of each key in a
 * persistent, changelogged store (configured like the scoring topology's state store) and forwards every
 * updated count:
 * <pre>
 * events ─▶ count ─▶ counts
 * </pre>
 * Scoring's throughput is reported as a fraction of this one's, measured in the same run.
 */
final class CountTopology {
    static final String SOURCE = "count-events-source";
    static final String COUNT_PROCESSOR = "count";
    static final String SINK = "counts-sink";
    /** Key: sequence id. Value: events seen. Changelogged. */
    static final String STORE = "event-counts";

    private CountTopology() {
    }

    static Topology build(String eventsTopic, String countsTopic) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), eventsTopic);
        topology.addProcessor(COUNT_PROCESSOR, CountProcessor::new, SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled(), COUNT_PROCESSOR);
        topology.addSink(SINK, countsTopic, new StringSerializer(), new LongSerializer(), COUNT_PROCESSOR);
        return topology;
    }

    /** Adds one to the key's count and forwards the new count. */
    static final class CountProcessor extends ContextualProcessor<byte[], byte[], String, Long> {
        /** Key: sequence id. Value: events seen. */
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            super.init(context);
            counts = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            Long previous = counts.get(key);
            long count = previous == null ? 1 : previous + 1;
            counts.put(key, count);
            context().forward(record.withKey(key).withValue(count));
        }
    }
}
