package io.seqstream.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one broker of a test JVM, kept in JUnit's root store: JUnit closes it after the last test class.
 * Embedded or in a container; see {@link KafkaFixture}.
 */
final class SharedBroker implements ExtensionContext.Store.CloseableResource {

    private final String description;
    private final String bootstrapServers;
    private final AutoCloseable broker;

    SharedBroker(String description, String bootstrapServers, AutoCloseable broker) {
        this.description = description;
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
    }

    static SharedBroker embedded() {
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start();
        return new SharedBroker("embedded", cluster.bootstrapServers(), cluster);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }

    @Override
    public String toString() {
        return description + " " + bootstrapServers;
    }
}
