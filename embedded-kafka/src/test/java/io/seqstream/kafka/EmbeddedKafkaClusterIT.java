package io.seqstream.kafka;

import static io.seqstream.kafka.KafkaRecords.inTransaction;
import static io.seqstream.kafka.KafkaRecords.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterIT {

    private static final int RECORDS = 1_000;

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaCluster.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void shouldDeliverEveryCommittedRecordExactlyOnceToReadCommittedConsumer() {
        kafka.createTopics(3, "committed");

        inTransaction(kafka.bootstrapServers(), true, producer -> IntStream.range(0, RECORDS)
                .forEach(i -> producer.send(new ProducerRecord<>("committed", "key-" + i % 17, "value-" + i))));

        List<ConsumerRecord<String, String>> records = readAll(kafka.bootstrapServers(), "committed", IsolationLevel.READ_COMMITTED);
        assertThat(records).hasSize(RECORDS);
        assertThat(records).extracting(ConsumerRecord::value).doesNotHaveDuplicates();
    }

    @Test
    void shouldHideAbortedTransactionFromReadCommittedConsumer() {
        kafka.createTopics(2, "aborted");

        // tx 1: 10 records, abort; tx 2: 5 records, commit
        inTransaction(kafka.bootstrapServers(), false, producer -> IntStream.range(0, 10)
                .forEach(i -> producer.send(new ProducerRecord<>("aborted", "k" + i, "aborted-" + i))));
        inTransaction(kafka.bootstrapServers(), true, producer -> IntStream.range(0, 5)
                .forEach(i -> producer.send(new ProducerRecord<>("aborted", "k" + i, "committed-" + i))));

        assertThat(readAll(kafka.bootstrapServers(), "aborted", IsolationLevel.READ_COMMITTED))
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
        assertThat(readAll(kafka.bootstrapServers(), "aborted", IsolationLevel.READ_UNCOMMITTED))
                .as("the aborted records were written, only hidden")
                .hasSize(15);
    }

    @Test
    void shouldLeaveExistingTopicsAsTheyAre() throws Exception {
        kafka.createTopics(2, "existing");
        kafka.createTopics(5, "existing", "new-beside-existing");

        try (Admin admin = admin(kafka)) {
            var topics = admin.describeTopics(Set.of("existing", "new-beside-existing")).allTopicNames().get();
            assertThat(topics.get("existing").partitions()).hasSize(2);
            assertThat(topics.get("new-beside-existing").partitions()).hasSize(5);
        }
    }

    @Test
    void shouldRunAtTheLatestProductionFeatureLevels() throws Exception {
        try (Admin admin = admin(kafka)) {
            Map<String, FinalizedVersionRange> features = admin.describeFeatures().featureMetadata().get().finalizedFeatures();
            assertThat(features.get("transaction.version").maxVersionLevel())
                    .as("transactions v2 (KIP-890), as on a freshly formatted production broker")
                    .isGreaterThanOrEqualTo((short) 2);
        }
    }

    @Test
    void shouldKeepGivenDataDirectoryAndApplyBrokerProperties(@TempDir Path parent) throws Exception {
        Path dataDirectory = parent.resolve("kafka-data");

        try (EmbeddedKafkaCluster custom = EmbeddedKafkaCluster.builder()
                .dataDirectory(dataDirectory)
                .brokerProperty("auto.create.topics.enable", false)
                .start()) {
            try (Admin admin = admin(custom)) {
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
                Config config = admin.describeConfigs(Set.of(broker)).all().get().get(broker);
                assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            }
        }

        assertThat(dataDirectory).isNotEmptyDirectory();
        assertThatThrownBy(() -> EmbeddedKafkaCluster.start(dataDirectory, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty");
    }

    @Test
    void shouldDeleteItsTemporaryDataOnClose() {
        EmbeddedKafkaCluster temporary = EmbeddedKafkaCluster.start();
        Path dataDirectory = temporary.dataDirectory();
        assertThat(dataDirectory).isNotEmptyDirectory();

        temporary.close();
        temporary.close();

        assertThat(Files.exists(dataDirectory)).isFalse();
    }

    @Test
    void shouldRejectSettingsTheClusterOwns() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().brokerProperty("listeners", "PLAINTEXT://localhost:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listeners");
    }

    private static Admin admin(EmbeddedKafkaCluster cluster) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }
}
