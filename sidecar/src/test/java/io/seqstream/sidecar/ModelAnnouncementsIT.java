package io.seqstream.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModelAnnouncementsIT {
    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ModelAnnouncements announcements;

    @BeforeEach
    void createTopic() {
        announcements = new ModelAnnouncements(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                kafka.uniqueName("models"), registry);
        announcements.ensureTopic();
    }

    static ModelAnnouncement announcement(String name, String version, String action) {
        return ModelAnnouncement.newBuilder()
                .setName(name).setVersion(version).setUri("file:///models/" + name + "/" + version)
                .setManifestSha256("ab".repeat(32)).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setVocabularyKind("id").setMetrics(Map.of("validation_loss", 0.5))
                .setAction(action).setForced(version.equals("2")).setGate(version.equals("2") ? "skipped (--force)" : null)
                .setAnnouncedAt(Instant.ofEpochMilli(1_700_000_100_000L))
                .build();
    }

    @Test
    void shouldCreateACompactedSinglePartitionTopicAndLeaveAnExistingOneAlone() throws Exception {
        announcements.ensureTopic();

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var description = admin.describeTopics(java.util.List.of(announcements.topic())).allTopicNames().get()
                    .get(announcements.topic());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, announcements.topic());
            ConfigEntry policy = admin.describeConfigs(java.util.List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            assertThat(description.partitions()).hasSize(1);
            assertThat(policy.value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    /** A race that shows under load (RollbackIT met it): this probes it a few times, it cannot force it. */
    @Test
    void shouldFindATopicRightAfterCreatingIt() {
        for (int i = 0; i < 5; i++) {
            ModelAnnouncements fresh = new ModelAnnouncements(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    kafka.uniqueName("models"), new SimpleMeterRegistry());
            fresh.ensureTopic();

            assertThat(fresh.history("m")).as("history of a new topic %s", fresh.topic()).isEmpty();
        }
    }

    @Test
    void shouldRoundTripAnnouncementsAndReturnTheLatestPerName() {
        announcements.announce(announcement("hdfs", "1", ModelAnnouncements.PUBLISH));
        announcements.announce(announcement("other", "7", ModelAnnouncements.PUBLISH));
        announcements.announce(announcement("hdfs", "2", ModelAnnouncements.PUBLISH));
        announcements.announce(announcement("hdfs", "1", ModelAnnouncements.ROLLBACK));

        assertThat(announcements.latest("hdfs")).contains(announcement("hdfs", "1", ModelAnnouncements.ROLLBACK));
        assertThat(announcements.latest("other").orElseThrow().getVersion()).isEqualTo("7");
        assertThat(announcements.latest("missing")).isEmpty();
        assertThat(announcements.history("hdfs")).extracting(ModelAnnouncement::getVersion)
                .containsExactly("1", "2", "1");
        assertThat(announcements.history("hdfs").get(1)).isEqualTo(announcement("hdfs", "2", "publish"));
    }

    @Test
    void shouldSkipAndCountMalformedRecordsWithoutFailing() {
        announcements.announce(announcement("hdfs", "1", ModelAnnouncements.PUBLISH));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, "hdfs", "{not json");
            // (a record without a key cannot be written: a compacted topic refuses it)
            send(producer, "hdfs", new String(SchemaJson.writeBytes(announcement("other", "5", "publish")),
                    StandardCharsets.UTF_8));
            send(producer, "hdfs", new String(SchemaJson.writeBytes(announcement("hdfs", "6", "promote")),
                    StandardCharsets.UTF_8));
            producer.flush();
        }

        assertThat(announcements.latest("hdfs").orElseThrow().getVersion()).isEqualTo("1");
        assertThat(malformed("unreadable")).isEqualTo(2.0);
        assertThat(malformed("key-mismatch")).isEqualTo(1.0);
    }

    @Test
    void shouldForgetAnnouncementsBeforeATombstone() {
        announcements.announce(announcement("hdfs", "1", ModelAnnouncements.PUBLISH));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, "hdfs", null);
            producer.flush();
        }

        assertThat(announcements.latest("hdfs")).isEmpty();
        assertThat(registry.find(SidecarMetrics.MALFORMED_ANNOUNCEMENTS).counters()).isEmpty();
    }

    private double malformed(String reason) {
        var counter = registry.find(SidecarMetrics.MALFORMED_ANNOUNCEMENTS).tag(SidecarMetrics.TAG_REASON, reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(announcements.topic(), key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
