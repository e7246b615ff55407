package io.seqstream.kafka;

import static io.seqstream.kafka.KafkaRecords.inTransaction;
import static io.seqstream.kafka.KafkaRecords.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaFixtureIT {

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @Test
    void shouldProduceAndConsumeThroughTheSharedBroker() {
        String topic = kafka.uniqueName("fixture");
        kafka.createTopics(2, topic);

        inTransaction(kafka.bootstrapServers(), true, producer -> IntStream.range(0, 10)
                .forEach(i -> producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i))));

        assertThat(readAll(kafka.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED))
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void shouldCreateTopicsIdempotently() {
        String topic = kafka.uniqueName("twice");

        kafka.createTopics(1, topic);
        kafka.createTopics(1, topic);

        assertThat(readAll(kafka.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED)).isEmpty();
    }

    @Test
    void shouldGiveEveryCallALegalNameOfItsOwn() {
        String first = kafka.uniqueName("scoring app()");
        String second = kafka.uniqueName("scoring app()");

        assertThat(first).isNotEqualTo(second).startsWith("scoring-app---").matches("[a-zA-Z0-9._-]+");
    }

    @Test
    void shouldShareOneBrokerWithEveryOtherTestClass() {
        assertThat(SharedBrokerProbe.record(kafka.bootstrapServers())).containsExactly(kafka.bootstrapServers());
    }
}
