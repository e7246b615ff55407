package io.seqstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The start-up check's messages; the real refusals by a secured broker are in cli's {@code SecuredKafkaIT}. */
class ClusterCheckTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"alice\" password=\"wrong\";";

    private final SeqstreamConfig secured = SeqstreamConfig.of(Map.of(
            Setting.BOOTSTRAP_SERVERS.key(), "broker:9093",
            "kafka.security.protocol", "SASL_SSL",
            "kafka.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.sasl.jaas.config", JAAS));

    @Test
    void shouldNameTheUserAndMechanismWhenAuthenticationFails() {
        IllegalStateException failure = ClusterCheck.failure(secured, "broker:9093",
                new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials"));

        assertThat(failure).hasMessageStartingWith(
                        "Kafka authentication failed for user 'alice' (SASL SCRAM-SHA-512) at broker:9093: Authentication failed")
                .hasMessageEndingWith("check kafka.sasl.jaas.config")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void shouldGiveTheRootCauseOfAFailedTlsHandshakeOnOneLine() {
        IllegalStateException failure = ClusterCheck.failure(secured, "broker:9093", new SslAuthenticationException(
                "SSL handshake failed", new SSLHandshakeException("PKIX path building failed:\n unable to find valid"
                        + " certification path to requested target")));

        assertThat(failure.getMessage())
                .startsWith("TLS handshake with Kafka at broker:9093 failed: PKIX path building failed: unable to find")
                .doesNotContain("\n");
    }

    @Test
    void shouldReadTheUserFromPlainAndScramJaasLines() {
        assertThat(ClusterCheck.user(Map.of("sasl.jaas.config", JAAS))).contains("alice");
        assertThat(ClusterCheck.user(Map.of("sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username = \"bob\" password=\"x\";")))
                .contains("bob");
        assertThat(ClusterCheck.user(Map.of())).isEmpty();
    }

    @Test
    void shouldRejectClientSettingsKafkaCannotUse() {
        SeqstreamConfig missingTrustStore = SeqstreamConfig.of(Map.of(
                Setting.BOOTSTRAP_SERVERS.key(), "localhost:1",
                "kafka.security.protocol", "SSL",
                "kafka.ssl.truststore.location", "/nonexistent/truststore.p12",
                "kafka.ssl.truststore.password", "x"));

        assertThatThrownBy(() -> ClusterCheck.verify(missingTrustStore, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Invalid Kafka client settings (kafka.*) for localhost:1: ")
                .hasMessageContaining("truststore.p12");
    }

    @Test
    void shouldStartAnywayWhenTheClusterDoesNotAnswerInTime() throws IOException {
        SeqstreamConfig nobody = SeqstreamConfig.of(Map.of(Setting.BOOTSTRAP_SERVERS.key(), "localhost:" + closedPort()));

        long start = System.nanoTime();
        assertThat(ClusterCheck.verify(nobody, Duration.ofSeconds(1))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
