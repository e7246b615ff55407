package io.seqstream.kafka;

import static io.seqstream.kafka.KafkaRecords.inTransaction;
import static io.seqstream.kafka.KafkaRecords.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keepData} and {@code port}: a broker that a user stops and starts again, as {@code seqstream broker} does. */
class EmbeddedKafkaClusterRestartIT {

    @Test
    void shouldKeepTopicsRecordsAndCommittedOffsetsAcrossARestartOnTheSameDirectoryAndPort(@TempDir Path parent)
            throws Exception {
        Path data = parent.resolve("kafka");
        int port = freePort();
        TopicPartition partition = new TopicPartition("kept", 0);
        String clusterId;

        // run 1: format, 2 partitions, 20 committed records, group "reader" commits offset 7 on kept-0, stop
        try (EmbeddedKafkaCluster first = EmbeddedKafkaCluster.builder().keepData(data).port(port).start()) {
            assertThat(first.restarted()).isFalse();
            assertThat(first.bootstrapServers()).isEqualTo("localhost:" + port);
            clusterId = first.clusterId();
            first.createTopics(2, "kept");
            inTransaction(first.bootstrapServers(), true, producer -> IntStream.range(0, 20)
                    .forEach(i -> producer.send(new ProducerRecord<>("kept", "k" + i, "v" + i))));
            try (Admin admin = admin(first)) {
                admin.alterConsumerGroupOffsets("reader", Map.of(partition, new OffsetAndMetadata(7))).all().get();
            }
        }

        // run 2: the same directory and port; 5 more records in a transaction
        try (EmbeddedKafkaCluster second = EmbeddedKafkaCluster.builder().keepData(data).port(port).start()) {
            assertThat(second.restarted()).isTrue();
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(second.bootstrapServers()).isEqualTo("localhost:" + port);
            try (Admin admin = admin(second)) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
                assertThat(admin.describeTopics(Set.of("kept")).allTopicNames().get().get("kept").partitions())
                        .hasSize(2);
                assertThat(admin.listConsumerGroupOffsets("reader").partitionsToOffsetAndMetadata().get())
                        .containsEntry(partition, new OffsetAndMetadata(7));
            }
            inTransaction(second.bootstrapServers(), true, producer -> IntStream.range(20, 25)
                    .forEach(i -> producer.send(new ProducerRecord<>("kept", "k" + i, "v" + i))));
            assertThat(readAll(second.bootstrapServers(), "kept", IsolationLevel.READ_COMMITTED))
                    .as("the records of run 1 and a transaction of run 2")
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 25).mapToObj(i -> "v" + i).toList());
        }
        assertThat(data).isNotEmptyDirectory();
    }

    @Test
    void shouldAdvertiseTheFixedPortToClients() throws Exception {
        int port = freePort();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().port(port).start();
             Admin admin = admin(kafka)) {
            assertThat(admin.describeCluster().nodes().get())
                    .as("clients that bootstrap through the fixed port are sent back to it")
                    .singleElement()
                    .satisfies(node -> assertThat(node.port()).isEqualTo(port));
        }
    }

    @Test
    void shouldRefuseAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().port(taken.getLocalPort()).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Port " + taken.getLocalPort() + " of localhost is in use");
        }
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().port(70_000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseToKeepDataInADirectoryThatHoldsSomethingElse(@TempDir Path data) throws IOException {
        Files.writeString(data.resolve("notes.txt"), "not Kafka");

        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().keepData(data).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no Kafka cluster");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static Admin admin(EmbeddedKafkaCluster cluster) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }
}
