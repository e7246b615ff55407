package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.metrics.SeqstreamMetrics;
import org.junit.jupiter.api.Test;

class PacedLoadTest {
    @Test
    void shouldTakeEachPercentileAsTheBoundItFallsWithin() {
        long[] cumulative = new long[PacedLoad.FORWARDED_BOUNDS_MS.length + 1];
        // 100 values: 60 within 5 ms, 39 more within 100 ms, the last one within 750 ms
        for (int i = 0; i < PacedLoad.FORWARDED_BOUNDS_MS.length; i++) {
            double bound = PacedLoad.FORWARDED_BOUNDS_MS[i];
            cumulative[i] = bound < 100 ? 60 : bound < 750 ? 99 : 100;
        }
        cumulative[cumulative.length - 1] = 100;

        assertThat(PacedLoad.percentile(cumulative, 0.5)).isEqualTo(5.0);
        assertThat(PacedLoad.percentile(cumulative, 0.6)).isEqualTo(5.0);
        assertThat(PacedLoad.percentile(cumulative, 0.61)).isEqualTo(100.0);
        assertThat(PacedLoad.percentile(cumulative, 0.99)).isEqualTo(100.0);
        assertThat(PacedLoad.percentile(cumulative, 1.0)).isEqualTo(750.0);
        assertThat(PacedLoad.percentile(new long[cumulative.length], 0.5)).isNull();
        assertThat(PacedLoad.percentile(null, 0.5)).isNull();
    }

    @Test
    void shouldMeasureTheForwardingLatencyOfThePassAloneFromTheApplicationsTimer() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(EndToEndBenchmark.runHistograms());
        SeqstreamMetrics metrics = new SeqstreamMetrics(registry);
        Timer timer = registry.find(SeqstreamMetrics.EVENT_TO_SCORE_LATENCY).timer();
        assertThat(timer).isNotNull();
        // before the pass: slow scores that must not count in it
        for (int i = 0; i < 50; i++) {
            metrics.eventToScore(2_000);
        }
        PacedLoad.Totals before = new PacedLoad.Totals(0, 0, 0, 0, 0, 0, PacedLoad.Totals.forwarded(registry));
        for (int i = 0; i < 98; i++) {
            metrics.eventToScore(12);
        }
        metrics.eventToScore(180);
        metrics.eventToScore(180);
        // 2 s of wall time, 3 s of the process's CPU on 2 cores, 0.5 s compiling; 20 commits that spent 100 ms in
        // flush and 40 ms in the transaction
        PacedLoad.Totals after = new PacedLoad.Totals(2_000_000_000L, 3e9, 500, 20, 1e8, 4e7,
                PacedLoad.Totals.forwarded(registry));

        PacedLoad load = PacedLoad.between(before, after, 2);

        assertThat(load.cpuShare()).isCloseTo(0.75, within(1e-9));
        assertThat(load.jitShare()).isCloseTo(0.25, within(1e-9));
        assertThat(load.commits()).isEqualTo(20);
        assertThat(load.flushMs()).isCloseTo(5.0, within(1e-9));
        assertThat(load.transactionMs()).isCloseTo(2.0, within(1e-9));
        assertThat(load.forwardedP50Ms()).isEqualTo(15.0);
        assertThat(load.forwardedP99Ms()).isEqualTo(200.0);
    }

    @Test
    void shouldLeaveOutACounterThatWentBack() {
        // a thread's producer replaced in the pass: its flush total started again at zero
        PacedLoad load = PacedLoad.between(new PacedLoad.Totals(0, 1e9, 0, 10, 5e8, 1e7, null),
                new PacedLoad.Totals(1_000_000_000L, 2e9, 100, 20, 1e8, 3e7, null), 2);

        assertThat(load.flushMs()).isNull();
        assertThat(load.transactionMs()).isCloseTo(2.0, within(1e-9));
        assertThat(load.cpuShare()).isCloseTo(0.5, within(1e-9));
        assertThat(load.commits()).isEqualTo(10);
    }

    @Test
    void shouldLeaveOutWhatWasNotMeasured() {
        long[] none = null;
        PacedLoad load = PacedLoad.between(new PacedLoad.Totals(0, Double.NaN, Double.NaN, 0, 0, 0, none),
                new PacedLoad.Totals(1_000_000_000L, Double.NaN, Double.NaN, 0, 0, 0, none), 2);

        assertThat(load).isEqualTo(new PacedLoad(null, null, 0, null, null, null, null));
    }
}
