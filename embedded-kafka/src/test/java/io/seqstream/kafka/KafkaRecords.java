package io.seqstream.kafka;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test helpers: a transactional producer and reading a whole topic. */
final class KafkaRecords {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private KafkaRecords() {
    }

    /** Runs {@code body} inside one transaction of a fresh transactional producer, then commits or aborts. */
    static void inTransaction(String bootstrapServers, boolean commit, Consumer<KafkaProducer<String, String>> body) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-tx-" + System.nanoTime());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            body.accept(producer);
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.flush();
                producer.abortTransaction();
            }
        }
    }

    /**
     * Every record of {@code topic} that a consumer with {@code isolation} sees, read from the beginning
     * up to the end offsets (the last stable offsets for read_committed) of all partitions.
     */
    static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic, IsolationLevel isolation) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // A committed transaction's markers reach the partitions after commitTransaction() returns; until
            // they do, a read_committed consumer's end (the last stable offset) stops at the open transaction's
            // first record. Wait until it has passed every record already written.
            Map<TopicPartition, Long> end = isolation == IsolationLevel.READ_COMMITTED
                    ? awaitStableEnd(bootstrapServers, consumer, partitions)
                    : consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await("a " + isolation + " consumer reaches the end " + end + " of " + topic)
                    .atMost(READ_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                        return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                    });
            return records;
        }
    }

    private static Map<TopicPartition, Long> awaitStableEnd(String bootstrapServers,
                                                            KafkaConsumer<String, String> committed,
                                                            List<TopicPartition> partitions) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, String> uncommitted =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            // The log end read here may predate the commit markers, which then move it one further: the last
            // stable offset must reach it, not equal it.
            Map<TopicPartition, Long> logEnd = uncommitted.endOffsets(partitions);
            Map<TopicPartition, Long> stableEnd = new HashMap<>();
            await("the last stable offsets of " + partitions + " reach the log end " + logEnd)
                    .atMost(READ_TIMEOUT)
                    .until(() -> {
                        stableEnd.putAll(committed.endOffsets(partitions));
                        return partitions.stream().allMatch(tp -> stableEnd.get(tp) >= logEnd.get(tp));
                    });
            return stableEnd;
        }
    }
}
