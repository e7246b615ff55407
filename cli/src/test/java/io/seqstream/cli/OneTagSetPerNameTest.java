package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class OneTagSetPerNameTest {
    @Test
    void shouldKeepTheFirstTagKeySetOfANameAndQuietlyRefuseOthers() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new OneTagSetPerName());

        registry.counter("kafka.records.consumed", "client.id", "c1", "topic", "events").increment(3);
        registry.counter("kafka.records.consumed", "client.id", "c1").increment(5); // per client: refused
        registry.counter("kafka.records.consumed", "client.id", "c2", "topic", "events").increment(1);

        String scrape = registry.scrape();
        assertThat(scrape).contains("kafka_records_consumed_total{client_id=\"c1\",topic=\"events\"} 3.0")
                .contains("kafka_records_consumed_total{client_id=\"c2\",topic=\"events\"} 1.0")
                .doesNotContain("kafka_records_consumed_total{client_id=\"c1\"} 5.0");
        assertThat(registry.find("kafka.records.consumed").counters()).hasSize(2);
    }
}
