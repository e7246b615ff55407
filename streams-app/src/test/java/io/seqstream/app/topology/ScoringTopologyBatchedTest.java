package io.seqstream.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.schemas.v1.Score;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole suite with batching on under exactly-once — batched scores must equal the offline reference
 * exactly as unbatched ones do — plus what is particular to batching.
 */
class ScoringTopologyBatchedTest extends ScoringTopologyTest {
    @Override
    protected String guarantee() {
        return "exactly_once_v2";
    }

    @Override
    protected long batchDelayMs() {
        return 20;
    }

    @Test
    void shouldHoldEventsUntilTheDelayPassesThenStepThemInWavesOfDistinctKeys() {
        start(Map.of());
        for (int t = 0; t < 4; t++) {
            for (String key : List.of("a", "b", "c")) {
                send(key, "{\"token\":\"5\"}");
            }
        }
        assertThat(scores().isEmpty()).as("nothing scored before the batch delay").isTrue();
        assertThat(pendingStore().approximateNumEntries()).isEqualTo(12);

        driver().advanceWallClockTime(Duration.ofMillis(40));

        List<Score> got = scores().readValuesToList();
        assertThat(got).hasSize(12);
        // every key keeps its order; each wave holds one step of each key
        for (String key : List.of("a", "b", "c")) {
            assertThat(got.stream().filter(s -> s.getKey().equals(key)).map(Score::getPosition))
                    .containsExactly(1L, 2L, 3L, 4L);
        }
        DistributionSummary batches = registry().get(SeqstreamMetrics.BATCH_SIZE).summary();
        assertThat(batches.count()).isEqualTo(4);
        assertThat(batches.max()).isEqualTo(3.0);
        assertThat(pendingStore().approximateNumEntries()).isZero();
    }

    @Test
    void shouldFlushAsSoonAsABatchIsFull() {
        start(Map.of(io.seqstream.app.config.Setting.MAX_BATCH_SIZE.key(), "4"));
        for (String key : List.of("a", "b", "c", "d")) {
            send(key, "{\"token\":\"5\"}");
        }

        assertThat(scores().readValuesToList()).hasSize(4);
        assertThat(registry().get(SeqstreamMetrics.BATCH_SIZE).summary().max()).isEqualTo(4.0);
    }

    @Test
    void shouldStepEveryWaitingEventAtEachCommitIntervalWhateverTheBatchDelay() {
        start(Map.of(io.seqstream.app.config.Setting.MAX_BATCH_DELAY_MS.key(), "60000",
                io.seqstream.app.config.Setting.COMMIT_INTERVAL_MS.key(), "100"));
        driver().advanceWallClockTime(Duration.ofMillis(10)); // the grid's first slot starts
        for (String key : List.of("a", "b", "c")) {
            send(key, "{\"token\":\"5\"}");
        }

        driver().advanceWallClockTime(Duration.ofMillis(50));
        assertThat(scores().isEmpty()).as("nothing scored within the slot the events arrived in").isTrue();

        driver().advanceWallClockTime(Duration.ofMillis(50));
        assertThat(scores().readValuesToList()).as("scored when the next slot starts, 59.9 s before the batch delay")
                .extracting(Score::getKey).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(pendingStore().approximateNumEntries()).isZero();
    }
}
