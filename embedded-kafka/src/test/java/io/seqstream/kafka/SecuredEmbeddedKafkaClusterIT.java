package io.seqstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saslSsl(user, password)}: a client listener that takes only SCRAM-SHA-512 over TLS. */
class SecuredEmbeddedKafkaClusterIT {

    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void startSecuredBroker() {
        kafka = EmbeddedKafkaCluster.builder().saslSsl(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void shouldProduceAndConsumeWithTheGivenCredentialsAndTrustStore() {
        assertThat(kafka.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKeys("sasl.jaas.config", "ssl.truststore.location", "ssl.truststore.password");
        kafka.createTopics(1, "secured");
        Map<String, Object> config = clientConfig(kafka.clientProperties());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("secured", "k", "over TLS"));
        }
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("secured", 0);
            consumer.assign(List.of(partition));
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("over TLS");
        }
    }

    @Test
    void shouldRefuseAWrongPasswordWithAnAuthenticationError() {
        Map<String, String> wrong = new HashMap<>(kafka.clientProperties());
        wrong.put("sasl.jaas.config", EmbeddedKafkaCluster.scramJaasConfig(USER, "not-the-password"));

        assertThatThrownBy(() -> describeCluster(wrong))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials");
    }

    @Test
    void shouldRefuseAClientThatDoesNotTrustTheBrokersCertificate() {
        Map<String, String> untrusting = new HashMap<>(kafka.clientProperties());
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        untrusting.remove("ssl.truststore.type");

        assertThatThrownBy(() -> describeCluster(untrusting))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void shouldKeepCredentialsAndCertificateAcrossARestartOnTheSameDirectoryAndPort(@TempDir Path data)
            throws Exception {
        int port = freePort();
        Map<String, String> firstClientProperties;
        try (EmbeddedKafkaCluster first = EmbeddedKafkaCluster.builder().keepData(data).port(port)
                .saslSsl("bob", "bob-secret").start()) {
            firstClientProperties = first.clientProperties();
            assertThat(first.bootstrapServers()).isEqualTo("localhost:" + port);
        }
        try (EmbeddedKafkaCluster second = EmbeddedKafkaCluster.builder().keepData(data).port(port)
                .saslSsl("bob", "bob-secret").start()) {
            assertThat(second.restarted()).isTrue();
            assertThat(second.clientProperties()).isEqualTo(firstClientProperties);
            assertThat(describeCluster(second.bootstrapServers(), second.clientProperties())).isEqualTo(second.clusterId());
        }
    }

    private static String describeCluster(Map<String, String> clientProperties) throws Exception {
        return describeCluster(kafka.bootstrapServers(), clientProperties);
    }

    private static String describeCluster(String bootstrapServers, Map<String, String> clientProperties)
            throws Exception {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs(20_000)).clusterId()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> clientConfig(Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return config;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
