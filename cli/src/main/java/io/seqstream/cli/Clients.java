package io.seqstream.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.model.ModelStore;
import io.seqstream.sidecar.ModelAnnouncements;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The model store, the models topic and plain Kafka clients as the settings describe them. */
final class Clients {
    private Clients() {
    }

    /** The store of {@code model.store}, with the {@code model.store.s3.*} options. */
    static ModelStore store(SeqstreamConfig config) {
        return ModelStore.open(config.modelStoreUri(), config.modelStoreOptions());
    }

    /** Kafka client properties: {@code bootstrap.servers} and every {@code kafka.*} setting. */
    static Map<String, Object> kafka(SeqstreamConfig config) {
        Map<String, Object> props = new LinkedHashMap<>(config.kafkaOverrides());
        props.put("bootstrap.servers", config.string(Setting.BOOTSTRAP_SERVERS));
        return props;
    }

    /** A consumer of committed output only ({@code read_committed}, no offsets committed), assigned by the caller. */
    static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, Map<String, String> overrides) {
        Properties props = new Properties();
        props.putAll(overrides);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A producer of string records (keys and JSON or text values), batching for {@code lingerMs}. */
    static KafkaProducer<String, String> stringProducer(String bootstrap, Map<String, String> overrides,
                                                        int lingerMs, int batchBytes) {
        Properties props = new Properties();
        props.putAll(overrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        if (batchBytes > 0) {
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        }
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    static ModelAnnouncements announcements(SeqstreamConfig config, MeterRegistry registry) {
        return new ModelAnnouncements(kafka(config), config.string(Setting.MODELS_TOPIC), registry);
    }

    static double fraction(SeqstreamConfig config, Setting setting) {
        try {
            double value = Double.parseDouble(config.string(setting));
            if (!(value >= 0)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting.key() + " must be a number >= 0, got '" + config.string(setting)
                    + "'", e);
        }
    }
}
