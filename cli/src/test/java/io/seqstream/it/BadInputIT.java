package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.topology.DeadLetters;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A corpus of malformed records reaches the dead-letter topic with reasons; the good ones around are scored. */
class BadInputIT {
    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path stateDir;

    @Test
    void shouldDeadLetterEveryMalformedRecordAndScoreTheRest() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, stateDir, Map.of(Setting.INPUT_MAX_VALUE_BYTES.key(), "256"));
        // key, value, expected reason (null = good)
        List<String[]> corpus = List.of(
                new String[] {"blk-1", "{\"token\":\"5\"}", null},
                new String[] {"blk-1", "{\"token\":", EventParser.INVALID_JSON},
                new String[] {"blk-1", "not json at all", EventParser.INVALID_JSON},
                new String[] {null, "{\"token\":\"5\"}", EventParser.NULL_KEY},
                new String[] {"", "{\"token\":\"5\"}", EventParser.EMPTY_KEY},
                new String[] {"blk-2", null, EventParser.NULL_VALUE},
                new String[] {"blk-2", "{\"token\":\"" + "9".repeat(300) + "\"}", EventParser.OVERSIZED},
                new String[] {"blk-2", "{\"tokens\":[]}", EventParser.NO_TOKENS},
                new String[] {"blk-2", "{\"token\":[\"5\"]}", EventParser.INVALID_JSON},
                new String[] {"blk-1", "{\"token\":\"22\"}", null},
                new String[] {"blk-2", "{\"token\":\"5\",\"end\":true}", null});
        byte[] invalidUtf8 = {'{', '"', 't', 'o', 'k', 'e', 'n', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};

        try (ScoringApp app = ScoringApp.start(env.config, TestModels.hdfs(), new SimpleMeterRegistry());
             KafkaProducer<byte[], byte[]> producer = env.producer()) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            for (String[] record : corpus) {
                env.send(producer, record[0], record[1]);
            }
            producer.send(new ProducerRecord<>(env.topics.events().name(), ItEnvironment.utf8("blk-3"), invalidUtf8));
            producer.flush();

            List<ConsumerRecord<byte[], byte[]>> dead = env.readAtLeast(env.topics.deadLetter().name(), 9,
                    Duration.ofSeconds(90));
            List<Score> scores = env.readScores(4, Duration.ofSeconds(30));

            assertThat(dead).hasSize(9);
            assertThat(dead).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.REASON))
                    .containsExactlyInAnyOrder(EventParser.INVALID_JSON, EventParser.INVALID_JSON,
                            EventParser.NULL_KEY, EventParser.EMPTY_KEY, EventParser.NULL_VALUE,
                            EventParser.OVERSIZED, EventParser.NO_TOKENS, EventParser.INVALID_JSON,
                            EventParser.INVALID_UTF8);
            ConsumerRecord<byte[], byte[]> utf8 = dead.stream()
                    .filter(r -> EventParser.INVALID_UTF8.equals(DeadLetters.header(r.headers(), DeadLetters.REASON)))
                    .findFirst().orElseThrow();
            assertThat(utf8.value()).as("dead letters keep the original bytes").isEqualTo(invalidUtf8);
            assertThat(DeadLetters.header(utf8.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(env.topics.events().name());
            assertThat(DeadLetters.header(utf8.headers(), DeadLetters.SOURCE_OFFSET)).isNotBlank();
            assertThat(dead).allSatisfy(r -> assertThat(DeadLetters.header(r.headers(), DeadLetters.DETAIL)).isNotBlank());

            assertThat(scores).extracting(Score::getKey, Score::getToken).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("blk-1", "5"), org.assertj.core.groups.Tuple.tuple("blk-1", "22"),
                    org.assertj.core.groups.Tuple.tuple("blk-2", "5"), org.assertj.core.groups.Tuple.tuple("blk-2", "<e>"));
            assertThat(app.state().isRunningOrRebalancing()).isTrue();
        }
    }
}
