package io.seqstream.app;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Kafka cluster who it is, with the application's own client settings, before anything else starts.
 * Kafka Streams treats an authentication failure as fatal only deep inside a stream thread, after the model
 * is loaded, and a wrong trust store or password otherwise surfaces as a stack trace or as a client retrying
 * quietly. This turns them into one line that names the cause, at start-up:
 * <ul>
 *   <li>wrong SASL credentials: {@code Kafka authentication failed for user 'alice' (SASL SCRAM-SHA-512) at
 *       broker:9093: ...};
 *   <li>a broker certificate the trust store does not vouch for, or a plaintext port: {@code TLS handshake
 *       with Kafka at broker:9093 failed: ...};
 *   <li>client settings Kafka rejects (an unreadable trust store, a malformed JAAS line): {@code Invalid Kafka
 *       client settings (kafka.*): ...}.
 * </ul>
 * A cluster that does not answer within the timeout is not an error here: it may be starting or briefly
 * away, and Kafka Streams keeps retrying (readiness says so meanwhile); it is logged as a warning.
 */
public final class ClusterCheck {
    private static final Logger log = LoggerFactory.getLogger(ClusterCheck.class);
    private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private ClusterCheck() {
    }

    /**
     * Connects as the application would and describes the cluster.
     *
     * @return the cluster id, or empty when the cluster did not answer within {@code timeout}
     * @throws IllegalStateException with a one-line message naming the cause when the cluster refuses the
     *                               application's credentials or TLS settings, or Kafka rejects them
     */
    public static Optional<String> verify(SeqstreamConfig config, Duration timeout) {
        String bootstrap = config.string(Setting.BOOTSTRAP_SERVERS);
        Map<String, Object> adminConfig = adminConfig(config, "cluster-check");
        try (Admin admin = Admin.create(adminConfig)) {
            DescribeClusterResult cluster = admin.describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            String clusterId = cluster.clusterId().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            log.info("Kafka cluster {} at {} answered ({} nodes)", clusterId, bootstrap, cluster.nodes().get().size());
            return Optional.of(clusterId);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                log.warn("Kafka at {} did not answer within {} s; starting anyway (Kafka Streams keeps retrying, "
                        + "readiness stays down until it answers)", bootstrap, timeout.toSeconds());
                return Optional.empty();
            }
            throw failure(config, bootstrap, cause);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Kafka at {} did not answer within {} s; starting anyway", bootstrap, timeout.toSeconds());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while connecting to Kafka at " + bootstrap, e);
        } catch (KafkaException e) {
            throw failure(config, bootstrap, e);
        }
    }

    /**
     * The admin client settings Kafka Streams itself would use (bootstrap servers, security, {@code admin.*}
     * overrides), so that a check sees what the application will; the client id is the application id + {@code -purpose}.
     */
    static Map<String, Object> adminConfig(SeqstreamConfig config, String purpose) {
        StreamsConfig streams = new StreamsConfig(StreamsSettings.build(config));
        return streams.getAdminConfigs(config.string(Setting.APPLICATION_ID) + "-" + purpose);
    }

    /** The exception for a refusal, with one line naming its cause. */
    static IllegalStateException failure(SeqstreamConfig config, String bootstrap, Throwable cause) {
        Map<String, String> kafka = config.kafkaOverrides();
        String message;
        if (cause instanceof SaslAuthenticationException) {
            String mechanism = kafka.getOrDefault("sasl.mechanism", "GSSAPI");
            message = "Kafka authentication failed for " + user(kafka).map(u -> "user '" + u + "'").orElse("the client")
                    + " (SASL " + mechanism + ") at " + bootstrap + ": " + cause.getMessage()
                    + "; check kafka.sasl.jaas.config";
        } else if (cause instanceof SslAuthenticationException) {
            message = "TLS handshake with Kafka at " + bootstrap + " failed: " + rootMessage(cause)
                    + "; check kafka.ssl.truststore.location and that the address is the cluster's TLS listener";
        } else if (cause instanceof AuthenticationException) {
            message = "Kafka at " + bootstrap + " refused the connection: " + cause.getMessage();
        } else {
            message = "Invalid Kafka client settings (kafka.*) for " + bootstrap + ": " + rootMessage(cause);
        }
        return new IllegalStateException(message, cause);
    }

    /** The SASL user named in {@code sasl.jaas.config}, if any (PLAIN and SCRAM login modules name one). */
    static Optional<String> user(Map<String, String> kafka) {
        String jaas = kafka.get("sasl.jaas.config");
        if (jaas == null) {
            return Optional.empty();
        }
        Matcher matcher = JAAS_USERNAME.matcher(jaas);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
