package io.seqstream.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.model.ModelStore;
import io.seqstream.sidecar.ModelAnnouncements;
import java.util.LinkedHashMap;
import java.util.Map;

/** The model store and the models topic as the settings describe them. */
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
