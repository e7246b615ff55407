package io.seqstream.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.testing.TestModels;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SeqstreamMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SeqstreamMetrics metrics = new SeqstreamMetrics(registry);

    @Test
    void shouldGaugeOnlyTheActiveVersionWithItsLabelAndRole() {
        try (ActiveModel models = ActiveModel.of(TestModels.hdfs())) {
            metrics.trackActiveModel(models);

            assertThat(registry.get(SeqstreamMetrics.MODEL_ACTIVE).tag("model", TestModels.hdfs().label())
                    .tag("role", "served").gauge().value()).isEqualTo(1.0);

            metrics.activeModel("hdfs-tiny@99");

            assertThat(registry.find(SeqstreamMetrics.MODEL_ACTIVE).gauges()).singleElement()
                    .extracting(g -> g.getId().getTag("model")).isEqualTo("hdfs-tiny@99");
        }
    }

    @Test
    void shouldRecordEventToScoreLatencyAsAPrometheusHistogramClampingClockSkew() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SeqstreamMetrics exported = new SeqstreamMetrics(prometheus);

        exported.eventToScore(250);
        exported.eventToScore(-5);

        var timer = prometheus.get(SeqstreamMetrics.EVENT_TO_SCORE_LATENCY).timer();
        assertThat(timer.count()).isEqualTo(2);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(250.0);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).as("the negative one counts as 0").isEqualTo(250.0);
        assertThat(prometheus.scrape())
                .contains("seqstream_event_to_score_latency_seconds_bucket{role=\"served\",le=\"+Inf\"} 2");
    }

    @Test
    void shouldShowBothSwapOutcomesFromTheStartAndGaugeKeysInState() {
        AtomicLong keys = new AtomicLong(7);
        metrics.keysInState(keys, AtomicLong::doubleValue);

        assertThat(registry.get(SeqstreamMetrics.MODEL_SWAPS).tag("outcome", "activated").timer().count()).isZero();
        assertThat(registry.get(SeqstreamMetrics.MODEL_SWAPS).tag("outcome", "rejected").timer().count()).isZero();
        assertThat(registry.get(SeqstreamMetrics.KEYS_IN_STATE).gauge().value()).isEqualTo(7.0);
    }

    @Test
    void shouldBindTheJvmsOwnMeters() throws Exception {
        try (AutoCloseable gc = SeqstreamMetrics.bindJvmMetrics(registry)) {
            assertThat(registry.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
                    .contains("jvm.memory.used", "jvm.threads.live", "jvm.classes.loaded", "process.cpu.usage",
                            "process.uptime", "system.cpu.count");
        }
    }
}
