package io.seqstream.app.config;

import io.seqstream.app.state.BlobFiles;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/** Turns a {@link SeqstreamConfig} into Kafka Streams properties. */
public final class StreamsSettings {
    /**
     * Kafka Streams' own commit interval for the scoring application, in {@code commit.interval.ms}: long, because
     * a commit Kafka Streams times itself comes on top of the grid's (its clock ignores commits a processor asked
     * for), and still there for what has no punctuator (standby tasks, restoration's checkpoints).
     */
    public static final long FALLBACK_COMMIT_FACTOR = 10;

    /**
     * Kafka Streams' transaction timeout under exactly-once, unless {@code producer.transaction.timeout.ms} sets one.
     */
    static final long EOS_TRANSACTION_TIMEOUT_MS = 10_000;

    private StreamsSettings() {
    }

    public static Properties build(SeqstreamConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.string(Setting.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.string(Setting.BOOTSTRAP_SERVERS));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.string(Setting.PROCESSING_GUARANTEE));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.integer(Setting.STREAM_THREADS));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.longValue(Setting.COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // Kafka 4.3 asks for this now and will default to it in 5.0; seqstream has no global stores.
        props.put("processing.exception.handler.global.enabled", true);
        // Where other instances reach this one's /keys/{key}: Kafka Streams hands it out with the key metadata.
        config.httpAdvertisedAddress().ifPresent(address -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, address));
        if (config.bool(Setting.STATE_BLOB_FILES)) {
            // kafka.rocksdb.config.setter, below, replaces it
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BlobFiles.class);
        }
        props.putAll(config.kafkaOverrides());
        return props;
    }

    /**
     * The scoring application's properties: {@link #build}, with Kafka Streams' own commit interval at
     * {@link #FALLBACK_COMMIT_FACTOR} times {@code commit.interval.ms} unless {@code kafka.commit.interval.ms} sets
     * it, but no longer than the producer's transaction timeout ({@code kafka.producer.transaction.timeout.ms}, 10 s
     * unless set), which Kafka Streams refuses to start below its commit interval, and never shorter than
     * {@code commit.interval.ms}. The scoring processors ask for a commit in every {@code commit.interval.ms} of the
     * wall clock; Kafka Streams' own interval, which counts from the end of the last commit, stays as a fallback.
     */
    public static Properties scoring(SeqstreamConfig config) {
        Properties props = build(config);
        if (!config.kafkaOverrides().containsKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)) {
            long interval = config.longValue(Setting.COMMIT_INTERVAL_MS);
            long fallback = FALLBACK_COMMIT_FACTOR * interval;
            // read as Kafka Streams' own check reads it: producer.transaction.timeout.ms, else its 10 s default
            Object timeout = props.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
            long timeoutMs = timeout == null ? EOS_TRANSACTION_TIMEOUT_MS : Long.parseLong(timeout.toString());
            fallback = Math.min(fallback, timeoutMs);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(interval, fallback));
        }
        return props;
    }
}
