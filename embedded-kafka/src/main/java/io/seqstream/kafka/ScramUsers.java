package io.seqstream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * SCRAM users of a secured embedded cluster. {@code KafkaClusterTestKit} bootstraps its controller from in-memory
 * metadata, so the SCRAM records that {@code kafka-storage format --add-scram} would write are not read; the user
 * is created through the Admin API on the broker's plaintext listener instead, like {@code kafka-configs
 * --alter --add-config SCRAM-SHA-512=[...]}, and kept in the metadata log across restarts.
 */
final class ScramUsers {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ITERATIONS = 4096;

    private ScramUsers() {
    }

    /** Creates the user, or sets its password, through an unauthenticated listener. */
    static void upsert(String plaintextBootstrap, String username, String password, String mechanism)
            throws InterruptedException, ExecutionException, TimeoutException {
        ScramMechanism scram = ScramMechanism.fromMechanismName(mechanism);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "seqstream-scram-setup"))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(username,
                            new ScramCredentialInfo(scram, ITERATIONS), password)))
                    .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Waits until the broker has the credentials: a client with them authenticates on the secured listener. */
    static void awaitAuthentication(String bootstrap, Map<String, String> clientProperties)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "seqstream-scram-check");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis())).clusterId()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the broker has not applied the credential record yet
            }
        }
    }
}
