package io.seqstream.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ScoreFeed} against the in-process broker: what it reads, from where, and what it hands to listeners. */
class ScoreFeedIT {
    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    static final int PARTITIONS = 3;
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldReadJsonAndAvroScoresOfEveryPartitionFromTheEnd() throws Exception {
        String topic = topic();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            send(producer, topic, 0, "before", SchemaJson.writeBytes(score("before", 1, "E1", false, 0.5)));
            producer.flush();
            try (ScoreFeed feed = ScoreFeed.start(props(), topic, 100)) {
                assertThat(feed.awaitAssigned(WAIT)).as("feed assigned").isTrue();
                send(producer, topic, 0, "blk-0", SchemaJson.writeBytes(score("blk-0", 1, "E5", false, 0.9)));
                send(producer, topic, 1, "blk-1", AvroSingleObject.encode(score("blk-1", 1, "E9", true, 0.001)));
                send(producer, topic, 2, "blk-2", "not a score".getBytes(StandardCharsets.UTF_8));
                send(producer, topic, 2, "blk-2", SchemaJson.writeBytes(score("blk-2", 1, "E22", false, 0.3)));
                producer.flush();

                await("three scores read").atMost(WAIT).until(() -> feed.total() == 3);
                ScoreFeed.Snapshot snapshot = feed.snapshot();
                assertThat(snapshot.recent()).extracting(FeedScore::key)
                        .as("every partition, nothing from before the start")
                        .containsExactlyInAnyOrder("blk-0", "blk-1", "blk-2");
                FeedScore avro = snapshot.recent().stream().filter(s -> s.key().equals("blk-1")).findFirst()
                        .orElseThrow();
                assertThat(avro.anomaly()).isTrue();
                assertThat(avro.token()).isEqualTo("E9");
                assertThat(avro.rank()).isEqualTo(12);
                assertThat(avro.model()).isEqualTo("hdfs-tiny@v1");
                assertThat(avro.top()).extracting(FeedScore.Top::token).containsExactly("E5", "E22", "E11");
                assertThat(avro.surprisal()).isCloseTo(-Math.log(0.001), org.assertj.core.data.Offset.offset(1e-9));
                assertThat(snapshot.anomalies()).isEqualTo(1);
                assertThat(feed.unreadable()).isEqualTo(1);
            }
        }
    }

    @Test
    void shouldKeepOnlyTheMostRecentScores() throws Exception {
        String topic = topic();
        try (ScoreFeed feed = ScoreFeed.start(props(), topic, 5);
             KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            assertThat(feed.awaitAssigned(WAIT)).isTrue();
            for (int i = 1; i <= 12; i++) {
                send(producer, topic, 0, "blk", SchemaJson.writeBytes(score("blk", i, "E" + i, false, 0.5)));
            }
            producer.flush();

            await("twelve scores read").atMost(WAIT).until(() -> feed.total() == 12);
            assertThat(feed.snapshot().recent()).extracting(FeedScore::position).containsExactly(8L, 9L, 10L, 11L, 12L);
        }
    }

    @Test
    void shouldNotShowScoresOfAbortedTransactions() throws Exception {
        String topic = topic();
        try (ScoreFeed feed = ScoreFeed.start(props(), topic, 100);
             KafkaProducer<byte[], byte[]> producer = kafka.producer(kafka.uniqueName("tx"))) {
            assertThat(feed.awaitAssigned(WAIT)).isTrue();
            producer.initTransactions();
            // aborted: blk-x #1; committed after it: blk-y #1
            producer.beginTransaction();
            send(producer, topic, 0, "blk-x", SchemaJson.writeBytes(score("blk-x", 1, "E1", true, 0.001)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            send(producer, topic, 0, "blk-y", SchemaJson.writeBytes(score("blk-y", 1, "E2", false, 0.5)));
            producer.commitTransaction();

            await("the committed score read").atMost(WAIT).until(() -> feed.total() == 1);
            assertThat(feed.snapshot().recent()).extracting(FeedScore::key).containsExactly("blk-y");
            assertThat(feed.totalAnomalies()).isZero();
        }
    }

    @Test
    void shouldTellListenersOfScoresAndSecondsAfterTheirSnapshot() throws Exception {
        String topic = topic();
        List<FeedScore> heard = new CopyOnWriteArrayList<>();
        List<ScoreFeed.SecondCount> seconds = new CopyOnWriteArrayList<>();
        ScoreFeed.Listener listener = new ScoreFeed.Listener() {
            @Override
            public void onScores(List<FeedScore> scores) {
                heard.addAll(scores);
            }

            @Override
            public void onSecond(ScoreFeed.SecondCount second) {
                seconds.add(second);
            }
        };
        try (ScoreFeed feed = ScoreFeed.start(props(), topic, 100);
             KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            assertThat(feed.awaitAssigned(WAIT)).isTrue();
            send(producer, topic, 0, "blk-0", SchemaJson.writeBytes(score("blk-0", 1, "E5", false, 0.9)));
            producer.flush();
            await("first score read").atMost(WAIT).until(() -> feed.total() == 1);

            ScoreFeed.Snapshot snapshot = feed.subscribe(listener);
            assertThat(snapshot.recent()).extracting(FeedScore::key).containsExactly("blk-0");
            send(producer, topic, 1, "blk-1", SchemaJson.writeBytes(score("blk-1", 1, "E9", true, 0.001)));
            send(producer, topic, 1, "blk-1", SchemaJson.writeBytes(score("blk-1", 2, "E5", false, 0.8)));
            producer.flush();

            await("the listener hears the later scores").atMost(WAIT).until(() -> heard.size() == 2);
            assertThat(heard).extracting(FeedScore::key).as("not the one in its snapshot")
                    .containsExactly("blk-1", "blk-1");
            await("the seconds of all three are finished").atMost(WAIT).until(() ->
                    feed.snapshot().history().stream().mapToLong(ScoreFeed.SecondCount::scores).sum() == 3);
            // A second counts all it read: the snapshot's score too, when it shared a second with the later two.
            assertThat(seconds.stream().mapToLong(ScoreFeed.SecondCount::scores).sum()).isBetween(2L, 3L);
            assertThat(seconds.stream().mapToLong(ScoreFeed.SecondCount::anomalies).sum()).isEqualTo(1);
            List<Long> secondNumbers = new ArrayList<>(seconds.stream().map(ScoreFeed.SecondCount::second).toList());
            assertThat(secondNumbers).as("consecutive seconds, quiet ones included").isSorted()
                    .doesNotHaveDuplicates();
            assertThat(secondNumbers.get(secondNumbers.size() - 1) - secondNumbers.get(0))
                    .isEqualTo(secondNumbers.size() - 1);

            feed.unsubscribe(listener);
            send(producer, topic, 2, "blk-2", SchemaJson.writeBytes(score("blk-2", 1, "E5", false, 0.9)));
            producer.flush();
            await("the feed reads on").atMost(WAIT).until(() -> feed.total() == 4);
            assertThat(heard).as("nothing after unsubscribing").hasSize(2);
        }
    }

    static String topic() {
        String topic = kafka.uniqueName("scores");
        kafka.createTopics(PARTITIONS, topic);
        return topic;
    }

    static Map<String, Object> props() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "producer.linger.ms", "5", // Kafka Streams style prefixes: another client's, left out
                "consumer.fetch.max.wait.ms", "100"); // the consumer's own, applied
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, int partition, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** A score as the topology writes it: rank 12 with top-g 9 when anomalous, else rank 1. */
    static Score score(String key, long position, String token, boolean anomaly, double probability) {
        return Score.newBuilder().setKey(key).setPosition(position).setToken(token).setTokenId(5).setUnknown(false)
                .setProbability(probability).setSurprisal(-Math.log(probability)).setRank(anomaly ? 12 : 1)
                .setPredictions(List.of(new Prediction("E5", 0.6), new Prediction("E22", 0.2),
                        new Prediction("E11", 0.1), new Prediction("E9", 0.05)))
                .setAnomaly(anomaly).setTopG(9).setModel("hdfs-tiny@v1").setPartition(0).setOffset(position)
                .setEventTime(Instant.parse("2026-11-28T04:00:00Z").plusSeconds(position)).build();
    }
}
