package io.seqstream.kafka;

import java.util.Locale;

import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The broker of {@code -Dseqstream.it.kafka=container}: Apache Kafka's image in Docker through Testcontainers.
 * The only class that touches Testcontainers, loaded only in that mode, so the embedded mode needs no
 * Testcontainers on the classpath.
 */
final class ContainerBroker {

    private ContainerBroker() {
    }

    static boolean isDockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Apache Kafka's image of the same version as the Kafka clients on the classpath. */
    static String defaultImage() {
        return "apache/kafka:" + AppInfoParser.getVersion();
    }

    static SharedBroker start(String image) {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
        // Same single-node settings as the embedded broker; KEY.NAME becomes KAFKA_KEY_NAME for the image.
        EmbeddedKafkaCluster.SINGLE_NODE_DEFAULTS.forEach((name, value) ->
                container.withEnv("KAFKA_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        container.start();
        return new SharedBroker("container " + image, container.getBootstrapServers(), container::stop);
    }
}
