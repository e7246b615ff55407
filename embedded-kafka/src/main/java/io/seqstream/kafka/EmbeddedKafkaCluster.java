package io.seqstream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.ControllerServer;

import org.apache.kafka.common.network.ListenerName;
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
 * <p>It listens on a free port of {@code localhost} (PLAINTEXT, listener name {@code EXTERNAL}), or on a
 * {@linkplain Builder#port(int) fixed one}; see {@link #bootstrapServers()}. With {@link Builder#saslSsl} clients
 * must use SCRAM over TLS; {@link #clientProperties()} says how. Every start formats a fresh
 * cluster, unless {@link Builder#keepData(Path)} names the directory of one to reuse. Close it to stop the
 * broker and delete its temporary data.
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

    /** The listener of a fixed {@link Builder#port(int) port}, beside the test kit's own listeners. */
    static final String CLIENT_LISTENER = "CLIENT";

    /** What a formatted node directory holds; its {@code cluster.id} is the cluster's. */
    private static final String META_PROPERTIES = "meta.properties";

    /** Where a {@linkplain Builder#saslSsl(String, String) secured} cluster keeps its TLS material, in its data directory. */
    static final String TLS_DIRECTORY = "tls";

    /** The SASL mechanism of a {@linkplain Builder#saslSsl(String, String) secured} cluster. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-512";

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final Path dataDirectory;
    private final boolean ownsDataDirectory;
    private final boolean restarted;
    private final Map<String, String> clientProperties;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, String bootstrapServers, Map<String, String> clientProperties,
                                 Path dataDirectory, boolean ownsDataDirectory, boolean restarted) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.dataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        this.restarted = restarted;
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

    /**
     * What a client needs besides {@code bootstrap.servers} to connect: nothing for a plaintext cluster; for a
     * {@linkplain Builder#saslSsl(String, String) secured} one {@code security.protocol=SASL_SSL},
     * {@code sasl.mechanism}, {@code sasl.jaas.config} with the user's credentials, and the trust store
     * ({@code ssl.truststore.location}, {@code .password}, {@code .type}) holding the CA that signed the broker's
     * certificate. Immutable; copy it to change a value (a wrong password, say).
     */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** The {@code sasl.jaas.config} value of a SCRAM client with these credentials. */
    public static String scramJaasConfig(String username, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + username
                + "\" password=\"" + password + "\";";
    }

    /** Where the broker keeps its metadata and logs. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The cluster id: new for a fresh cluster, the formatted one's for a {@linkplain Builder#keepData(Path) kept} one. */
    public String clusterId() {
        return cluster.nodes().clusterId();
    }

    /**
     * Whether this start reused a cluster that an earlier start formatted in its {@linkplain Builder#keepData(Path)
     * data directory} (its topics, records and committed offsets are there), rather than formatting a new one.
     */
    public boolean restarted() {
        return restarted;
    }

    /**
     * Creates topics with {@code partitions} partitions each (replication factor 1) and waits until every
     * partition has a leader. Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        KafkaTopics.create(bootstrapServers, clientProperties, partitions, names);
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
        private boolean keepData;
        private int port;
        private String saslUsername;
        private String saslPassword;
        private final Map<String, Object> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Keeps the broker's data under this directory instead of a temporary one, and leaves it there on
         * close (to inspect it after a quickstart, say). It is created if absent and must be empty: every
         * start formats a new cluster. {@link #keepData(Path)} reuses a cluster instead.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            this.keepData = false;
            return this;
        }

        /**
         * Keeps the cluster under this directory across restarts, like a real broker's {@code log.dirs}: the
         * first start (on an absent or empty directory) formats a new cluster there; a later start on the
         * same directory skips formatting and reuses it, with the same cluster id, topics, records and committed
         * offsets. A non-empty directory that holds no formatted cluster is refused. Never deleted on close.
         */
        public Builder keepData(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            this.keepData = true;
            return this;
        }

        /**
         * Listens for clients on this port of {@code localhost} (PLAINTEXT, or SASL_SSL with {@link #saslSsl}) and
         * gives it as the bootstrap address,
         * so that the address stays the same across restarts. 0, the default, takes a free port.
         *
         * @throws IllegalArgumentException for a port outside 0..65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Port " + port + " is not between 0 and 65535");
            }
            this.port = port;
            return this;
        }

        /**
         * Secures the client listener: clients must connect with TLS ({@code SASL_SSL}) and authenticate with
         * {@value EmbeddedKafkaCluster#SASL_MECHANISM} as this user, whom every start creates (or updates) through
         * the plaintext inter-broker listener before it returns. The TLS material (a throwaway CA, a broker
         * certificate for {@code localhost} signed by it, a client trust store) is made in-process in the data
         * directory's {@value EmbeddedKafkaCluster#TLS_DIRECTORY} folder at the first start, and reused by a
         * {@linkplain #keepData(Path) restart}. {@link EmbeddedKafkaCluster#clientProperties()} says how to
         * connect. The broker's own listeners (inter-broker, controller) stay plaintext on other ports.
         * Names and passwords are limited to letters, digits, '-' and '_'.
         */
        public Builder saslSsl(String username, String password) {
            this.saslUsername = requireSimple(username, "username");
            this.saslPassword = requireSimple(password, "password");
            return this;
        }

        private static String requireSimple(String value, String what) {
            Objects.requireNonNull(value, what);
            if (!value.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("The SASL " + what + " may hold only letters, digits, '-' and '_'");
            }
            return value;
        }

        private boolean secured() {
            return saslUsername != null;
        }

        /**
         * Sets a broker configuration property ({@code log.retention.ms}, {@code auto.create.topics.enable},
         * {@code num.partitions}, ...), overriding the single-node defaults. The node's identity, directories
         * and listeners ({@code process.roles}, {@code node.id}, {@code log.dirs}, {@code listeners}, the
         * quorum voters, ...) are not settable: the broker listens on localhost, on a free port unless
         * {@link #port(int)} names one.
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
            if (port != 0) {
                requireFreePort(port);
            }
            boolean ownsDataDirectory = dataDirectory == null;
            Path directory = ownsDataDirectory ? newTemporaryDirectory()
                    : keepData ? prepareKeptDirectory(dataDirectory) : prepareGivenDirectory(dataDirectory);
            Optional<String> existingClusterId = keepData ? formattedClusterId(directory) : Optional.empty();
            KafkaClusterTestKit cluster = null;
            try {
                TlsMaterial tls = secured() ? TlsMaterial.in(directory.resolve(TLS_DIRECTORY)) : null;
                cluster = newTestKit(directory, ownsDataDirectory, existingClusterId, tls);
                if (existingClusterId.isEmpty()) {
                    format(cluster);
                }
                cluster.startup();
                cluster.waitForReadyBrokers();
                String bootstrap = hasClientListener() ? "localhost:" + clientPort(cluster) : cluster.bootstrapServers();
                Map<String, String> clientProperties = clientProperties(tls);
                if (secured()) {
                    ScramUsers.upsert(cluster.bootstrapServers(), saslUsername, saslPassword, SASL_MECHANISM);
                    ScramUsers.awaitAuthentication(bootstrap, clientProperties);
                }
                EmbeddedKafkaCluster started = new EmbeddedKafkaCluster(cluster, bootstrap, clientProperties,
                        directory, ownsDataDirectory, existingClusterId.isPresent());
                log.info("Kafka {} broker {} at {}{} in {} ms (cluster {}, data in {})",
                        AppInfoParser.getVersion(), started.restarted() ? "restarted" : "started", bootstrap,
                        secured() ? " (SASL_SSL, " + SASL_MECHANISM + ")" : "",
                        (System.nanoTime() - startNanos) / 1_000_000, started.clusterId(), directory);
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

        private boolean hasClientListener() {
            return port != 0 || secured();
        }

        /** The fixed port, or the one the broker bound for the {@code CLIENT} listener. */
        private int clientPort(KafkaClusterTestKit cluster) {
            return port != 0 ? port
                    : cluster.brokers().values().iterator().next().boundPort(new ListenerName(CLIENT_LISTENER));
        }

        private Map<String, String> clientProperties(TlsMaterial tls) {
            if (tls == null) {
                return Map.of();
            }
            Map<String, String> props = new LinkedHashMap<>();
            props.put("security.protocol", "SASL_SSL");
            props.put("sasl.mechanism", SASL_MECHANISM);
            props.put("sasl.jaas.config", scramJaasConfig(saslUsername, saslPassword));
            props.put("ssl.truststore.location", tls.clientTrustStore().toString());
            props.put("ssl.truststore.password", tls.password());
            props.put("ssl.truststore.type", "PKCS12");
            return Collections.unmodifiableMap(props);
        }

        private KafkaClusterTestKit newTestKit(Path directory, boolean deleteOnClose, Optional<String> clusterId,
                                               TlsMaterial tls) throws Exception {
            TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder(productionBootstrapMetadata())
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(directory);
            clusterId.ifPresent(nodesBuilder::setClusterId);
            TestKitNodes nodes = nodesBuilder.build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(deleteOnClose);
            SINGLE_NODE_DEFAULTS.forEach(builder::setConfigProp);
            brokerProperties.forEach(builder::setConfigProp);
            if (hasClientListener()) {
                clientListener(nodes, tls).forEach(builder::setConfigProp);
            }
            return builder.build();
        }

        /**
         * A third listener, {@code CLIENT}, on the fixed port (or a free one for a secured cluster), PLAINTEXT or
         * SASL_SSL. The test kit pre-binds a socket on a free port for its own broker listener whatever the
         * configured port, so the fixed port gets a listener of its own; a client that bootstraps through it is
         * given its endpoint in metadata, hence this port again. The test kit's listeners stay plaintext: they
         * carry only the node's own traffic (inter-broker, controller).
         */
        private Map<String, String> clientListener(TestKitNodes nodes, TlsMaterial tls) {
            String broker = nodes.brokerListenerName().value();
            String controller = nodes.controllerListenerName().value();
            Map<String, String> props = new LinkedHashMap<>();
            props.put("listeners", broker + "://localhost:0," + controller + "://localhost:0,"
                    + CLIENT_LISTENER + "://localhost:" + port);
            props.put("listener.security.protocol.map", broker + ":" + nodes.brokerListenerProtocol().name + ","
                    + controller + ":" + nodes.controllerListenerProtocol().name + ","
                    + CLIENT_LISTENER + ":" + (tls == null ? "PLAINTEXT" : "SASL_SSL"));
            if (tls != null) {
                String prefix = "listener.name." + CLIENT_LISTENER.toLowerCase(Locale.ROOT) + ".";
                props.put(prefix + "ssl.keystore.location", tls.brokerKeyStore().toString());
                props.put(prefix + "ssl.keystore.password", tls.password());
                props.put(prefix + "ssl.key.password", tls.password());
                props.put(prefix + "ssl.keystore.type", "PKCS12");
                props.put(prefix + "sasl.enabled.mechanisms", SASL_MECHANISM);
                props.put(prefix + SASL_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            return props;
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

        /** Fails early with a message a user can act on, instead of the broker's bind error deep in its startup. */
        private static void requireFreePort(int port) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                throw new IllegalArgumentException("Port " + port + " of localhost is in use (another Kafka broker?):"
                        + " stop what listens there or choose another port", e);
            }
        }

        /** An absent or empty directory (a new cluster), or one that holds a formatted cluster (reused). */
        private static Path prepareKeptDirectory(Path directory) {
            try {
                Files.createDirectories(directory);
                boolean empty;
                try (Stream<Path> entries = Files.list(directory)) {
                    // A secured cluster's TLS material may be there from a start that failed before formatting.
                    empty = entries.allMatch(entry -> entry.getFileName().toString().equals(TLS_DIRECTORY));
                }
                if (!empty && formattedClusterId(directory).isEmpty()) {
                    throw new IllegalArgumentException("The embedded Kafka data directory " + directory
                            + " is not empty and holds no Kafka cluster (no " + META_PROPERTIES
                            + " in its node directories): delete it or choose another one");
                }
                return directory;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot use " + directory + " as the embedded Kafka data directory", e);
            }
        }

        /** The {@code cluster.id} in a node directory's {@code meta.properties}, if an earlier start formatted one. */
        private static Optional<String> formattedClusterId(Path directory) {
            try (Stream<Path> nodes = Files.list(directory)) {
                List<Path> metaFiles = nodes.map(node -> node.resolve(META_PROPERTIES)).filter(Files::isRegularFile).toList();
                for (Path metaFile : metaFiles) {
                    Properties meta = new Properties();
                    try (Reader reader = Files.newBufferedReader(metaFile, StandardCharsets.UTF_8)) {
                        meta.load(reader);
                    }
                    String clusterId = meta.getProperty("cluster.id");
                    if (clusterId != null && !clusterId.isBlank()) {
                        return Optional.of(clusterId.strip());
                    }
                }
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the Kafka metadata in " + directory, e);
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
