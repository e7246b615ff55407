package io.seqstream.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.SendFailures;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.app.topology.Topics;
import io.seqstream.kafka.EmbeddedKafkaCluster;
import io.seqstream.model.LoadedModel;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * End to end on the in-process broker: each topology (the count baseline, then scoring with each model) gets
 * its own topics, filled with the same input, and runs two passes in one application instance:
 * <ol>
 *   <li><b>Backlog</b>: all {@code records} events are produced first; the application starts; throughput
 *       is the number of events over the time from the application reaching RUNNING to the last output
 *       arriving at a {@code read_committed} consumer (so only committed output counts).</li>
 *   <li><b>Paced</b>: then, for {@code pacedLeadIn} and then {@code pacedDuration}, new events are produced at
 *       half the backlog throughput, each stamped with its send time; latency is receipt time minus that
 *       timestamp, which the output record carries over; p50 and p99, the batches stepped and the pass's costs
 *       over the events sent after the lead-in.</li>
 * </ol>
 * Where the backlog does not drain within {@code backlogTimeout}, throughput is what had been committed by
 * then (the result says it is partial) and the paced pass runs in a fresh application on fresh topics, so it
 * does not queue behind the unfinished backlog.
 *
 * <p>Input: a {@link Workload}'s JSON events; the count topology and the scoring topologies of one workload read
 * the very same records.
 */
final class EndToEndBenchmark implements AutoCloseable {
    static final String COUNT = "count";
    /** Longest wait for the paced outputs once the paced input is all produced. */
    private static final Duration PACED_DRAIN = Duration.ofSeconds(20);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final int WARM_UP_RECORDS = 50_000;
    /** A warm-up with the JIT compiling for at most this share of its time ends the warm-up. */
    static final double JIT_QUIET = 0.10;
    /** The default of {@link Settings#warmUps()}. */
    static final int DEFAULT_WARM_UPS = 4;

    /**
     * The paced input producer's {@code linger.ms}: the Kafka producer's own default since 4.0, as the producer of a
     * log shipper or an application would run it; the latency it adds counts (an event's timestamp is its send
     * time). At 0 the input went out as a request per few events, and the broker's extra work took 9–12 % of the
     * machine in the HDFS paced pass (CPU 92–93 % against 81–83 % at 5 ms, p99 386–392 against 263–286 ms).
     */
    static final int PACED_LINGER_MS = 5;
    /** Warm-ups of one topology stop after this much time per warm-up allowed (60 s at the default 4). */
    private static final Duration WARM_UP_BUDGET_PER_RUN = Duration.ofSeconds(15);

    /**
     * @param overrides seqstream settings for every application (e.g. {@code max.batch.size}); the benchmark
     *                  sets the topics, application ids, state directory and model itself
     * @param warmUp    run the count topology once, unmeasured, before the measured runs (the JIT warms up
     *                  on the Kafka clients' paths, which every topology shares)
     * @param finishBy  {@link System#nanoTime()} by which every run should be done: a backlog's timeout
     *                  shrinks so that the runs still to come fit before it
     * @param runs      measured runs planned (count, small, large), to share the time left among them
     * @param pacedLeadIn how long each paced pass runs at its rate before its latencies and its costs are measured
     *                  (the benchmark's warm-up at the rate, as the OpenMessaging Benchmark runs one before its test)
     */
    record Settings(int records, int partitions, Duration backlogTimeout, Duration pacedDuration, Double pacedRate,
                    int warmUps, long seed, Map<String, String> overrides, Path workDir, long finishBy,
                    int runs, Duration pacedLeadIn) {
        Settings {
            overrides = Map.copyOf(overrides);
            if (records < 1 || partitions < 1) {
                throw new IllegalArgumentException("records and partitions must be positive");
            }
            if (pacedLeadIn.isNegative()) {
                throw new IllegalArgumentException("the paced lead-in must be 0 or more, got " + pacedLeadIn);
            }
            if (warmUps < 0) {
                throw new IllegalArgumentException("warm-ups must be 0 or more, got " + warmUps);
            }
        }
    }

    /**
     * @param topology     the run's label ({@code count}, {@code small}, {@code hdfs-count}, {@code hdfs})
     * @param baseline     the label of the count run on the same workload; null for a count run
     * @param complete     whether the whole backlog was processed within the timeout
     * @param pacedRate    the rate the paced pass was produced at, events/s
     * @param pacedEvents  paced events sent after the lead-in
     * @param pacedScored  outputs of those events that arrived
     * @param backlogBatches the batches the scoring application stepped in the backlog; null for a count run
     * @param pacedBatches those it stepped in the paced pass after the lead-in; null for a count run
     * @param pacedLoad    what the paced pass cost the machine and where its latency went; null where not measured
     */
    record Result(String topology, String workload, String baseline, long records, long processed, boolean complete,
                  double seconds, double eventsPerSecond, double pacedRate, long pacedEvents, long pacedScored,
                  Double p50Ms, Double p99Ms, String note, Bytes bytes, Batches backlogBatches,
                  Batches pacedBatches, ThreadTime backlogThread, PacedLoad pacedLoad) {
    }

    /**
     * Where the stream threads' time went in the backlog, from Kafka Streams' own thread metrics: the share blocked
     * on Kafka ({@code blocked-time-ns-total}: polls, the producer's flush and the transaction's commit), and the
     * commits; and how busy the JIT compiler was meanwhile, which on a small machine takes its cores from the
     * stream thread and the broker.
     *
     * @param blockedShare  blocked time over the backlog's wall time, summed over stream threads
     * @param commits       commits in the backlog
     * @param commitMsAvg   mean commit latency (Kafka Streams' windowed {@code commit-latency-avg})
     * @param jitShare      the JVM's compilation time over the backlog's wall time (summed over compiler threads, so
     *                      it can pass 1); null where the JVM does not report it
     * @param cpuSeconds    CPU time the stream threads used in the backlog (user and system, the JVM's per-thread
     *                      clock); null where the JVM does not measure thread CPU time. Per input event it is the
     *                      topology's own cost, steadier than events/s on a shared machine: it leaves out the broker,
     *                      the JIT compiler and other processes, which take the cores' time without adding to it
     * @param processCpuSeconds CPU time of the whole bench process in the backlog: the stream threads, their
     *                      producers, Kafka Streams' and RocksDB's background threads, the in-process broker, the
     *                      bench's output reader (the input was produced before), the JIT compiler and the GC; null
     *                      where not measured
     */
    record ThreadTime(Double blockedShare, long commits, Double commitMsAvg, Double jitShare, Double cpuSeconds,
                      Double processCpuSeconds) {
        /**
         * Totals so far: blocked nanoseconds, commits, compilation milliseconds, stream threads' and the process's
         * CPU nanoseconds.
         */
        record Totals(double blockedNs, double commits, double jitMs, double cpuNs, double processCpuNs) {
            static Totals of(KafkaStreams streams) {
                return new Totals(sum(streams, "blocked-time-ns-total"), sum(streams, "commit-total"), jitMillis(),
                        streamThreadsCpuNanos(streams), processCpuNanos());
            }
        }

        /** CPU time of the application's stream threads so far, NaN where the JVM does not measure it. */
        private static double streamThreadsCpuNanos(KafkaStreams streams) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
                return Double.NaN;
            }
            Set<String> names = new HashSet<>();
            streams.metadataForLocalThreads().forEach(t -> names.add(t.threadName()));
            double total = 0;
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && names.contains(info.getThreadName())) {
                    long nanos = threads.getThreadCpuTime(info.getThreadId());
                    total += Math.max(0, nanos);
                }
            }
            return total;
        }

        /** The stream threads' CPU time per event of {@code events}, in microseconds; null where not measured. */
        Double cpuMicrosPerEvent(long events) {
            return micros(cpuSeconds, events);
        }

        /** The whole process's CPU time per event of {@code events}, in microseconds. */
        Double processCpuMicrosPerEvent(long events) {
            return micros(processCpuSeconds, events);
        }

        /**
         * The JIT compiler's time per event of {@code events} over a backlog of {@code seconds}, in microseconds: its
         * compile time summed over the compiler threads, as the JVM reports it (close to their CPU time, but not a
         * CPU clock).
         */
        Double jitMicrosPerEvent(double seconds, long events) {
            return micros(jitShare == null ? null : jitShare * seconds, events);
        }

        private static Double micros(Double seconds, long events) {
            return seconds == null || events == 0 ? null : 1e6 * seconds / events;
        }

        static ThreadTime between(KafkaStreams streams, Totals before, double seconds) {
            Totals after = Totals.of(streams);
            double latency = sum(streams, "commit-latency-avg");
            double blocked = (after.blockedNs() - before.blockedNs()) / 1e9 / seconds;
            double jit = (after.jitMs() - before.jitMs()) / 1e3 / seconds;
            double cpu = (after.cpuNs() - before.cpuNs()) / 1e9;
            double process = (after.processCpuNs() - before.processCpuNs()) / 1e9;
            return new ThreadTime(Double.isNaN(blocked) ? null : blocked,
                    Math.round(after.commits() - before.commits()), Double.isNaN(latency) ? null : latency,
                    Double.isNaN(jit) ? null : jit, Double.isNaN(cpu) ? null : cpu,
                    Double.isNaN(process) ? null : process);
        }

        private static double sum(KafkaStreams streams, String name) {
            return metricSum(streams, "stream-thread-metrics", name);
        }
    }

    /**
     * The sum of the application's metric {@code name} in {@code group} over its clients and threads (the stream
     * threads' in {@code stream-thread-metrics}, their producers' in {@code producer-metrics}); NaN where there is none.
     */
    static double metricSum(KafkaStreams streams, String group, String name) {
        double total = 0;
        boolean found = false;
        for (var e : streams.metrics().entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name)
                    && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                total += n.doubleValue();
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }

    /** CPU time of this process so far, NaN where the JVM does not report it. */
    static double processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos;
        }
        return Double.NaN;
    }

    /** The JVM's compilation time so far in milliseconds, NaN where it is not reported. */
    static double jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : Double.NaN;
    }

    /**
     * Batches of one pass: how many, their mean size, and how many had at most each of
     * {@link SeqstreamMetrics#BATCH_SIZE_BUCKETS} keys (cumulative, as Prometheus buckets).
     */
    record Batches(long count, double keys, long[] atMost) {
        static Batches of(MeterRegistry registry) {
            DistributionSummary summary = registry.find(SeqstreamMetrics.BATCH_SIZE).tag("role", "served").summary();
            if (summary == null) {
                return new Batches(0, 0, new long[SeqstreamMetrics.BATCH_SIZE_BUCKETS.length]);
            }
            HistogramSnapshot snapshot = summary.takeSnapshot();
            return new Batches(snapshot.count(), snapshot.total(),
                    countsWithin(snapshot, SeqstreamMetrics.BATCH_SIZE_BUCKETS, CountAtBucket::bucket));
        }

        Batches minus(Batches earlier) {
            return new Batches(count - earlier.count, keys - earlier.keys, EndToEndBenchmark.minus(atMost,
                    earlier.atMost));
        }

        Double mean() {
            return count == 0 ? null : keys / count;
        }

        /** Share of batches with at most {@code bound} keys (a bound of {@link SeqstreamMetrics#BATCH_SIZE_BUCKETS}). */
        Double shareAtMost(double bound) {
            int i = Arrays.binarySearch(SeqstreamMetrics.BATCH_SIZE_BUCKETS, bound);
            return count == 0 || i < 0 ? null : (double) atMost[i] / count;
        }
    }

    /**
     * A histogram's cumulative counts at {@code bounds} (values at most each bound; a bound the histogram lacks counts
     * 0), each of its buckets' bound read by {@code boundOf}.
     */
    static long[] countsWithin(HistogramSnapshot snapshot, double[] bounds, ToDoubleFunction<CountAtBucket> boundOf) {
        long[] counts = new long[bounds.length];
        for (CountAtBucket bucket : snapshot.histogramCounts()) {
            int i = Arrays.binarySearch(bounds, boundOf.applyAsDouble(bucket));
            if (i >= 0) {
                counts[i] = (long) bucket.count();
            }
        }
        return counts;
    }

    /** {@code later − earlier}, element by element. */
    static long[] minus(long[] later, long[] earlier) {
        long[] diff = later.clone();
        for (int i = 0; i < diff.length; i++) {
            diff[i] -= earlier[i];
        }
        return diff;
    }

    /**
     * The bench's meters of a scoring application: histograms count over the whole run, not over Micrometer's
     * rotating window, and the event-to-score timer's has {@link PacedLoad#FORWARDED_BOUNDS_MS} as buckets (a simple
     * registry publishes no percentile histogram).
     */
    static MeterFilter runHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                DistributionStatisticConfig.Builder run = DistributionStatisticConfig.builder()
                        .expiry(Duration.ofDays(1)).bufferLength(1);
                if (id.getName().equals(SeqstreamMetrics.EVENT_TO_SCORE_LATENCY)) {
                    run.serviceLevelObjectives(PacedLoad.forwardedBoundsNanos());
                }
                return run.build().merge(config);
            }
        };
    }

    /**
     * Bytes the broker's logs hold for one backlog run, per input event, by what wrote them: the input topic, the
     * state stores' changelogs, the pending-events changelog and the output topics (log segment sizes, batch
     * headers, transaction markers and all; null where the backlog did not drain).
     */
    record Bytes(double input, double state, double pending, double outputs) {
        double written() {
            return state + pending + outputs;
        }
    }

    private final Settings settings;
    private final Progress progress;
    private final EmbeddedKafkaCluster broker;
    private int runs;
    private int measuredRuns;

    private EndToEndBenchmark(Settings settings, Progress progress, EmbeddedKafkaCluster broker) {
        this.settings = settings;
        this.progress = progress;
        this.broker = broker;
    }

    static EndToEndBenchmark start(Settings settings, Progress progress) {
        EmbeddedKafkaCluster broker = EmbeddedKafkaCluster.builder()
                .dataDirectory(settings.workDir().resolve("kafka"))
                .start();
        return new EndToEndBenchmark(settings, progress, broker);
    }

    /**
     * The baseline on {@code workload}, labelled {@code label}; with {@link Settings#warmUps()} and {@code warmUp},
     * after an unmeasured run of it on a smaller input.
     */
    Result runCount(String label, Workload workload, boolean warmUp) throws InterruptedException {
        if (settings.warmUps() > 0 && warmUp) {
            warmUp(new CountTarget(label), workload);
        }
        return run(new CountTarget(label), workload, settings.records(), null, true);
    }

    /**
     * The scoring topology with {@code model} on {@code workload}, against the count run labelled {@code baseline}.
     *
     * @param topG {@code score.top-g} unless the user's settings give one; null for the application's default
     */
    Result runScoring(String label, Workload workload, String baseline, LoadedModel model, Integer topG)
            throws InterruptedException {
        return run(new ScoringTarget(label, model, topG), workload, settings.records(), baseline, true);
    }

    /**
     * With {@link Settings#warmUps()}, unmeasured runs of the scoring topology with {@code model}: the JIT compiles
     * the scoring paths before the first measured run, as it has in any application running for more than a few
     * minutes.
     */
    void warmUpScoring(Workload workload, LoadedModel model, Integer topG) throws InterruptedException {
        if (settings.warmUps() > 0) {
            warmUp(new ScoringTarget("warm-up", model, topG), workload);
        }
    }

    /**
     * Unmeasured runs of {@code target} on a smaller input until the JIT compiler was busy for at most
     * {@link #JIT_QUIET} of the last one's time, or {@link Settings#warmUps()} runs or
     * {@link #WARM_UP_BUDGET_PER_RUN} per allowed run have passed. On 2 cores, one warm-up run left the compiler
     * at about two thirds of a core through the next measured run (C2 compiling Kafka's and the application's
     * paths), which took that from the stream thread.
     */
    private void warmUp(Target target, Workload workload) throws InterruptedException {
        int warmRecords = Math.min(settings.records(), WARM_UP_RECORDS);
        long start = System.nanoTime();
        long budget = WARM_UP_BUDGET_PER_RUN.toNanos() * settings.warmUps();
        for (int i = 1; i <= settings.warmUps(); i++) {
            double jit0 = jitMillis();
            long t0 = System.nanoTime();
            run(target, workload, warmRecords, null, false);
            double jitShare = (jitMillis() - jit0) / 1e3 / since(t0);
            progress.line("e2e: warm-up %d of the %s topology (%,d records, not reported): JIT compiling %s of "
                    + "its time", i, target.name(), warmRecords,
                    Double.isNaN(jitShare) ? "(not reported)" : String.format(Locale.ROOT, "%.0f%%", 100 * jitShare));
            if (Double.isNaN(jitShare) || jitShare <= JIT_QUIET
                    || System.nanoTime() - start > budget) {
                return;
            }
        }
    }

    /** One run: its result, or null for an unmeasured warm-up (no paced pass). */
    private Result run(Target target, Workload workload, int records, String baseline, boolean measured)
            throws InterruptedException {
        String prefix = "bench-" + (++runs) + "-" + target.name();
        createTopics(target, prefix);
        progress.line("e2e %s: producing %,d records", target.name(), records);
        long expected = produceBacklog(target, target.input(prefix), workload, records);
        progress.line("e2e %s: %,d records produced (%,d outputs expected); starting the application",
                target.name(), records, expected);
        OutputReader reader = new OutputReader(broker.bootstrapServers(), target.output(prefix),
                settings.partitions(), expected);
        Running app = target.start(prefix);
        try {
            awaitRunning(target, app);
            long t0 = System.nanoTime();
            ThreadTime.Totals threadsAtStart = ThreadTime.Totals.of(app.streams());
            long deadline = t0 + backlogTimeout(t0, measured).toNanos();
            awaitOutputs(target.name() + " backlog", reader, app, expected, deadline);
            boolean complete = reader.received() >= expected;
            long end = complete ? reader.backlogDoneNanos() : System.nanoTime();
            ThreadTime threads = ThreadTime.between(app.streams(), threadsAtStart, since(t0));
            Batches backlogBatches = app.batches();
            // inputs behind the outputs that arrived, pro rata where the backlog did not drain
            long processed = complete ? records : Math.round((double) reader.received() * records / expected);
            double seconds = (end - t0) / 1e9;
            double eps = processed / seconds;
            progress.line("e2e %s: %,d of %,d events in %.1f s = %,.0f events/s%s", target.name(), processed,
                    records, seconds, eps, complete ? "" : " (backlog timeout: partial)");
            if (!measured) {
                return null;
            }
            Bytes bytes = complete ? bytesPerEvent(prefix, target.input(prefix), processed) : null;
            if (bytes != null) {
                progress.line("e2e %s: bytes per event: input %.0f, state changelog %.0f, pending %.0f, outputs %.0f",
                        target.name(), bytes.input(), bytes.state(), bytes.pending(), bytes.outputs());
            }
            progress.line("e2e %s: stream thread blocked on Kafka %s%% of the backlog, %,d commits; JIT compiling "
                    + "%s%% of it; CPU per event: stream threads %s µs, whole process %s µs", target.name(),
                    BenchReport.num(BenchReport.percent(threads.blockedShare()), "%.0f"), threads.commits(),
                    BenchReport.num(BenchReport.percent(threads.jitShare()), "%.0f"),
                    BenchReport.num(threads.cpuMicrosPerEvent(processed), "%.1f"),
                    BenchReport.num(threads.processCpuMicrosPerEvent(processed), "%.1f"));
            measuredRuns++;
            double rate = settings.pacedRate() != null ? settings.pacedRate() : Math.max(1.0, eps / 2);
            PacedOutcome outcome;
            if (complete) {
                outcome = pacedPass(target, workload, prefix, reader, app, expected, rate);
            } else {
                stop(target, app);
                reader.close();
                outcome = pacedPassInFreshApp(target, workload, rate);
            }
            return new Result(target.name(), workload.name(), baseline, records, processed, complete, seconds, eps,
                    rate, outcome.measured(), outcome.latencies().length, percentile(outcome.latencies(), 50),
                    percentile(outcome.latencies(), 99),
                    complete ? null : String.format(Locale.ROOT, "backlog not drained within %.0f s: events/s is "
                            + "what was committed by then; latency from a fresh application", seconds), bytes,
                    complete ? backlogBatches : null, outcome.batches(), threads, outcome.load());
        } finally {
            stop(target, app);
            reader.close();
        }
    }

    /**
     * {@link Settings#backlogTimeout()}, or less where the runs still to come (each needing about a paced pass,
     * its drain and a restart) would not fit before {@link Settings#finishBy()} otherwise; at least 15 s.
     */
    private Duration backlogTimeout(long now, boolean measured) {
        int runsLeft = Math.max(1, settings.runs() - measuredRuns - (measured ? 0 : -1));
        long perRunOverhead = settings.pacedLeadIn().plus(settings.pacedDuration()).plus(PACED_DRAIN).plusSeconds(15)
                .toNanos();
        long available = settings.finishBy() - now - runsLeft * perRunOverhead;
        long share = available / runsLeft;
        return Duration.ofNanos(Math.max(Duration.ofSeconds(15).toNanos(),
                Math.min(settings.backlogTimeout().toNanos(), share)));
    }

    /** The paced pass after its lead-in: events sent, their outputs' latencies, batches stepped, costs. */
    private record PacedOutcome(long measured, long[] latencies, Batches batches, PacedLoad load) {
    }

    /**
     * @param measured events sent after the lead-in
     * @param outputs  the outputs every event sent, the lead-in's too, should bring
     */
    private record Produced(long measured, long outputs) {
    }

    /**
     * Produces the paced input into the running {@code app}, waits for its outputs (those after the {@code backlog}
     * already read) and measures the pass: its latencies and its costs from the end of the lead-in on.
     */
    private PacedOutcome pacedPass(Target target, Workload workload, String prefix, OutputReader reader, Running app,
                                   long backlog, double rate) throws InterruptedException {
        AtomicReference<PacedLoad.Totals> before = new AtomicReference<>();
        AtomicReference<Batches> batchesBefore = new AtomicReference<>();
        Runnable measureFromNow = () -> {
            before.set(PacedLoad.Totals.of(app.streams(), app.registry()));
            batchesBefore.set(app.batches());
            // the next millisecond, so that every lead-in event is stamped before it and every measured one in it
            // or later
            long from = System.currentTimeMillis() + 1;
            while (System.currentTimeMillis() < from) {
                Thread.onSpinWait();
            }
            reader.measureFrom(from);
        };
        Produced produced = producePaced(target, workload, target.input(prefix), rate, measureFromNow);
        awaitPacedOutputs(target, reader, app, backlog, produced.outputs());
        Batches batches = app.batches();
        return new PacedOutcome(produced.measured(), reader.latencies(),
                batches == null ? null : batches.minus(batchesBefore.get()),
                pacedLoad(target, app, before.get()));
    }

    /** The paced pass since {@code before}, reported as it ends. */
    private PacedLoad pacedLoad(Target target, Running app, PacedLoad.Totals before) {
        PacedLoad load = PacedLoad.between(before, PacedLoad.Totals.of(app.streams(), app.registry()),
                Runtime.getRuntime().availableProcessors());
        progress.line("e2e %s: paced pass: %s", target.name(), load.summary());
        return load;
    }

    /** Waits (at most {@link #PACED_DRAIN}) for the paced outputs, then stops the reader. */
    private void awaitPacedOutputs(Target target, OutputReader reader, Running app, long backlog, long produced)
            throws InterruptedException {
        long start = System.nanoTime();
        awaitOutputs(target.name() + " paced", reader, app, backlog + produced, start + PACED_DRAIN.toNanos());
        reader.close();
        long arrived = Math.max(0, reader.received() - backlog);
        progress.line("e2e %s: %,d of %,d paced outputs arrived%s%s", target.name(), arrived, produced,
                settings.pacedLeadIn().isZero() ? "" : " (the lead-in's included)",
                arrived < produced ? String.format(Locale.ROOT, " (gave up after %.0f s)", since(start)) : "");
    }

    private PacedOutcome pacedPassInFreshApp(Target target, Workload workload, double rate)
            throws InterruptedException {
        String prefix = "bench-" + (++runs) + "-" + target.name();
        createTopics(target, prefix);
        OutputReader reader = new OutputReader(broker.bootstrapServers(), target.output(prefix),
                settings.partitions(), 0);
        Running app = target.start(prefix);
        try {
            awaitRunning(target, app);
            return pacedPass(target, workload, prefix, reader, app, 0, rate);
        } finally {
            stop(target, app);
            reader.close();
        }
    }

    /** The run's topics' log sizes on the broker (every topic of a run starts with its prefix), per event. */
    private Bytes bytesPerEvent(String prefix, String input, long events) {
        Map<String, Long> sizes = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            var nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            var dirs = admin.describeLogDirs(nodes.stream().map(Node::id).toList())
                    .allDescriptions().get(30, TimeUnit.SECONDS);
            dirs.values().forEach(byDir -> byDir.values().forEach(dir -> dir.replicaInfos().forEach(
                    (partition, info) -> sizes.merge(partition.topic(), info.size(), Long::sum))));
        } catch (Exception e) {
            progress.line("e2e: could not read the topics' sizes: %s", e);
            return null;
        }
        long in = 0;
        long state = 0;
        long pending = 0;
        long out = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            String topic = e.getKey();
            if (!topic.startsWith(prefix + "-")) {
                continue;
            }
            if (topic.equals(input)) {
                in += e.getValue();
            } else if (topic.endsWith("-changelog") && topic.contains(ScoringTopology.PENDING_STORE)) {
                pending += e.getValue();
            } else if (topic.endsWith("-changelog")) {
                state += e.getValue();
            } else {
                out += e.getValue();
            }
        }
        double n = Math.max(1, events);
        return new Bytes(in / n, state / n, pending / n, out / n);
    }

    private void createTopics(Target target, String prefix) {
        broker.createTopics(settings.partitions(), target.topics(prefix).toArray(String[]::new));
    }

    private void awaitRunning(Target target, Running app) throws InterruptedException {
        if (!app.awaitRunning(Duration.ofSeconds(120))) {
            throw new IllegalStateException("The " + target.name() + " application did not start: "
                    + app.fatalError());
        }
    }

    private void awaitOutputs(String what, OutputReader reader, Running app, long target, long deadlineNanos)
            throws InterruptedException {
        try (Progress.Bar bar = progress.bar("e2e " + what, target, "ev")) {
            while (reader.received() < target && System.nanoTime() < deadlineNanos) {
                if (app.fatalError() != null) {
                    throw new IllegalStateException("The " + what + " application failed", app.fatalError());
                }
                bar.stepTo(reader.received());
                Thread.sleep(5);
            }
            bar.stepTo(Math.min(target, reader.received()));
        }
    }

    /** The backlog: the same records for every topology of a workload (same seed); returns the outputs expected. */
    private long produceBacklog(Target target, String topic, Workload workload, int records) {
        return produce(topic, workload.events(settings.seed()), records, target::outputs);
    }

    /**
     * Produces {@code records} of {@code events} as fast as the broker takes them and checks that every one was
     * written; returns the outputs they should bring, by {@code outputs} per event.
     */
    long produce(String topic, Workload.Events events, int records, ToIntFunction<Workload.Event> outputs) {
        long expected = 0;
        SendFailures failures = new SendFailures();
        try (KafkaProducer<String, byte[]> producer = producer(20)) {
            for (int i = 0; i < records; i++) {
                Workload.Event event = events.next();
                producer.send(new ProducerRecord<>(topic, null, null, event.key(), event.value()), failures);
                expected += outputs.applyAsInt(event);
            }
            producer.flush();
        }
        failures.check(topic, records);
        return expected;
    }

    /**
     * Produces at {@code rate} events/s for the lead-in and then the paced duration (the workload's events go on
     * under another seed, so under new keys), calling {@code measureFromNow} as the lead-in ends, before the first
     * measured event is sent; returns the events produced after the lead-in and the outputs all should bring.
     */
    private Produced producePaced(Target target, Workload workload, String topic, double rate,
                                  Runnable measureFromNow) {
        long leadIn = Math.round(rate * settings.pacedLeadIn().toNanos() / 1e9);
        long total = leadIn + Math.max(1, Math.round(rate * settings.pacedDuration().toNanos() / 1e9));
        progress.line("e2e: paced pass at %,.0f events/s for %.1f s (%,d events), measured after a %.1f s lead-in "
                + "(%,d events)", rate, settings.pacedDuration().toNanos() / 1e9, total - leadIn,
                settings.pacedLeadIn().toNanos() / 1e9, leadIn);
        Workload.Events events = workload.events(settings.seed() + 1);
        long expected = 0;
        SendFailures failures = new SendFailures();
        try (KafkaProducer<String, byte[]> producer = producer(PACED_LINGER_MS)) {
            long start = System.nanoTime();
            long sent = 0;
            while (sent < total) {
                long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
                while (sent < due) {
                    if (sent == leadIn) {
                        measureFromNow.run();
                    }
                    Workload.Event event = events.next();
                    producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), event.key(),
                            event.value()), failures);
                    expected += target.outputs(event);
                    sent++;
                }
                LockSupport.parkNanos(500_000);
            }
            producer.flush();
            failures.check(topic, sent);
            return new Produced(sent - leadIn, expected);
        }
    }

    KafkaProducer<String, byte[]> producer(int lingerMs) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // Not idempotent: the input producers are the benchmark's plumbing, and on the in-process broker an
        // idempotent producer started right after an application closed sometimes waited past its delivery timeout
        // (120 s) for its first batches, and lost them. One request in flight keeps each partition in order.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** The {@code p}-th percentile (nearest rank), or null for no values. */
    static Double percentile(long[] values, double p) {
        if (values.length == 0) {
            return null;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return (double) sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Settings every application shares: the user's overrides, then what the benchmark must set itself. */
    private SeqstreamConfig config(String prefix, Map<String, String> own) {
        Map<String, String> values = new HashMap<>();
        values.put(Setting.HTTP_PORT.key(), "0");
        values.putAll(settings.overrides());
        values.put(Setting.APPLICATION_ID.key(), prefix);
        values.put(Setting.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(Setting.STATE_DIR.key(), settings.workDir().resolve("state").toString());
        values.putAll(own);
        return SeqstreamConfig.of(values);
    }

    /** A scoring application's topics, input (events) first, then scores, anomalies, summaries, dead letters. */
    static List<String> scoringTopics(String prefix) {
        return List.of(prefix + "-events", prefix + "-scores", prefix + "-anomalies", prefix + "-summaries",
                prefix + "-dlq");
    }

    /**
     * A scoring application's settings: its topics ({@link #scoringTopics}), {@code model}, and {@code topG} as
     * {@code score.top-g} unless null or the user's settings give one.
     */
    SeqstreamConfig scoringConfig(String prefix, LoadedModel model, Integer topG) {
        Map<String, String> own = new HashMap<>();
        own.put(Setting.EVENTS_TOPIC.key(), prefix + "-events");
        own.put(Setting.SCORES_TOPIC.key(), prefix + "-scores");
        own.put(Setting.ANOMALIES_TOPIC.key(), prefix + "-anomalies");
        own.put(Setting.SUMMARIES_TOPIC.key(), prefix + "-summaries");
        own.put(Setting.DEAD_LETTER_TOPIC.key(), prefix + "-dlq");
        own.put(Setting.MODEL_NAME.key(), model.manifest().name());
        own.put(Setting.MODEL_VERSION.key(), model.manifest().version());
        if (topG != null && !settings.overrides().containsKey(Setting.TOP_G.key())) {
            own.put(Setting.TOP_G.key(), String.valueOf(topG));
        }
        SeqstreamConfig config = config(prefix, own);
        if (!Topics.from(config).names().equals(scoringTopics(prefix))) {
            throw new IllegalStateException("Topic layout changed: " + Topics.from(config).names());
        }
        return config;
    }

    EmbeddedKafkaCluster broker() {
        return broker;
    }

    Settings settings() {
        return settings;
    }

    /**
     * Stops an application and says how long that took: one that does not stop in time keeps its threads
     * running and would slow down the next measurement, so that must be visible.
     */
    private void stop(Target target, Running app) {
        if (app.stopped()) {
            return;
        }
        long start = System.nanoTime();
        boolean inTime;
        try {
            inTime = app.stop(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            inTime = false;
        }
        double seconds = since(start);
        if (!inTime) {
            progress.line("e2e %s: the application did not stop within %d s; its threads may still run",
                    target.name(), CLOSE_TIMEOUT.toSeconds());
        } else if (seconds > 5) {
            progress.line("e2e %s: the application took %.1f s to stop", target.name(), seconds);
        }
    }

    private static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public void close() {
        broker.close();
    }

    /** A running application under test. */
    private interface Running {
        boolean awaitRunning(Duration timeout) throws InterruptedException;

        Throwable fatalError();

        /** Closes the application; false if it had not stopped within {@code timeout}. */
        boolean stop(Duration timeout);

        boolean stopped();

        KafkaStreams streams();

        /** The batches stepped so far; null for an application that does not step. */
        default Batches batches() {
            return null;
        }

        /** The application's meters; null for an application without seqstream's. */
        default MeterRegistry registry() {
            return null;
        }
    }

    /** Wraps a {@link KafkaStreams} client; the state listener is set before it starts. */
    private static final class StreamsRunning implements Running {
        private final KafkaStreams streams;
        private final Supplier<Throwable> fatal;
        private final CountDownLatch running;
        private boolean stopped;

        StreamsRunning(KafkaStreams streams, CountDownLatch running, Supplier<Throwable> fatal) {
            this.streams = streams;
            this.running = running;
            this.fatal = fatal;
        }

        @Override
        public boolean awaitRunning(Duration timeout) throws InterruptedException {
            return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && fatal.get() == null;
        }

        @Override
        public Throwable fatalError() {
            return fatal.get();
        }

        @Override
        public boolean stop(Duration timeout) {
            stopped = true;
            return streams.close(timeout);
        }

        @Override
        public boolean stopped() {
            return stopped;
        }

        @Override
        public KafkaStreams streams() {
            return streams;
        }
    }

    /** A topology under test: its topics (input first) and how to start it. */
    private interface Target {
        String name();

        List<String> topics(String prefix);

        default String input(String prefix) {
            return topics(prefix).get(0);
        }

        String output(String prefix);

        /** The output records one input event brings. */
        int outputs(Workload.Event event);

        Running start(String prefix);
    }

    private final class CountTarget implements Target {
        private final String label;

        CountTarget(String label) {
            this.label = label;
        }

        @Override
        public String name() {
            return label;
        }

        @Override
        public int outputs(Workload.Event event) {
            return 1;
        }

        @Override
        public List<String> topics(String prefix) {
            return List.of(prefix + "-events", prefix + "-counts");
        }

        @Override
        public String output(String prefix) {
            return prefix + "-counts";
        }

        @Override
        public Running start(String prefix) {
            SeqstreamConfig config = config(prefix, Map.of());
            KafkaStreams streams = new KafkaStreams(CountTopology.build(input(prefix), output(prefix)),
                    StreamsSettings.build(config));
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> fatal = new AtomicReference<>();
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    running.countDown();
                }
            });
            streams.setUncaughtExceptionHandler(e -> {
                fatal.set(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            return new StreamsRunning(streams, running, fatal::get);
        }
    }

    private final class ScoringTarget implements Target {
        private final String label;
        private final LoadedModel model;
        private final Integer topG;

        ScoringTarget(String label, LoadedModel model, Integer topG) {
            this.label = label;
            this.model = model;
            this.topG = topG;
        }

        @Override
        public String name() {
            return label;
        }

        /** A score per token, and one more for the end token where the event ends its sequence. */
        @Override
        public int outputs(Workload.Event event) {
            return event.ends() ? 2 : 1;
        }

        @Override
        public List<String> topics(String prefix) {
            return scoringTopics(prefix);
        }

        @Override
        public String output(String prefix) {
            return prefix + "-scores";
        }

        @Override
        public Running start(String prefix) {
            SeqstreamConfig config = scoringConfig(prefix, model, topG);
            MeterRegistry registry = new SimpleMeterRegistry();
            registry.config().meterFilter(runHistograms());
            ScoringApp app = ScoringApp.start(config, model, registry);
            return new Running() {
                private boolean stopped;

                @Override
                public boolean awaitRunning(Duration timeout) throws InterruptedException {
                    return app.awaitRunning(timeout);
                }

                @Override
                public Throwable fatalError() {
                    return app.fatalError();
                }

                @Override
                public boolean stop(Duration timeout) {
                    stopped = true;
                    return app.streams().close(timeout);
                }

                @Override
                public boolean stopped() {
                    return stopped;
                }

                @Override
                public KafkaStreams streams() {
                    return app.streams();
                }

                @Override
                public Batches batches() {
                    return Batches.of(registry);
                }

                @Override
                public MeterRegistry registry() {
                    return registry;
                }
            };
        }
    }

    /**
     * The {@code score.top-g} that makes about 5% of events anomalous, as a trained model on normal traffic
     * would: an untrained model ranks the observed token uniformly at random, so the default g would flag
     * nearly every event and double the output.
     */
    static int anomalyThreshold(BenchModel model) {
        return (int) Math.ceil(model.vocab() * 0.95);
    }
}
