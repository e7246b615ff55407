package io.seqstream.cli;

import static io.seqstream.cli.ScoreLinesTest.score;
import static io.seqstream.cli.ScoreLinesTest.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.topology.Topics;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code seqstream tail} against the in-process broker. Records are written with the application's own serdes
 * ({@link Topics} with {@code output.format} json and avro), mixed on one topic, as after a format change.
 */
class TailCommandIT {
    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private String scoresTopic;
    private String summariesTopic;
    private Topics json;
    private Topics avro;

    @BeforeEach
    void uniqueTopics() {
        scoresTopic = kafka.uniqueName("scores");
        summariesTopic = kafka.uniqueName("summaries");
        json = topics("json");
        avro = topics("avro");
    }

    private Topics topics(String format) {
        return Topics.from(SeqstreamConfig.of(Map.of(Setting.SCORES_TOPIC.key(), scoresTopic,
                Setting.SUMMARIES_TOPIC.key(), summariesTopic, Setting.OUTPUT_FORMAT.key(), format)));
    }

    private int tail(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("tail", "--bootstrap-servers", kafka.bootstrapServers(),
                "-D", "topic.scores=" + scoresTopic, "-D", "topic.summaries=" + summariesTopic));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }

    private void send(String topic, String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            producer.send(new ProducerRecord<>(topic, 0, utf8(key), value));
            producer.flush();
        }
    }

    private byte[] asJson(Score s) {
        return json.scores().valueSerde().serializer().serialize(scoresTopic, s);
    }

    private byte[] asAvro(Score s) {
        return avro.scores().valueSerde().serializer().serialize(scoresTopic, s);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintJsonAndAvroScoresAsTheQuickstartDoes() {
        kafka.createTopics(1, scoresTopic);
        send(scoresTopic, "blk-1", asJson(score("blk-1", 1, "E5", 0.9123, 1, false, "hdfs-tiny@3")));
        send(scoresTopic, "blk-1", asAvro(score("blk-1", 2, "E22", 0.0012, 9, true, "hdfs-tiny@3")));

        assertThat(tail("--from-beginning", "--exit-at-end")).isZero();

        assertThat(lines()).containsExactly(
                "blk-1          @3  #1   E5     p=0.912  top3=[E5:0.91 E9:0.05 E2:0.02]",
                "blk-1          @3  #2   E22    p=0.001  top3=[E5:0.91 E9:0.05 E2:0.02]  ANOMALY (rank 9)");
        assertThat(out.toString()).as("plain text where the output is no terminal").doesNotContain("\u001B[");
        assertThat(err.toString()).doesNotContain("skipped");
    }

    @Test
    void shouldPrintEachSummaryOnOneLine() {
        kafka.createTopics(1, summariesTopic);
        SequenceSummary ended = summary("blk-1", SummaryReason.END, 12, 3.4012, 1);
        SequenceSummary expired = summary("blk-2", SummaryReason.EXPIRED, 5, 2.0, 0);
        send(summariesTopic, "blk-1", json.summaries().valueSerde().serializer().serialize(summariesTopic, ended));
        send(summariesTopic, "blk-2", avro.summaries().valueSerde().serializer().serialize(summariesTopic, expired));

        assertThat(tail("--topic", "summaries", "--from-beginning", "--max", "2", "--timeout", "60s")).isZero();

        assertThat(lines()).containsExactly(
                "blk-1          ended: 12 tokens, perplexity 3.40, 1 anomalous",
                "blk-2          expired: 5 tokens, perplexity 2.00, 0 anomalous");
    }

    @Test
    void shouldPrintOnlyTheGivenKeysFromEveryPartition() {
        kafka.createTopics(3, scoresTopic);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            for (int p = 0; p < 3; p++) {
                for (String key : List.of("blk-a", "blk-b", "blk-c")) {
                    producer.send(new ProducerRecord<>(scoresTopic, p, utf8(key),
                            asAvro(score(key, p + 1, "E5", 0.5, 1, false, "hdfs-tiny@1"))));
                }
            }
            producer.flush();
        }

        assertThat(tail("--from-beginning", "--exit-at-end", "--key", "blk-b", "--key", "blk-c")).isZero();

        assertThat(lines()).hasSize(6).allMatch(l -> l.startsWith("blk-b ") || l.startsWith("blk-c "));
        assertThat(lines()).filteredOn(l -> l.startsWith("blk-b ")).extracting(l -> l.split(" +")[2])
                .containsExactlyInAnyOrder("#1", "#2", "#3");
    }

    @Test
    void shouldPassJsonThroughAndConvertAvroToJson() throws Exception {
        kafka.createTopics(1, scoresTopic);
        Score fromAvro = score("blk-1", 2, "E22", 0.0012, 9, true, "hdfs-tiny@3");
        String written = new String(asJson(score("blk-1", 1, "E5", 0.9, 1, false, "hdfs-tiny@3")),
                StandardCharsets.UTF_8);
        String fromNewerWriter = written.substring(0, written.length() - 1) + ",\"addedLater\":1}";
        send(scoresTopic, "blk-1", utf8(fromNewerWriter));
        send(scoresTopic, "blk-1", asAvro(fromAvro));
        send(scoresTopic, "blk-1", utf8("{\n  \"pretty\": true,\n" + fromNewerWriter.substring(1)));

        assertThat(tail("--from-beginning", "--exit-at-end", "--json")).isZero();

        List<String> lines = lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).as("JSON passes through as written").isEqualTo(fromNewerWriter);
        assertThat(SchemaJson.read(lines.get(1), Score.class)).isEqualTo(fromAvro);
        assertThat(lines.get(2)).as("on one line").startsWith("{\"pretty\":true,").contains("\"addedLater\":1");
    }

    @Test
    void shouldReportUnreadableRecordsOnStderrAndGoOn() {
        kafka.createTopics(1, scoresTopic);
        Score first = score("blk-1", 1, "E5", 0.9, 1, false, "hdfs-tiny@1");
        Score last = score("blk-1", 2, "E5", 0.9, 1, false, "hdfs-tiny@1");
        send(scoresTopic, "blk-1", asJson(first));
        send(scoresTopic, "blk-1", utf8("garbage"));
        send(scoresTopic, "blk-1", AvroSingleObject.encode(summary("blk-1", SummaryReason.END, 1, 1.0, 0)));
        send(scoresTopic, "blk-1", null);
        send(scoresTopic, "blk-1", utf8("{\"key\":\"blk-1\"}"));
        send(scoresTopic, "blk-1", asAvro(last));

        assertThat(tail("--from-beginning", "--exit-at-end")).isZero();

        assertThat(lines()).containsExactly(ScoreLines.score(first, CommandLine.Help.Ansi.OFF),
                ScoreLines.score(last, CommandLine.Help.Ansi.OFF));
        List<String> skipped = err.toString().lines().filter(l -> l.startsWith("skipped: ")).toList();
        assertThat(skipped).hasSize(4);
        assertThat(skipped.get(0)).startsWith("skipped: " + scoresTopic + "-0 offset 1: not a JSON Score");
        assertThat(skipped.get(1)).startsWith("skipped: " + scoresTopic + "-0 offset 2: not an Avro Score")
                .contains("fingerprint");
        assertThat(skipped.get(2)).isEqualTo("skipped: " + scoresTopic + "-0 offset 3: no value");
        assertThat(skipped.get(3)).startsWith("skipped: " + scoresTopic + "-0 offset 4: not a JSON Score");
        assertThat(skipped).allMatch(l -> l.length() < 240);
    }

    @Test
    void shouldNotPrintRecordsOfAbortedTransactions() {
        kafka.createTopics(1, scoresTopic);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(kafka.uniqueName("tail-tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(scoresTopic, utf8("aborted"),
                    asJson(score("aborted", 1, "E5", 0.9, 1, false, "hdfs-tiny@1"))));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(scoresTopic, utf8("committed"),
                    asJson(score("committed", 1, "E5", 0.9, 1, false, "hdfs-tiny@1"))));
            producer.commitTransaction();
        }

        assertThat(tail("--from-beginning", "--exit-at-end")).isZero();

        assertThat(lines()).hasSize(1).allMatch(l -> l.startsWith("committed "));
    }

    @Test
    void shouldFollowFromTheEndUntilMaxRecords() throws Exception {
        kafka.createTopics(2, scoresTopic);
        send(scoresTopic, "old", asJson(score("old", 1, "E5", 0.9, 1, false, "hdfs-tiny@1")));

        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> tail("--max", "2", "--timeout", "60s"));
        await("tail positioned at the end").atMost(Duration.ofSeconds(30))
                .until(() -> err.toString().contains("Following '" + scoresTopic + "' (2 partitions) from the end"));
        send(scoresTopic, "new", asJson(score("new", 1, "E5", 0.9, 1, false, "hdfs-tiny@1")));
        send(scoresTopic, "new", asAvro(score("new", 2, "E5", 0.9, 1, false, "hdfs-tiny@1")));

        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(lines()).hasSize(2).allMatch(l -> l.startsWith("new "));
    }

    @Test
    void shouldExitOneWhenTheTimeoutComesBeforeMaxRecords() {
        kafka.createTopics(1, scoresTopic);
        send(scoresTopic, "blk-1", asJson(score("blk-1", 1, "E5", 0.9, 1, false, "hdfs-tiny@1")));

        assertThat(tail("--from-beginning", "--max", "3", "--timeout", "2s")).isEqualTo(1);

        assertThat(lines()).hasSize(1);
        assertThat(err.toString()).contains("timed out after 2s with 1 of 3 records");
    }

    @Test
    void shouldWaitForATopicThatDoesNotExistYet() {
        assertThat(tail("--topic", "summaries", "--timeout", "1s")).isZero();

        assertThat(err.toString()).contains("Waiting for topic '" + summariesTopic + "' to exist");
        assertThat(out.toString()).isEmpty();
    }
}
