package io.seqstream.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that gives broker-backed tests a Kafka broker: one per JVM, started when the first test
 * class that uses it runs, shared by every test class after it and stopped when JUnit finishes.
 *
 * <pre>{@code
 * class ScoringIT {
 *     @RegisterExtension
 *     static final KafkaFixture kafka = KafkaFixture.create();
 *
 *     @Test
 *     void shouldScoreEveryToken() {
 *         String input = kafka.uniqueName("tokens");
 *         kafka.createTopics(4, input);
 *         ... StreamsConfig.BOOTSTRAP_SERVERS_CONFIG -> kafka.bootstrapServers() ...
 *     }
 * }
 * }</pre>
 * or {@code @ExtendWith(KafkaFixture.class)} on the class and a {@code KafkaFixture} parameter on the
 * test methods (or the constructor).
 *
 * <p>The broker is chosen by the system property {@value #BROKER_PROPERTY}:
 * <ul>
 *   <li>{@code embedded} (the default): an in-process {@link EmbeddedKafkaCluster};
 *   <li>{@code container}: Apache Kafka's image ({@code apache/kafka} of the Kafka clients' version, or the
 *       image named by {@value #IMAGE_PROPERTY}) through Testcontainers, which must then be on the test
 *       classpath ({@code org.testcontainers:kafka}). Without a Docker engine the tests are skipped, not
 *       failed: the test classes are disabled with a message, and an assumption backs that up where
 *       JUnit evaluates no class-level condition. The Maven profile {@code testcontainers} sets it.
 * </ul>
 *
 * <p>The broker outlives each test: give every test its own topics and application ids with
 * {@link #uniqueName(String)}.
 */
public final class KafkaFixture implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    /** System property choosing the broker: {@code embedded} (default) or {@code container}. */
    public static final String BROKER_PROPERTY = "seqstream.it.kafka";
    /** System property naming the Docker image of the {@code container} broker. */
    public static final String IMAGE_PROPERTY = "seqstream.it.kafka.image";

    static final String NO_DOCKER_MESSAGE = "seqstream.it.kafka=container but no Docker engine is available: skipping";

    private static final Logger log = LoggerFactory.getLogger(KafkaFixture.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaFixture.class);
    private static final String DOCKER_AVAILABLE = "docker-available";
    private static final AtomicLong NAME_SEQUENCE = new AtomicLong();
    private static final int MAX_PREFIX_LENGTH = 100;

    private volatile SharedBroker broker;

    /** For {@code @RegisterExtension static final KafkaFixture kafka = KafkaFixture.create();}. */
    public static KafkaFixture create() {
        return new KafkaFixture();
    }

    /** For {@code @ExtendWith(KafkaFixture.class)}; prefer {@link #create()} otherwise. */
    public KafkaFixture() {
    }

    /** The {@code bootstrap.servers} of the shared broker. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /**
     * A producer of raw records to the shared broker ({@code acks=all}); transactional when
     * {@code transactionalId} is not null (the caller runs {@code initTransactions}).
     */
    public KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Creates topics with {@code partitions} partitions each (replication factor 1) and waits until every
     * partition has a leader. Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        KafkaTopics.create(bootstrapServers(), Map.of(), partitions, names);
    }

    /**
     * A name no other test of this broker uses, for a topic, an application id or a group id:
     * {@code prefix-<n>-<random>}. Characters that Kafka does not allow in names become {@code -}.
     * The random part keeps Kafka Streams from reusing a local state directory of an earlier run.
     */
    public String uniqueName(String prefix) {
        String legal = prefix.replaceAll("[^a-zA-Z0-9._-]", "-");
        if (legal.length() > MAX_PREFIX_LENGTH) {
            legal = legal.substring(0, MAX_PREFIX_LENGTH);
        }
        String random = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        return legal + "-" + NAME_SEQUENCE.incrementAndGet() + "-" + random;
    }

    /** Disables the tests when they should run against a container but Docker is missing. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (BrokerKind.fromSystemProperty() == BrokerKind.CONTAINER && !dockerAvailable(context)) {
            return ConditionEvaluationResult.disabled(NO_DOCKER_MESSAGE);
        }
        return ConditionEvaluationResult.enabled("a Kafka broker is available");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        attach(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        attach(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        attach(extensionContext);
        return this;
    }

    @Override
    public String toString() {
        SharedBroker current = broker;
        return "KafkaFixture[" + (current == null ? "not started" : current) + "]";
    }

    private SharedBroker broker() {
        SharedBroker current = broker;
        if (current == null) {
            throw new IllegalStateException("KafkaFixture has no broker yet: register it with @RegisterExtension on a "
                    + "static field or @ExtendWith, and use it from tests or @BeforeAll/@BeforeEach methods");
        }
        return current;
    }

    private void attach(ExtensionContext context) {
        if (broker != null) {
            return;
        }
        BrokerKind kind = BrokerKind.fromSystemProperty();
        if (kind == BrokerKind.CONTAINER) {
            Assumptions.assumeTrue(dockerAvailable(context), NO_DOCKER_MESSAGE);
        }
        broker = rootStore(context).getOrComputeIfAbsent(SharedBroker.class, key -> kind.start(), SharedBroker.class);
    }

    /** Asks Docker once per JVM. */
    private static boolean dockerAvailable(ExtensionContext context) {
        requireTestcontainers();
        return rootStore(context).getOrComputeIfAbsent(
                DOCKER_AVAILABLE, key -> ContainerBroker.isDockerAvailable(), Boolean.class);
    }

    private static ExtensionContext.Store rootStore(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE);
    }

    private static void requireTestcontainers() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, KafkaFixture.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExtensionConfigurationException(BROKER_PROPERTY + "=container needs Testcontainers on the test "
                    + "classpath: add the test dependency org.testcontainers:kafka", e);
        }
    }

    private enum BrokerKind {
        EMBEDDED,
        CONTAINER;

        static BrokerKind fromSystemProperty() {
            String value = System.getProperty(BROKER_PROPERTY, "").trim();
            if (value.isEmpty()) {
                return EMBEDDED;
            }
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException(
                        BROKER_PROPERTY + " must be 'embedded' or 'container', was '" + value + "'", e);
            }
        }

        SharedBroker start() {
            SharedBroker started = this == CONTAINER
                    ? ContainerBroker.start(System.getProperty(IMAGE_PROPERTY, ContainerBroker.defaultImage()))
                    : SharedBroker.embedded();
            log.info("Broker-backed tests in this JVM use the {} Kafka broker", started);
            return started;
        }
    }
}
