package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.kafka.EmbeddedKafkaCluster;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqstream run} against a broker whose only client listener takes SASL (SCRAM-SHA-512) over TLS, with
 * the credentials and the trust store given as {@code kafka.*} settings and nothing else: it scores every event
 * exactly once; with a wrong password it stops at once with a line that names the cause.
 */
class SecuredKafkaIT {
    private static final String USER = "seqstream-app";
    private static final String PASSWORD = "app-secret-1";

    private static EmbeddedKafkaCluster kafka;

    @TempDir
    Path dir;

    private final Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 4);
    private final int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);

    @BeforeAll
    static void startSecuredBroker() {
        kafka = EmbeddedKafkaCluster.builder().saslSsl(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldScoreEveryEventExactlyOnceOverSaslSsl() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka.bootstrapServers(), kafka.clientProperties(), dir.resolve("state"),
                securitySettings(kafka.clientProperties()));

        try (ScoringProcess app = ScoringProcess.start(env.config, dir, "secured")) {
            env.publishInterleaved(sessions, 0, Integer.MAX_VALUE);
            List<Score> scores;
            try {
                scores = env.readScores(total, Duration.ofSeconds(90));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("No scores over SASL_SSL; app alive=" + app.isAlive() + ", log:\n"
                        + app.logTail(), e);
            }
            assertThat(scores).hasSize(total);
            ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, TestModels.hdfs());
            assertThat(app.log()).contains("Kafka cluster " + kafka.clusterId());
        }
    }

    @Test
    void shouldFailFastNamingTheUserWhenThePasswordIsWrong() throws Exception {
        Map<String, String> wrong = new HashMap<>(kafka.clientProperties());
        wrong.put("sasl.jaas.config", EmbeddedKafkaCluster.scramJaasConfig(USER, "not-the-password"));
        ItEnvironment env = new ItEnvironment(kafka.bootstrapServers(), kafka.clientProperties(), dir.resolve("state"),
                securitySettings(wrong));

        long start = System.nanoTime();
        try (ScoringProcess app = ScoringProcess.start(env.config, dir, "wrong-password")) {
            OptionalInt exit = app.awaitExit(Duration.ofSeconds(45));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            org.slf4j.LoggerFactory.getLogger(SecuredKafkaIT.class).info(
                    "seqstream run with a wrong password exited {} after {} ms (JVM start included)", exit, took.toMillis());

            assertThat(exit).as("exited by itself within 45 s; log:\n%s", app.logTail()).isPresent();
            assertThat(exit.getAsInt()).as("exit code").isEqualTo(1);
            assertThat(app.log()).contains("seqstream: Kafka authentication failed for user '" + USER
                    + "' (SASL SCRAM-SHA-512) at " + kafka.bootstrapServers());
            assertThat(took).as("time to fail, JVM start included (4-17 s seen on a loaded 2-core machine)")
                    .isLessThan(Duration.ofSeconds(40));
        }
    }

    @Test
    void shouldFailFastWhenTheBrokersCertificateIsNotTrusted() throws Exception {
        Map<String, String> untrusting = new HashMap<>(kafka.clientProperties());
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        untrusting.remove("ssl.truststore.type");
        ItEnvironment env = new ItEnvironment(kafka.bootstrapServers(), kafka.clientProperties(), dir.resolve("state"),
                securitySettings(untrusting));

        try (ScoringProcess app = ScoringProcess.start(env.config, dir, "untrusted")) {
            OptionalInt exit = app.awaitExit(Duration.ofSeconds(30));

            assertThat(exit).as("exited by itself within 30 s; log:\n%s", app.logTail()).hasValue(1);
            assertThat(app.log()).contains("seqstream: TLS handshake with Kafka at " + kafka.bootstrapServers()
                    + " failed: unable to find valid certification path to requested target");
        }
    }

    /** What a user writes: {@code kafka.security.protocol=SASL_SSL}, {@code kafka.sasl.jaas.config=...}, ... */
    private static Map<String, String> securitySettings(Map<String, String> clientProperties) {
        Map<String, String> settings = new HashMap<>();
        clientProperties.forEach((key, value) -> settings.put("kafka." + key, value));
        return settings;
    }
}
