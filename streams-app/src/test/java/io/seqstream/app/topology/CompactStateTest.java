package io.seqstream.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** float16 state changes scores only by rounding h and c between events; this bounds how much. */
class CompactStateTest {
    @TempDir
    Path dir;

    @Test
    void shouldScoreWithin1e3OfFloat32StateOnRealSessions() {
        List<List<String>> sessions = TestModels.hdfsSessions("dev_abnormal", 40);
        List<Score> full = run("float32", sessions);
        List<Score> half = run("float16", sessions);

        assertThat(half).hasSameSizeAs(full);
        double maxDiff = 0;
        double sumDiff = 0;
        int sameRank = 0;
        for (int i = 0; i < full.size(); i++) {
            assertThat(half.get(i).getKey()).isEqualTo(full.get(i).getKey());
            double d = Math.abs(half.get(i).getProbability() - full.get(i).getProbability());
            maxDiff = Math.max(maxDiff, d);
            sumDiff += d;
            sameRank += half.get(i).getRank() == full.get(i).getRank() ? 1 : 0;
        }
        LoggerFactory.getLogger(CompactStateTest.class).info(
                "float16 state over {} scores: max |dp| {}, mean |dp| {}, same rank {}", full.size(), maxDiff,
                sumDiff / full.size(), sameRank);
        assertThat(maxDiff).isGreaterThan(0).isLessThan(1e-3);
        assertThat(sameRank).isGreaterThanOrEqualTo(full.size() - full.size() / 100);
    }

    private List<Score> run(String precision, List<List<String>> sessions) {
        SeqstreamConfig config = SeqstreamConfig.of(Map.of(Setting.MODEL_NAME.key(), TestModels.HDFS,
                Setting.STATE_DIR.key(), dir.resolve(precision).toString(),
                Setting.MAX_BATCH_DELAY_MS.key(), "0",
                Setting.STATE_PRECISION.key(), precision));
        Topics topics = Topics.from(config);
        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(config, ActiveModel.of(TestModels.hdfs()),
                new SeqstreamMetrics(new SimpleMeterRegistry())), StreamsSettings.build(config))) {
            TestInputTopic<byte[], byte[]> events = driver.createInputTopic(topics.events().name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            int longest = sessions.stream().mapToInt(List::size).max().orElseThrow();
            for (int t = 0; t < longest; t++) {
                for (int k = 0; k < sessions.size(); k++) {
                    if (t < sessions.get(k).size()) {
                        events.pipeInput(("blk-" + k).getBytes(StandardCharsets.UTF_8),
                                ("{\"token\":\"" + sessions.get(k).get(t) + "\"}").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return driver.createOutputTopic(topics.scores().name(), topics.scores().keySerde().deserializer(),
                    topics.scores().valueSerde().deserializer()).readValuesToList();
        }
    }
}
