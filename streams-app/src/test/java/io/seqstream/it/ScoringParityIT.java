package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Interleaved keys on a real broker score exactly like each key's whole sequence offline. */
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
}
