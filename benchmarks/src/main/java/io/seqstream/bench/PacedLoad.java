package io.seqstream.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.seqstream.app.metrics.SeqstreamMetrics;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a paced pass cost the machine and where its latency went, to read its p99 by: how busy the process kept the
 * cores (the paced rate is half the backlog's, which is not half the machine), the commits and what each one made the
 * stream threads wait for, and, for the scoring topology, how long after its event each score was handed to the
 * producer — the rest of an event's latency is mostly the wait for the commit that makes the score visible.
 *
 * @param cpuShare       the whole process's CPU time over the pass's wall time and the machine's cores (1 = every
 *                       core busy all the time); null where the JVM does not report it
 * @param jitShare       the JIT compiler's time over the pass's wall time (summed over its threads: one busy
 *                       compiler thread is 1); null where not reported
 * @param commits        commits of the stream threads in the pass
 * @param flushMs        per commit, the time the stream threads' producers spent in {@code flush}: sending what was
 *                       buffered and awaiting its acknowledgements, once per task; null without commits
 * @param transactionMs  per commit, the time spent sending the offsets to the transaction and committing it; null
 *                       without commits
 * @param forwardedP50Ms the median time from an event's timestamp to its score's forwarding to the producer, as an
 *                       upper bound from {@link #FORWARDED_BOUNDS_MS}; null for a topology that does not report it
 * @param forwardedP99Ms the same at the 99th percentile
 */
record PacedLoad(Double cpuShare, Double jitShare, long commits, Double flushMs, Double transactionMs,
                 Double forwardedP50Ms, Double forwardedP99Ms) {

    /** Upper bounds (ms) of the bench's histogram of {@link SeqstreamMetrics#EVENT_TO_SCORE_LATENCY}. */
    static final double[] FORWARDED_BOUNDS_MS = {5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130,
        140, 150, 175, 200, 250, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000};

    /** {@link #FORWARDED_BOUNDS_MS} in nanoseconds, a timer's histogram unit. */
    static double[] forwardedBoundsNanos() {
        return Arrays.stream(FORWARDED_BOUNDS_MS).map(ms -> ms * 1e6).toArray();
    }

    /**
     * The counters a pass is measured between.
     *
     * @param forwarded the number of scores forwarded within each of {@link #FORWARDED_BOUNDS_MS} (cumulative), with
     *                  the total last; null where the application has no such timer
     */
    record Totals(long nanoTime, double processCpuNs, double jitMs, double commits, double flushNs,
                  double transactionNs, long[] forwarded) {
        /** Now, for the application {@code streams}; {@code registry}, its meters, or null for none. */
        static Totals of(KafkaStreams streams, MeterRegistry registry) {
            return new Totals(System.nanoTime(), EndToEndBenchmark.processCpuNanos(), EndToEndBenchmark.jitMillis(),
                    EndToEndBenchmark.metricSum(streams, "stream-thread-metrics", "commit-total"),
                    EndToEndBenchmark.metricSum(streams, "producer-metrics", "flush-time-ns-total"),
                    EndToEndBenchmark.metricSum(streams, "producer-metrics", "txn-send-offsets-time-ns-total")
                            + EndToEndBenchmark.metricSum(streams, "producer-metrics", "txn-commit-time-ns-total"),
                    forwarded(registry));
        }

        /** The scores forwarded so far within each bound, and in all (last); null where {@code registry} has none. */
        static long[] forwarded(MeterRegistry registry) {
            Timer timer = registry == null ? null
                    : registry.find(SeqstreamMetrics.EVENT_TO_SCORE_LATENCY).tag("role", "served").timer();
            if (timer == null) {
                return null;
            }
            HistogramSnapshot snapshot = timer.takeSnapshot();
            long[] counts = Arrays.copyOf(EndToEndBenchmark.countsWithin(snapshot, FORWARDED_BOUNDS_MS,
                    bucket -> bucket.bucket(TimeUnit.MILLISECONDS)), FORWARDED_BOUNDS_MS.length + 1);
            counts[FORWARDED_BOUNDS_MS.length] = snapshot.count();
            return counts;
        }
    }

    /**
     * The pass between {@code before} and {@code after} on a machine of {@code cores} cores. A counter that went back
     * (Kafka Streams replaced a thread's producer, whose totals start again at zero) leaves its figure out.
     */
    static PacedLoad between(Totals before, Totals after, int cores) {
        double seconds = (after.nanoTime() - before.nanoTime()) / 1e9;
        double commits = after.commits() - before.commits();
        long counted = commits > 0 ? Math.round(commits) : 0;
        long[] forwarded = before.forwarded() == null || after.forwarded() == null ? null
                : EndToEndBenchmark.minus(after.forwarded(), before.forwarded());
        return new PacedLoad(rate(after.processCpuNs() - before.processCpuNs(), 1e9 * seconds * cores),
                rate(after.jitMs() - before.jitMs(), 1e3 * seconds), counted,
                counted > 0 ? rate(after.flushNs() - before.flushNs(), 1e6 * counted) : null,
                counted > 0 ? rate(after.transactionNs() - before.transactionNs(), 1e6 * counted) : null,
                percentile(forwarded, 0.50), percentile(forwarded, 0.99));
    }

    /** This pass on one line, as the bench's table and progress print it. */
    String summary() {
        return String.format(Locale.ROOT, "CPU %3s%%, JIT %3s%%, %,6d commits, per commit: flush %s ms, transaction %s "
                        + "ms; forwarded after %s | %s ms", BenchReport.num(BenchReport.percent(cpuShare), "%.0f"),
                BenchReport.num(BenchReport.percent(jitShare), "%.0f"), commits, BenchReport.num(flushMs, "%.1f"),
                BenchReport.num(transactionMs, "%.1f"), BenchReport.num(forwardedP50Ms, "≤%.0f"),
                BenchReport.num(forwardedP99Ms, "≤%.0f"));
    }

    /**
     * The smallest bound within which at least {@code q} of the counted values fall; null for no counts or where
     * they fall beyond the last bound.
     */
    static Double percentile(long[] cumulative, double q) {
        if (cumulative == null || cumulative[cumulative.length - 1] <= 0) {
            return null;
        }
        double needed = q * cumulative[cumulative.length - 1];
        for (int i = 0; i < FORWARDED_BOUNDS_MS.length; i++) {
            if (cumulative[i] >= needed) {
                return FORWARDED_BOUNDS_MS[i];
            }
        }
        return null;
    }

    /** {@code delta / per}; null where it is not a finite, non-negative number. */
    private static Double rate(double delta, double per) {
        double value = delta / per;
        return Double.isFinite(value) && value >= 0 ? value : null;
    }
}
