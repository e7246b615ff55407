package io.seqstream.sidecar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.ModelAnnouncement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models topic: a compacted topic whose record per model name (key, UTF-8) is a {@link ModelAnnouncement} as
 * JSON ({@link SchemaJson}, so {@code kcat} shows it), saying which version of that model is to be active.
 *
 * <p>Reading is group-less (partitions assigned, from the beginning: on a compacted topic the whole topic is the
 * state). A record that is not a valid announcement (no key, unparsable JSON, a key that is not the record's
 * name) is logged with its topic, partition and offset, counted in
 * {@value SidecarMetrics#MALFORMED_ANNOUNCEMENTS} and skipped: it is never fatal. A tombstone (null value)
 * withdraws the name's announcements.
 *
 * <p>Not thread-safe; each call opens its own short-lived client.
 */
public final class ModelAnnouncements {
    public static final String PUBLISH = "publish";
    public static final String ROLLBACK = "rollback";
    /** Compaction keeps at least this much history, so that {@code rollback} finds the previously active version. */
    static final Duration MIN_COMPACTION_LAG = Duration.ofDays(7);
    /** How long {@link #ensureTopic()} waits for a topic it created to show in the brokers' metadata. */
    static final Duration TOPIC_VISIBLE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(ModelAnnouncements.class);

    private final Map<String, Object> kafka;
    private final String topic;
    private final MeterRegistry registry;

    /**
     * @param kafka Kafka client properties; must hold {@code bootstrap.servers}
     */
    public ModelAnnouncements(Map<String, ?> kafka, String topic, MeterRegistry registry) {
        if (!kafka.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("Kafka properties without bootstrap.servers");
        }
        this.kafka = Map.copyOf(kafka);
        this.topic = topic;
        this.registry = registry;
    }

    public String topic() {
        return topic;
    }

    /** Creates the topic (1 partition, compacted) unless it exists. */
    public void ensureTopic() {
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            NewTopic spec = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(MIN_COMPACTION_LAG.toMillis())));
            admin.createTopics(List.of(spec)).all().get();
            awaitVisible(admin);
            log.info("Created the compacted models topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("Cannot create the models topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while creating " + topic, e);
        }
    }

    /**
     * Waits until the metadata a broker serves names the newly created topic: the controller acknowledges the
     * creation before the brokers' metadata caches have it, and a consumer asking for its partitions in between
     * would be told that it does not exist.
     */
    private void awaitVisible(Admin admin) throws InterruptedException {
        long deadline = System.nanoTime() + TOPIC_VISIBLE_TIMEOUT.toNanos();
        while (true) {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new KafkaException("Created the models topic " + topic + " but it is not visible: "
                            + e.getCause(), e.getCause());
                }
                Thread.sleep(50);
            }
        }
    }

    /** An announcement of a stored version, built from its manifest and the store's URI and manifest SHA-256. */
    public static ModelAnnouncement of(ModelStore store, ModelRef ref, String action, boolean forced, String gate)
            throws ModelException {
        ModelManifest manifest = store.manifest(ref);
        return ModelAnnouncement.newBuilder()
                .setName(manifest.name())
                .setVersion(manifest.version())
                .setUri(store.versionUri(manifest.ref()))
                .setManifestSha256(store.manifestSha256(manifest.ref()))
                .setCreatedAt(manifest.createdAt() == null ? Instant.EPOCH : manifest.createdAt())
                .setVocabularyKind(manifest.vocabulary().kind().label())
                .setMetrics(new LinkedHashMap<>(manifest.metrics()))
                .setAction(action)
                .setForced(forced)
                .setGate(gate)
                .setAnnouncedAt(Instant.now())
                .build();
    }

    /** Writes an announcement (key = its name) and waits for the broker to acknowledge it. */
    public void announce(ModelAnnouncement announcement) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, announcement.getName().getBytes(StandardCharsets.UTF_8),
                    SchemaJson.writeBytes(announcement))).get();
            log.info("Announced {}@{} ({}) on {}", announcement.getName(), announcement.getVersion(),
                    announcement.getAction(), topic);
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot write to " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while writing to " + topic, e);
        }
    }

    /** The newest valid announcement of {@code name}, reading the topic to its current end. */
    public Optional<ModelAnnouncement> latest(String name) {
        List<ModelAnnouncement> history = history(name);
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    /**
     * The valid announcements of {@code name} still on the topic, oldest first, reading it to its current end.
     * Compaction eventually keeps only the newest one per name (not before {@link #MIN_COMPACTION_LAG} on a
     * topic made by {@link #ensureTopic()}); a tombstone clears what came before it.
     */
    public List<ModelAnnouncement> history(String name) {
        List<ModelAnnouncement> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (!reachedEnd(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null && record.key() != null
                            && name.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        out.clear();
                        continue;
                    }
                    parse(record, registry).filter(a -> a.getName().equals(name)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** A group-less consumer of raw bytes, committed data only, that commits nothing. */
    static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Assigns every partition of the topic, from the beginning; fails if the topic does not exist. */
    static List<TopicPartition> assignFromBeginning(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new KafkaException("The models topic " + topic + " does not exist (seqstream publish creates it)");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The announcement a record holds, or empty (logged and counted) when it holds none. Tombstones are empty
     * without a warning.
     */
    static Optional<ModelAnnouncement> parse(ConsumerRecord<byte[], byte[]> record, MeterRegistry registry) {
        if (record.value() == null) {
            return Optional.empty();
        }
        if (record.key() == null) {
            return malformed(record, "no-key", "the record has no key (the model name)", registry);
        }
        ModelAnnouncement announcement;
        try {
            announcement = SchemaJson.read(record.value(), ModelAnnouncement.class);
        } catch (IOException | RuntimeException e) {
            return malformed(record, "unreadable", "not a ModelAnnouncement: " + e.getMessage().lines().findFirst()
                    .orElse(""), registry);
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (!key.equals(announcement.getName())) {
            return malformed(record, "key-mismatch", "key '" + key + "' but the announcement names '"
                    + announcement.getName() + "'", registry);
        }
        if (!announcement.getAction().equals(PUBLISH) && !announcement.getAction().equals(ROLLBACK)) {
            return malformed(record, "unreadable", "unknown action '" + announcement.getAction() + "'", registry);
        }
        try {
            ModelRef.of(announcement.getName(), announcement.getVersion());
        } catch (IllegalArgumentException e) {
            return malformed(record, "unreadable", e.getMessage(), registry);
        }
        return Optional.of(announcement);
    }

    private static Optional<ModelAnnouncement> malformed(ConsumerRecord<?, ?> record, String reason, String why,
            MeterRegistry registry) {
        log.warn("Skipping malformed record on the models topic {}-{} at offset {}: {}", record.topic(),
                record.partition(), record.offset(), why);
        Counter.builder(SidecarMetrics.MALFORMED_ANNOUNCEMENTS).tag(SidecarMetrics.TAG_REASON, reason)
                .description("Records on the models topic that are not valid announcements").register(registry)
                .increment();
        return Optional.empty();
    }
}
