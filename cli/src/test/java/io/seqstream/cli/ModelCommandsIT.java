package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelDraft;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import io.seqstream.training.Cell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * publish, rollback and models against the in-process broker. The store holds hdfs-tiny 1 (trained), 2 (an
 * untrained random network: clearly worse) and 3 (version 1's weights again).
 */
class ModelCommandsIT {
    private static final String NAME = TestModels.HDFS;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    static Path store;
    @TempDir
    static Path data;
    static Path evalFile;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private String topic;

    @BeforeAll
    static void prepareStoreAndHeldOutData() throws Exception {
        Path source = TestModels.storeDir().resolve(NAME).resolve("1");
        Path copy = Files.createDirectories(store.resolve(NAME).resolve("1"));
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        try (LoadedModel ignored = RandomModels.create(store, NAME, Cell.LSTM, 17, 8, 16, 1)) {
            // version 2
        }
        LoadedModel trained = TestModels.hdfs();
        ModelStore.local(store).publish(NAME, new ModelDraft(trained.newNetworkCopy(), trained.vocabulary(),
                trained.manifest().trainingData(), trained.manifest().metrics(), Map.of()));
        evalFile = data.resolve("held-out.txt");
        Files.write(evalFile, TestModels.hdfsSessions("dev_normal", 60).stream()
                .map(s -> String.join(" ", s)).collect(Collectors.toList()));
    }

    @BeforeEach
    void uniqueTopic() {
        topic = kafka.uniqueName("models");
    }

    private int run(String... args) {
        CommandLine cli = SeqstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "-D", "topic.models=" + topic,
                "--store", store.toString()));
        return cli.execute(all.toArray(String[]::new));
    }

    private List<ModelAnnouncement> history() {
        return new ModelAnnouncements(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
                new SimpleMeterRegistry()).history(NAME);
    }

    @Test
    void shouldPassTheFirstVersionWithoutAnActiveOne() {
        assertThat(run("publish", NAME, "1")).as(err.toString()).isZero();

        ModelAnnouncement announced = history().get(0);
        assertThat(announced.getVersion()).isEqualTo("1");
        assertThat(announced.getAction()).isEqualTo("publish");
        assertThat(announced.getForced()).isFalse();
        assertThat(announced.getGate()).isEqualTo("passed: no active version");
        assertThat(announced.getManifestSha256()).isEqualTo(sha("1"));
        assertThat(announced.getUri()).startsWith("file:").endsWith(NAME + "/1");
    }

    @Test
    void shouldRefuseAWorseVersionAndPassAnEqualOne() {
        run("publish", NAME, "1");

        assertThat(run("publish", NAME, "2", "--eval-file", evalFile.toString())).isEqualTo(1);
        assertThat(out.toString()).contains(NAME + "@2").contains(NAME + "@1 (active)").contains("TOP-9 ACC");
        assertThat(err.toString()).contains("refused by the gate").contains("loss");
        assertThat(history()).extracting(ModelAnnouncement::getVersion).containsExactly("1");

        assertThat(run("publish", NAME, "3", "--eval-file", evalFile.toString())).as(err.toString()).isZero();
        assertThat(history()).extracting(ModelAnnouncement::getVersion).containsExactly("1", "3");
        assertThat(history().get(1).getGate()).startsWith("passed: ");
    }

    @Test
    void shouldRunTheGateOnARangeOfAnInputTopic() throws Exception {
        // held-out sequences as the topology reads them: JSON events per key, each closed with end
        String events = kafka.uniqueName("events");
        io.seqstream.app.TopicAdmin.ensureTopics(kafka.bootstrapServers(), Map.of(), List.of(events), 2);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            List<List<String>> sessions = TestModels.hdfsSessions("dev_normal", 30);
            for (int s = 0; s < sessions.size(); s++) {
                List<String> tokens = sessions.get(s);
                for (int t = 0; t < tokens.size(); t++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(events, "blk-" + s,
                            "{\"token\":\"" + tokens.get(t) + "\"" + (t == tokens.size() - 1 ? ",\"end\":true}" : "}")));
                }
            }
        }
        run("publish", NAME, "1");

        assertThat(run("publish", NAME, "2", "--eval-topic", events, "--eval-since", "1h")).isEqualTo(1);
        assertThat(out.toString()).contains("Held-out data: 30 closed sequences");
        assertThat(err.toString()).contains("refused by the gate");
        assertThat(run("publish", NAME, "3", "--eval-topic", events)).as(err.toString()).isZero();
        assertThat(history()).extracting(ModelAnnouncement::getVersion).containsExactly("1", "3");
        assertThat(run("publish", NAME, "2", "--eval-file", evalFile.toString(), "--eval-topic", events))
                .as("one source of held-out data").isEqualTo(2);
    }

    @Test
    void shouldSkipTheGateWithForceAndSaySoInTheAnnouncement() {
        run("publish", NAME, "1");

        assertThat(run("publish", NAME, "2", "--force")).isZero();

        ModelAnnouncement announced = history().get(1);
        assertThat(announced.getVersion()).isEqualTo("2");
        assertThat(announced.getForced()).isTrue();
        assertThat(announced.getGate()).isEqualTo("skipped (--force)");
    }

    @Test
    void shouldExitTwoWhenTheGateHasNoData() {
        run("publish", NAME, "1");

        assertThat(run("publish", NAME, "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--eval-file");
    }

    @Test
    void shouldRollBackToThePreviouslyActiveVersionOrTheOneNamed() {
        run("publish", NAME, "1");
        run("publish", NAME, "2", "--force");
        run("publish", NAME, "3", "--force");

        assertThat(run("rollback", NAME)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("from version 3 to 2");
        assertThat(run("rollback", NAME, "1")).isZero();

        assertThat(history()).extracting(a -> a.getVersion() + ":" + a.getAction())
                .containsExactly("1:publish", "2:publish", "3:publish", "2:rollback", "1:rollback");
        assertThat(run("rollback", NAME, "1")).isEqualTo(1);
        assertThat(err.toString()).contains("already the active version");
    }

    @Test
    void shouldRefuseARollbackWithNothingAnnounced() {
        assertThat(run("rollback", NAME)).isEqualTo(1);
        assertThat(err.toString()).contains("nothing to roll back");
    }

    @Test
    void shouldListVersionsMarkingTheActiveOne() {
        run("publish", NAME, "1");
        run("publish", NAME, "3", "--force");
        run("rollback", NAME, "1");
        out.getBuffer().setLength(0);

        assertThat(run("models")).as(err.toString()).isZero();

        List<String> lines = out.toString().lines().filter(l -> l.startsWith(NAME)).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("* (rollback)");
        assertThat(lines.get(1)).doesNotContain("*");
        assertThat(lines.get(2)).doesNotContain("*");
    }

    private static String sha(String version) {
        try {
            return ModelStore.local(store).manifestSha256(ModelRef.of(NAME, version));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
