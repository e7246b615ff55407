package io.seqstream.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.app.state.BlobFiles;
import io.seqstream.model.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeqstreamConfigTest {

    @Test
    void shouldDefaultToExactlyOnceAndDocumentedTopics() {
        SeqstreamConfig config = SeqstreamConfig.of(Map.of());

        assertThat(config.string(Setting.PROCESSING_GUARANTEE)).isEqualTo("exactly_once_v2");
        assertThat(config.string(Setting.DEAD_LETTER_TOPIC)).isEqualTo("events-dlq");
        Properties streams = StreamsSettings.build(config);
        assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
    }

    @Test
    void shouldKeepStatesInBlobFilesOnlyWhenTurnedOnAndTheUserSetsNoRocksDbSetterOfTheirOwn() {
        String setter = StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG;

        assertThat(StreamsSettings.build(SeqstreamConfig.of(Map.of()))).doesNotContainKey(setter);
        assertThat(StreamsSettings.build(SeqstreamConfig.of(Map.of("state.blob-files", "true"))).get(setter))
                .isEqualTo(BlobFiles.class);
        assertThat(StreamsSettings.build(SeqstreamConfig.of(Map.of("state.blob-files", "true",
                "kafka.rocksdb.config.setter", "com.example.Mine"))).get(setter)).isEqualTo("com.example.Mine");
    }

    @Test
    void shouldLeaveKafkaStreamsItsOwnCommitIntervalTenTimesTheSettingWithinTheTransactionTimeout() {
        assertThat(scoringCommitInterval(Map.of())).as("default 100 ms").isEqualTo(1000L);
        assertThat(scoringCommitInterval(Map.of("commit.interval.ms", "2000")))
                .as("exactly-once's transaction timeout, 10 s, is the most Kafka Streams accepts").isEqualTo(10_000L);
        String timeout = "kafka.producer.transaction.timeout.ms";
        assertThat(scoringCommitInterval(Map.of("commit.interval.ms", "2000", timeout, "60000")))
                .isEqualTo(20_000L);
        assertThat(scoringCommitInterval(Map.of("commit.interval.ms", "30000", timeout, "60000")))
                .as("ten times the setting, capped by the user's transaction timeout").isEqualTo(60_000L);
        assertThat(scoringCommitInterval(Map.of("kafka.commit.interval.ms", "300")))
                .as("the user's own").isEqualTo(300L);
        assertThat(StreamsSettings.build(SeqstreamConfig.of(Map.of())).get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
                .as("any other application").isEqualTo(100L);
    }

    private static Object scoringCommitInterval(Map<String, String> settings) {
        // Kafka Streams' own validation runs in its constructor
        return new StreamsConfig(StreamsSettings.scoring(SeqstreamConfig.of(settings)))
                .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    @Test
    void shouldLayerFileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.properties"),
                "score.top-g=3\nscore.top-k=4\nmodel.name=fromfile\nkafka.linger.ms=7\n");

        SeqstreamConfig config = SeqstreamConfig.load(file, Map.of("SEQSTREAM_SCORE_TOP_K", "6"),
                Map.of("model.name", "hdfs", "model.version", "2"));

        assertThat(config.integer(Setting.TOP_G)).isEqualTo(3);
        assertThat(config.integer(Setting.TOP_K)).isEqualTo(6);
        assertThat(config.modelRef()).isEqualTo(ModelRef.of("hdfs", "2"));
        assertThat(StreamsSettings.build(config).get("linger.ms")).isEqualTo("7");
    }

    @Test
    void shouldRefuseUnknownSettingsAndBadValuesWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.topg", "3")))
                .hasMessageContaining("Unknown setting 'score.topg'");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.top-g", "0")))
                .hasMessageContaining("score.top-g");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("input.format", "xml")))
                .hasMessageContaining("text, json or avro");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("processing.guarantee", "exactly_once")))
                .hasMessageContaining("exactly_once_v2");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.anomaly-rule", "rank")))
                .hasMessageContaining("score.anomaly-rule must be top-g, calibrated or either, got rank");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.calibrated-threshold", "1.5")))
                .hasMessageContaining("score.calibrated-threshold must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.calibrated-threshold", "high")))
                .hasMessageContaining("score.calibrated-threshold must be in (0, 1], got high");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.numeric-window", "32", "score.numeric-history",
                "20"))).hasMessageContaining("score.numeric-history from the window to 20000, got 32 and 20");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.numeric-window", "-1")))
                .hasMessageContaining("score.numeric-window must be 0 to 1024");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("score.numeric-floor", "9")))
                .hasMessageContaining("score.numeric-floor must be 0 to 8 windows, got 9");
        assertThat(SeqstreamConfig.of(Map.of("score.numeric-window", "0", "score.numeric-history", "0"))
                .integer(Setting.NUMERIC_WINDOW)).as("off: no history needed").isZero();
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of("engine.blas-threads", "-1")))
                .hasMessageContaining("engine.blas-threads must be 0 (one per core) or more, got -1");
        assertThatThrownBy(() -> SeqstreamConfig.of(Map.of()).modelRef()).hasMessageContaining("model.name");
    }

    @Test
    void shouldNameEnvironmentVariablesAfterKeys() {
        assertThat(Setting.DEAD_LETTER_TOPIC.environmentVariable()).isEqualTo("SEQSTREAM_TOPIC_DEAD_LETTER");
    }
}
