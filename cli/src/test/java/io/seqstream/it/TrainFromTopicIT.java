package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.input.TopicSequences;
import io.seqstream.cli.SeqstreamCli;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code seqstream train --from-topic} on the in-process broker: only closed, committed, well-formed sequences. */
class TrainFromTopicIT {
    private static final int SESSIONS = 12;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldTrainOnTheClosedSequencesOfATopicRange() throws Exception {
        String topic = kafka.uniqueName("train-events");
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), Map.of(), List.of(topic), 2);
        List<List<String>> sessions = TestModels.hdfsSessions("train", SESSIONS);
        long tokens = sessions.stream().mapToLong(List::size).sum();
        // blk-0..11: one event per token, the last one with end=true (even ones carry it alone, after the tokens);
        // open-1: tokens but no end; a malformed value and a keyless record; aborted-1: a closed sequence in an
        // aborted transaction.
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            for (int i = 0; i < sessions.size(); i++) {
                List<String> s = sessions.get(i);
                for (int t = 0; t < s.size(); t++) {
                    boolean last = t == s.size() - 1;
                    send(producer, topic, "blk-" + i, "{\"token\":\"" + s.get(t) + "\""
                            + (last && i % 2 == 1 ? ",\"end\":true}" : "}"));
                }
                if (i % 2 == 0) {
                    send(producer, topic, "blk-" + i, "{\"end\":true}");
                }
            }
            send(producer, topic, "open-1", "{\"tokens\":[\"5\",\"22\"]}");
            send(producer, topic, "blk-0", "{\"token\":");
            send(producer, topic, null, "{\"token\":\"5\",\"end\":true}");
            producer.flush();
        }
        try (KafkaProducer<byte[], byte[]> transactional = kafka.producer(kafka.uniqueName("aborting"))) {
            transactional.initTransactions();
            transactional.beginTransaction();
            send(transactional, topic, "aborted-1", "{\"tokens\":[\"5\",\"5\"],\"end\":true}");
            transactional.flush();
            transactional.abortTransaction();
        }
        Path store = dir.resolve("models");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SeqstreamCli.commandLine().setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));

        int exit = cli.execute("train", "--from-topic", topic, "--bootstrap-servers", kafka.bootstrapServers(),
                "--name", "from-topic", "--store", store.toString(), "-D", "input.format=json",
                "--embedding", "4", "--hidden", "8", "--epochs", "1", "--no-progress");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains(SESSIONS + " closed sequences (" + tokens + " tokens), 1 still open, "
                + "2 bad records skipped {" + EventParser.INVALID_JSON + "=1, " + EventParser.NULL_KEY + "=1}");
        ModelManifest manifest = ModelStore.local(store).manifest(ModelRef.latest("from-topic"));
        ModelManifest.TrainingData data = manifest.trainingData();
        // One of the 12 sequences is held out for validation (10%, at least one).
        assertThat(data.sequences()).isEqualTo(SESSIONS - 1);
        Set<Long> lengths = sessions.stream().map(s -> (long) s.size()).collect(Collectors.toSet());
        assertThat(lengths).contains(tokens - data.tokens());
        assertThat(data.source()).startsWith("kafka:" + topic + "[0:0-").contains(",1:0-");
        assertThat(out.toString()).contains("Published from-topic version 1", "kafka:" + topic);

        // The same data through the reader directly: the whole topic, the last hour and explicit offsets agree.
        SeqstreamConfig config = SeqstreamConfig.of(Map.of(Setting.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers()));
        Vocabulary tokenizer = new Vocabulary(VocabularyKind.ID, false, Vocabulary.RESERVED);
        TopicSequences.Result all = TopicSequences.read(config, topic, TopicSequences.Range.all(), tokenizer,
                Duration.ofMinutes(1));
        TopicSequences.Result lastHour = TopicSequences.read(config, topic,
                TopicSequences.Range.since(Duration.ofHours(1)), tokenizer, Duration.ofMinutes(1));
        TopicSequences.Result partition0 = TopicSequences.read(config, topic,
                TopicSequences.Range.parseOffsets("0:0-"), tokenizer, Duration.ofMinutes(1));
        assertThat(all.fingerprint()).isEqualTo(data.fingerprint()).isEqualTo(lastHour.fingerprint());
        assertThat(all.tokens()).containsExactlyInAnyOrderElementsOf(sessions);
        assertThat(all.sequences()).extracting(TopicSequences.Sequence::key).doesNotContain("aborted-1", "open-1");
        assertThat(partition0.source()).matches(Pattern.quote("kafka:" + topic) + "\\[0:0-\\d+]");
        assertThat(partition0.sequences().size()).isLessThan(SESSIONS);
        assertThat(all.sequences()).containsAll(partition0.sequences());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }
}
