package io.seqstream.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.engine.KeyState;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.OfflineReference;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model.shadow}: a candidate scores the same events, with its own state, into the shadow scores topic. */
class ShadowScoringTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAShadowThatReadsInputDifferently() throws Exception {
        LoadedModel served = TestModels.hdfs();
        ModelStore store = ModelStore.local(dir.resolve("store"));
        ModelStore.local(TestModels.storeDir()).download(served.manifest().ref(), dir.resolve("store"), null);
        LoadedModel numeric = RandomModels.withVocabulary(dir.resolve("store"), "metrics",
                io.seqstream.model.Vocabulary.numeric(8), 4, 8, 1, 3L);
        SeqstreamConfig config = SeqstreamConfig.of(Map.of(Setting.MODEL_NAME.key(), TestModels.HDFS,
                Setting.MODEL_SHADOW.key(), numeric.label(), Setting.STATE_DIR.key(), dir.resolve("state").toString()));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.seqstream.app.model.ServedModels.open(config,
                        store, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.shadow metrics@1 reads input differently")
                .hasMessageContaining("vocabulary kind");
    }

    @Test
    void shouldScoreEveryEventWithBothModelsIntoTheirOwnTopicsAndStores() throws Exception {
        LoadedModel served = TestModels.hdfs();
        ModelStore.local(TestModels.storeDir()).download(served.manifest().ref(), dir.resolve("store"), null);
        LoadedModel candidate = RandomModels.withVocabulary(dir.resolve("store"), TestModels.HDFS,
                served.vocabulary(), 8, 16, 1, 5L);
        SeqstreamConfig config = SeqstreamConfig.of(Map.of(Setting.MODEL_NAME.key(), TestModels.HDFS,
                Setting.MODEL_SHADOW.key(), candidate.label(), Setting.STATE_DIR.key(), dir.resolve("state").toString(),
                Setting.MAX_BATCH_DELAY_MS.key(), "0"));
        Topics topics = Topics.from(config);
        assertThat(topics.names()).contains("scores-shadow");
        List<String> session = List.of("5", "22", "11", "9");

        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(config, ActiveModel.of(served),
                ActiveModel.of(candidate), new SeqstreamMetrics(new SimpleMeterRegistry())),
                StreamsSettings.build(config), Instant.EPOCH)) {
            TestInputTopic<byte[], byte[]> events = driver.createInputTopic(topics.events().name(),
                    new ByteArraySerializer(), new ByteArraySerializer(), Instant.EPOCH, Duration.ofSeconds(1));
            for (String token : session) {
                events.pipeInput("blk".getBytes(StandardCharsets.UTF_8),
                        ("{\"token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            List<Score> main = output(driver, topics.scores());
            List<Score> shadow = output(driver, topics.shadowScores());

            assertThat(main).extracting(s -> s.getModel().toString()).containsOnly(served.label());
            assertThat(shadow).extracting(s -> s.getModel().toString()).containsOnly(candidate.label());
            float[][] expected = OfflineReference.distributions(candidate, session);
            for (int i = 0; i < session.size(); i++) {
                assertThat(shadow.get(i).getPosition()).isEqualTo(i + 1L);
                assertThat(shadow.get(i).getProbability()).isCloseTo(expected[i][shadow.get(i).getTokenId()],
                        within(1e-5));
                assertThat(main.get(i).getProbability()).isNotCloseTo(shadow.get(i).getProbability(), within(1e-6));
            }
            KeyValueStore<String, KeyState> servedState = driver.getKeyValueStore(ScoringTopology.STATE_STORE);
            KeyValueStore<String, KeyState> shadowState = driver.getKeyValueStore(ScoringTopology.SHADOW_STATE_STORE);
            assertThat(servedState.get("blk").model()).isEqualTo(served.label());
            assertThat(shadowState.get("blk").model()).isEqualTo(candidate.label());
            assertThat(output(driver, topics.anomalies()).stream().map(s -> s.getModel().toString()))
                    .as("the shadow writes no anomalies").doesNotContain(candidate.label());
        }
    }

    private static List<Score> output(TopologyTestDriver driver, TopicSpec<String, Score> topic) {
        TestOutputTopic<String, Score> out = driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        return out.readValuesToList();
    }
}
