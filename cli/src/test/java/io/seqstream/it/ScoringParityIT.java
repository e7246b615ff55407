package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interleaved keys on a real broker score exactly like each key's whole sequence offline, and batches span the
 * partitions of a stream thread.
 */
class ScoringParityIT {
    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path stateDir;

    @Test
    void shouldScoreInterleavedKeysLikeTheirWholeSequencesOffline() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, stateDir, Map.of());
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 8);
        int events = sessions.values().stream().mapToInt(List::size).sum();

        try (ScoringApp app = ScoringApp.start(env.config, TestModels.hdfs(), new SimpleMeterRegistry())) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            env.publishInterleaved(sessions, 0, Integer.MAX_VALUE);

            List<Score> scores = env.readScores(events, Duration.ofSeconds(90));

            assertThat(scores).hasSize(events);
            ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, TestModels.hdfs());
            assertThat(scores).allSatisfy(s -> assertThat(s.getModel()).isEqualTo(TestModels.hdfs().label()));
        }
    }

    @Test
    void shouldBatchStepsAcrossEveryPartitionOfAStreamThread() throws Exception {
        // one stream thread owns all 3 partitions; a long delay lets every partition's events gather
        ItEnvironment env = new ItEnvironment(kafka, stateDir, Map.of(
                Setting.MAX_BATCH_DELAY_MS.key(), "1000", Setting.STREAM_THREADS.key(), "1"));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 30);
        int events = sessions.values().stream().mapToInt(List::size).sum();
        int[] keysPerPartition = new int[ItEnvironment.PARTITIONS];
        for (String key : sessions.keySet()) {
            keysPerPartition[Utils.toPositive(Utils.murmur2(ItEnvironment.utf8(key))) % ItEnvironment.PARTITIONS]++;
        }
        int mostKeysInOnePartition = Arrays.stream(keysPerPartition).max().orElseThrow();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        try (ScoringApp app = ScoringApp.start(env.config, TestModels.hdfs(), registry)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            // published once every task runs: Kafka Streams' state updater hands tasks over one by one (hundreds of
            // milliseconds apart on a loaded machine), and the commit grid steps whatever waits at each slot, so a
            // backlog published before the start could be stepped one partition at a time
            env.publishInterleaved(sessions, 0, Integer.MAX_VALUE);
            List<Score> scores = env.readScores(events, Duration.ofSeconds(90));

            ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, sessions, TestModels.hdfs());
            assertThat(registry.get(SeqstreamMetrics.BATCH_SIZE).summary().max())
                    .as("largest batch, against %s keys per partition", Arrays.toString(keysPerPartition))
                    .isGreaterThan(mostKeysInOnePartition);
        }
    }
}
