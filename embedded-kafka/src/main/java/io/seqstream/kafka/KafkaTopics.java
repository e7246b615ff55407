package io.seqstream.kafka;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Idempotent topic creation on a single-node cluster, shared by the cluster and the test fixture. */
final class KafkaTopics {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 20;
    private static final short REPLICATION_FACTOR = 1;

    private KafkaTopics() {
    }

    /**
     * Creates the topics that do not exist yet, with {@code partitions} partitions and replication factor 1,
     * then waits until every partition of every named topic has a leader, so that producers, consumers and
     * Kafka Streams see them at once.
     */
    static void create(String bootstrapServers, Map<String, String> clientProperties, int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        Set<String> topics = topicNames(names);
        Map<String, Object> config = new java.util.HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "seqstream-topic-creator");
        try (Admin admin = Admin.create(config)) {
            createMissing(admin, partitions, topics);
            awaitLeaders(admin, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("Interrupted while creating topics " + topics, e);
        }
    }

    private static Set<String> topicNames(String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("no topic names given");
        }
        Set<String> topics = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("blank topic name in " + List.of(names));
            }
            topics.add(name);
        }
        return topics;
    }

    private static void createMissing(Admin admin, int partitions, Set<String> topics) throws InterruptedException {
        List<NewTopic> newTopics = topics.stream()
                .map(topic -> new NewTopic(topic, partitions, REPLICATION_FACTOR))
                .toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        for (String topic : topics) {
            try {
                await(results.get(topic));
                log.debug("Created topic {} with {} partitions", topic, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new EmbeddedKafkaException("Cannot create topic " + topic, e.getCause());
                }
                log.debug("Topic {} exists already", topic);
            } catch (TimeoutException e) {
                throw new EmbeddedKafkaException("Topic " + topic + " was not created within " + TIMEOUT, e);
            }
        }
    }

    private static void awaitLeaders(Admin admin, Set<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (String topic : topics) {
            while (!allPartitionsHaveLeaders(admin, topic)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new EmbeddedKafkaException("Topic " + topic + " still has partitions without a leader after " + TIMEOUT);
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static boolean allPartitionsHaveLeaders(Admin admin, String topic) throws InterruptedException {
        try {
            TopicDescription description = await(admin.describeTopics(Set.of(topic)).topicNameValues().get(topic));
            return description.partitions().stream().allMatch(KafkaTopics::hasLeader);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // the broker has not seen the controller's record yet
            }
            throw new EmbeddedKafkaException("Cannot describe topic " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw new EmbeddedKafkaException("Topic " + topic + " could not be described within " + TIMEOUT, e);
        }
    }

    private static boolean hasLeader(TopicPartitionInfo partition) {
        return partition.leader() != null && !partition.leader().isEmpty();
    }

    private static <T> T await(KafkaFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
