package io.seqstream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.ControllerServer;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka cluster: one KRaft node that is both controller and broker, built from
 * Apache Kafka's own {@code KafkaClusterTestKit}. It backs {@code seqstream quickstart}, the integration
 * tests and the benchmarks.
 *
 * <p>It is configured for one node: the internal topics (consumer offsets, transaction state, share-group
 * state) have replication factor 1, so transactions and {@code exactly_once_v2} work, and the first
 * consumer group rebalances without delay. It is bootstrapped at the latest production metadata version
 * with its default features, as {@code kafka-storage format} would, and unstable APIs are off: clients see
 * the same protocol as on a real broker of this Kafka version.
 *
 * <p>It listens on a free port of {@code localhost} (PLAINTEXT, listener name {@code EXTERNAL}); see
 * {@link #bootstrapServers()}. Every start formats a fresh cluster. Close it to stop the broker and delete
 * its temporary data.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
 *     kafka.createTopics(4, "tokens", "scores");
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 *
 * <p>The broker logs through SLF4J under {@code kafka} and {@code org.apache.kafka}; at INFO that is a lot,
 * so applications should set those loggers to WARN.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /**
     * Broker settings for a single node, applied before the caller's. A single node gains nothing from
     * 50 coordinator partitions; a few make the first group join and the first transaction quick.
     */
    static final Map<String, String> SINGLE_NODE_DEFAULTS = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "4",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "4",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            "unstable.api.versions.enable", "false",
            "unstable.feature.versions.enable", "false");

    /** Settings that define the node's identity, directories and listeners: the test kit owns them. */
    private static final Set<String> RESERVED = Set.of(
            "process.roles", "node.id", "broker.id", "log.dir", "log.dirs", "metadata.log.dir",
            "listeners", "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
            "controller.listener.names", "controller.quorum.voters", "controller.quorum.bootstrap.servers");

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final Path dataDirectory;
    private final boolean ownsDataDirectory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, Path dataDirectory, boolean ownsDataDirectory) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
        this.dataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
    }

    /** Starts a cluster with its data in a new temporary directory (under {@code java.io.tmpdir}), deleted on close. */
    public static EmbeddedKafkaCluster start() {
        return builder().start();
    }

    /**
     * Starts a cluster with its data under {@code dataDirectory} (kept after close) and extra broker settings.
     *
     * @see Builder#dataDirectory(Path)
     * @see Builder#brokerProperties(Map)
     */
    public static EmbeddedKafkaCluster start(Path dataDirectory, Map<String, ?> brokerProperties) {
        return builder().dataDirectory(dataDirectory).brokerProperties(brokerProperties).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code bootstrap.servers} of the broker, e.g. {@code localhost:40123}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker keeps its metadata and logs. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Creates topics with {@code partitions} partitions each (replication factor 1) and waits until every
     * partition has a leader. Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        KafkaTopics.create(bootstrapServers, partitions, names);
    }

    /** Stops the broker and, unless the caller gave the data directory, deletes its data. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            cluster.close();
            log.debug("Kafka broker at {} stopped", bootstrapServers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("Interrupted while stopping the Kafka broker at " + bootstrapServers, e);
        } catch (Exception e) {
            throw new EmbeddedKafkaException("The Kafka broker at " + bootstrapServers + " failed while stopping", e);
        } finally {
            if (ownsDataDirectory) {
                deleteQuietly(dataDirectory);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + bootstrapServers + ", " + dataDirectory + "]";
    }

    /** Options of an {@link EmbeddedKafkaCluster}; {@link #start()} starts it. */
    public static final class Builder {

        private Path dataDirectory;
        private final Map<String, Object> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Keeps the broker's data under this directory instead of a temporary one, and leaves it there on
         * close (to inspect it after a quickstart, say). It is created if absent and must be empty: every
         * start formats a new cluster.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Sets a broker configuration property ({@code log.retention.ms}, {@code auto.create.topics.enable},
         * {@code num.partitions}, ...), overriding the single-node defaults. The node's identity, directories
         * and listeners ({@code process.roles}, {@code node.id}, {@code log.dirs}, {@code listeners}, the
         * quorum voters, ...) are not settable: the broker always listens on a free port of localhost.
         *
         * @throws IllegalArgumentException for one of those
         */
        public Builder brokerProperty(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("The embedded Kafka broker sets " + name + " itself; it cannot be overridden");
            }
            brokerProperties.put(name, Objects.requireNonNull(value, name));
            return this;
        }

        /** Sets several broker configuration properties; see {@link #brokerProperty(String, Object)}. */
        public Builder brokerProperties(Map<String, ?> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /** Formats and starts the cluster and waits until the broker is ready. Takes a few seconds. */
        public EmbeddedKafkaCluster start() {
            long startNanos = System.nanoTime();
            boolean ownsDataDirectory = dataDirectory == null;
            Path directory = ownsDataDirectory ? newTemporaryDirectory() : prepareGivenDirectory(dataDirectory);
            KafkaClusterTestKit cluster = null;
            try {
                cluster = newTestKit(directory, ownsDataDirectory);
                format(cluster);
                cluster.startup();
                cluster.waitForReadyBrokers();
                EmbeddedKafkaCluster started = new EmbeddedKafkaCluster(cluster, directory, ownsDataDirectory);
                log.info("Kafka {} broker started at {} in {} ms (data in {})",
                        AppInfoParser.getVersion(), started.bootstrapServers(),
                        (System.nanoTime() - startNanos) / 1_000_000, directory);
                return started;
            } catch (Exception e) {
                closeAfterFailedStart(cluster, e);
                if (ownsDataDirectory) {
                    deleteQuietly(directory);
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new EmbeddedKafkaException("The embedded Kafka broker failed to start (data in " + directory + ")", e);
            }
        }

        private KafkaClusterTestKit newTestKit(Path directory, boolean deleteOnClose) throws Exception {
            TestKitNodes nodes = new TestKitNodes.Builder(productionBootstrapMetadata())
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(directory)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(deleteOnClose);
            SINGLE_NODE_DEFAULTS.forEach(builder::setConfigProp);
            brokerProperties.forEach(builder::setConfigProp);
            return builder.build();
        }

        /**
         * What {@code KafkaClusterTestKit.format()} does for a static quorum, but with the formatter's
         * report (a long dump of the bootstrap metadata) at DEBUG instead of on {@code System.out}.
         * A combined node is formatted once, as a controller.
         */
        private static void format(KafkaClusterTestKit cluster) throws Exception {
            BootstrapMetadata bootstrap = cluster.nodes().bootstrapMetadata();
            for (ControllerServer controller : cluster.controllers().values()) {
                MetaPropertiesEnsemble node = controller.sharedServer().metaPropsEnsemble();
                ByteArrayOutputStream report = new ByteArrayOutputStream();
                new Formatter()
                        .setPrintStream(new PrintStream(report, true, StandardCharsets.UTF_8))
                        .setNodeId(node.nodeId().getAsInt())
                        .setClusterId(node.clusterId().orElseThrow())
                        .setDirectories(node.logDirProps().keySet())
                        .setReleaseVersion(bootstrap.metadataVersion())
                        .setUnstableFeatureVersionsEnabled(false)
                        .setIgnoreFormatted(false)
                        .setControllerListenerName(cluster.nodes().controllerListenerName().value())
                        .setMetadataLogDirectory(node.metadataLogDir().orElseThrow())
                        .run();
                log.debug("Formatted node {}: {}", node.nodeId().getAsInt(), report.toString(StandardCharsets.UTF_8).strip());
            }
        }

        /** The metadata version and feature levels that {@code kafka-storage format} writes by default. */
        private static BootstrapMetadata productionBootstrapMetadata() {
            MetadataVersion release = MetadataVersion.latestProduction();
            Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                    .collect(Collectors.toMap(Feature::featureName, feature -> feature.defaultLevel(release)));
            return BootstrapMetadata.fromVersions(release, features, "seqstream embedded kafka");
        }

        private static Path newTemporaryDirectory() {
            try {
                return Files.createTempDirectory("seqstream-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary directory for the embedded Kafka broker", e);
            }
        }

        private static Path prepareGivenDirectory(Path directory) {
            try {
                Files.createDirectories(directory);
                try (Stream<Path> entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException("The embedded Kafka data directory " + directory
                                + " is not empty: every start formats a new cluster; delete it or choose another one");
                    }
                }
                return directory;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot use " + directory + " as the embedded Kafka data directory", e);
            }
        }

        private static void closeAfterFailedStart(KafkaClusterTestKit cluster, Exception failure) {
            if (cluster == null) {
                return;
            }
            try {
                cluster.close();
            } catch (Exception | AssertionError e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            log.warn("Could not delete the embedded Kafka data directory {}", directory, e);
        }
    }
}
