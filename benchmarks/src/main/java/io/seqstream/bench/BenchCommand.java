package io.seqstream.bench;

import ch.qos.logback.classic.Level;
import io.seqstream.app.config.Setting;
import io.seqstream.engine.StepEngines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code seqstream bench}: in one run, on this machine, the GEMM ceiling, every stepping engine against the
 * PyTorch peer, and the scoring topology end to end against a trivial count topology; prints a table, writes
 * a PNG chart and a JSON file, and ends its output with the JSON on a single line.
 *
 * <p>Exit status: 0 when every phase ran, 1 when one failed (the others still report), 2 for bad usage.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Measure seqstream on this machine in one run (about 10 minutes on 2 cores): the float32 GEMM "
                        + "ceiling, the stepping engines alone (batch sizes 1-1024, small and large model) against "
                        + "a PyTorch peer, end to end on an in-process broker under exactly-once against a trivial "
                        + "count topology on the same input (HDFS sessions with a model trained on them, and the "
                        + "uniform worst case), and state and restore time with up to a million keys.",
                "Prints a table, then the results as one JSON line; writes seqstream-bench.png and "
                        + "seqstream-bench.json to --out.",
                "Set OMP_WAIT_POLICY=PASSIVE (the seqstream launcher does): spinning OpenMP threads halve "
                        + "small-batch throughput on small machines."})
public final class BenchCommand implements Callable<Integer> {
    static final String CHART_FILE = "seqstream-bench.png";
    static final String JSON_FILE = "seqstream-bench.json";
    /** The longest paced pass or lead-in accepted, s. */
    private static final int MAX_PACED_SECONDS = 3600;

    @Option(names = "--records", paramLabel = "N",
            description = "Input events of each end-to-end run (default: 200000; --quick: 600)")
    Integer records;

    @Option(names = "--keys", paramLabel = "N",
            description = "Distinct keys (sequences) in the input and the stepping pool (default: 10000; --quick: 100)")
    Integer keys;

    @Option(names = "--quick", description = "Tiny sizes and short timings: a smoke run in well under a minute; "
            + "its numbers are not comparable")
    boolean quick;

    @Option(names = "--skip-e2e", description = "Skip the end-to-end runs on the in-process broker")
    boolean skipE2e;

    @Option(names = "--workloads", paramLabel = "NAME", split = ",", defaultValue = "hdfs,uniform",
            description = "End-to-end workloads: hdfs (the realistic case) and uniform (the worst case) "
                    + "(default: ${DEFAULT-VALUE})")
    List<String> workloads;

    @Option(names = "--skip-torch", description = "Skip the PyTorch peer")
    boolean skipTorch;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".seqstream/bench",
            description = "Where the PNG chart and the JSON file go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--engines", paramLabel = "KIND", split = ",",
            description = "Stepping engine kinds to measure (default: every kind the application offers)")
    List<String> engines;

    @Option(names = "--batch-sizes", paramLabel = "B", split = ",",
            description = "Batch sizes of the stepping benchmark (default: 1,8,64,256,1024)")
    List<Integer> batchSizes;

    @Option(names = "--step-seconds", paramLabel = "S",
            description = "Length of one timed repeat of a stepping cell (default: 0.7; --quick: 0.05)")
    Double stepSeconds;

    @Option(names = "--repeats", paramLabel = "N",
            description = "Timed repeats per stepping cell; the median is reported (default: 3; --quick: 2)")
    Integer repeats;

    @Option(names = "--warmup-seconds", paramLabel = "S",
            description = "Warm-up per model and engine before its cells are timed (default: 3; --quick: 0.2)")
    Double warmupSeconds;

    @Option(names = "--e2e-warm-ups", paramLabel = "N",
            description = "Most unmeasured warm-up runs of each end-to-end topology before it is measured, ending "
                    + "early once the JIT compiler is under 10%% of a run's time (default: "
                    + EndToEndBenchmark.DEFAULT_WARM_UPS + ", within 15 s each; --quick: 0)")
    Integer e2eWarmUps;

    @Option(names = "--paced-seconds", paramLabel = "S",
            description = "Length of each end-to-end paced (latency) pass, measured after its lead-in (default: 15; "
                    + "--quick: 1.5)")
    Double pacedSeconds;

    @Option(names = "--paced-lead-in", paramLabel = "S",
            description = "How long each paced pass runs at its rate before its latencies and costs are measured, "
                    + "at most " + MAX_PACED_SECONDS + " (default: 10; --quick: 0)")
    Double pacedLeadInSeconds;

    @Option(names = "--paced-rate", paramLabel = "EVENTS_PER_S",
            description = "Produce every end-to-end paced pass at this rate instead of at half the topology's own "
                    + "backlog rate: the topologies' latencies at one load (the p99 target, defined at half the "
                    + "scoring topology's maximum, is then not judged)")
    Double pacedRate;

    @Option(names = "--e2e-timeout", paramLabel = "SECONDS",
            description = "Longest wait for one end-to-end backlog to drain; a slower run reports what it "
                    + "committed by then (default: 120; --quick: 30)")
    Integer e2eTimeoutSeconds;

    @Option(names = "--time-budget", paramLabel = "SECONDS",
            description = "The whole run should end within this: end-to-end backlog timeouts shrink to fit "
                    + "(default: 900; --quick: 180)")
    Integer timeBudgetSeconds;

    @Option(names = "--hdfs", paramLabel = "DIR", defaultValue = "../shared/data/hdfs",
            description = "HDFS sessions in DeepLog's layout (train, dev_normal, dev_abnormal) for the realistic "
                    + "end-to-end runs; where missing, those runs are skipped and say so (default: ${DEFAULT-VALUE})")
    Path hdfs;

    @Option(names = "--hdfs-epochs", paramLabel = "N",
            description = "Epochs of the HDFS model's training at most (default: 3; --quick: 1)")
    Integer hdfsEpochs;

    @Option(names = "--open-sessions", paramLabel = "N", defaultValue = "300",
            description = "HDFS sessions in flight at once in the realistic input (default: ${DEFAULT-VALUE})")
    int openSessions;

    @Option(names = "--scaling-keys", paramLabel = "N", split = ",",
            description = "Live-key counts of the scaling run (default: 10000,100000,1000000; --quick: 1000,5000)")
    List<Integer> scalingKeys;

    @Option(names = "--scaling-events", paramLabel = "N",
            description = "Events scored after each scaling restore (default: 20000; --quick: 300)")
    Integer scalingEvents;

    @Option(names = "--skip-scaling", description = "Skip the scaling run (state of many keys, restore time)")
    boolean skipScaling;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of every end-to-end topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A seqstream setting for the end-to-end applications, e.g. --set max.batch.size=512 "
                    + "--set kafka.linger.ms=5 (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "/usr/bin/python3",
            description = "The Python that runs the PyTorch peer (default: ${DEFAULT-VALUE}, Debian's)")
    Path python;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the models and the input (default: ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    private final long startNanos = System.nanoTime();

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String> kinds = engines == null || engines.isEmpty() ? StepEngines.kinds() : List.copyOf(engines);
        for (String kind : kinds) {
            if (!StepEngines.kinds().contains(kind)) {
                throw new ParameterException(spec.commandLine(), "Unknown engine '" + kind + "'; available: "
                        + String.join(", ", StepEngines.kinds()));
            }
        }
        List<Integer> batches = batchSizes == null || batchSizes.isEmpty() ? List.of(1, 8, 64, 256, 1024)
                : List.copyOf(batchSizes);
        if (batches.stream().anyMatch(b -> b < 1)) {
            throw new ParameterException(spec.commandLine(), "Batch sizes must be positive: " + batches);
        }
        int recordCount = records != null ? records : quick ? 600 : 200_000;
        int keyCount = keys != null ? keys : quick ? 100 : 10_000;
        if (recordCount < 1 || keyCount < 1 || partitions < 1 || openSessions < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--records, --keys, --partitions and --open-sessions must be positive");
        }
        List<Integer> scaling = scalingKeys != null && !scalingKeys.isEmpty() ? List.copyOf(scalingKeys)
                : quick ? List.of(1_000, 5_000) : List.of(10_000, 100_000, 1_000_000);
        for (String workload : workloads) {
            if (!List.of(HdfsWorkload.NAME, UniformWorkload.NAME).contains(workload)) {
                throw new ParameterException(spec.commandLine(), "Unknown workload '" + workload + "'; available: "
                        + HdfsWorkload.NAME + ", " + UniformWorkload.NAME);
            }
        }
        if (pacedRate != null && !(pacedRate > 0 && Double.isFinite(pacedRate))) {
            throw new ParameterException(spec.commandLine(), "--paced-rate must be a positive number of events/s");
        }
        if (pacedLeadInSeconds != null && !(pacedLeadInSeconds >= 0 && pacedLeadInSeconds <= MAX_PACED_SECONDS)) {
            throw new ParameterException(spec.commandLine(), "--paced-lead-in must be 0 to " + MAX_PACED_SECONDS
                    + " seconds, got " + pacedLeadInSeconds);
        }
        if (pacedSeconds != null && !(pacedSeconds > 0 && pacedSeconds <= MAX_PACED_SECONDS)) {
            throw new ParameterException(spec.commandLine(), "--paced-seconds must be more than 0 and at most "
                    + MAX_PACED_SECONDS + ", got " + pacedSeconds);
        }
        if (scaling.stream().anyMatch(k -> k < 1) || (scalingEvents != null && scalingEvents < 1)) {
            throw new ParameterException(spec.commandLine(), "--scaling-keys and --scaling-events must be positive");
        }
        quietLogs();
        StepBenchmark.Settings step = new StepBenchmark.Settings(batches, keyCount,
                seconds(warmupSeconds, quick ? 0.2 : 3.0), seconds(stepSeconds, quick ? 0.05 : 0.7),
                repeats != null ? repeats : quick ? 2 : 3, seed);
        BenchReport.Setup setup = new BenchReport.Setup(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), StepEngines.kernels(),
                quick, recordCount,
                keyCount, partitions, settings.getOrDefault(Setting.PROCESSING_GUARANTEE.key(),
                        Setting.PROCESSING_GUARANTEE.defaultValue()), pacedRate, pacedDuration().toNanos() / 1e9,
                pacedLeadIn().toNanos() / 1e9, batches, step, settings);
        BenchReport report = new BenchReport(setup, BenchModel.ALL, kinds);
        Progress progress = Progress.toStderr();
        Path work = Files.createTempDirectory("seqstream-bench-");
        Double loadAtStart = BenchReport.currentLoadAverage();
        try {
            run(report, progress, work, step, recordCount, keyCount, scaling);
        } finally {
            try {
                deleteRecursively(work);
            } catch (UncheckedIOException e) {
                LoggerFactory.getLogger(BenchCommand.class).warn("Could not delete {}: {}", work,
                        e.getCause().toString());
            }
        }
        report.loadAverage(loadAtStart, BenchReport.currentLoadAverage());
        Path outDir = out.toAbsolutePath().normalize();
        Path chart = outDir.resolve(CHART_FILE);
        Path json = outDir.resolve(JSON_FILE);
        try {
            BenchChart.write(report, chart);
        } catch (IOException | RuntimeException e) {
            report.error("chart: " + e);
        }
        report.outputs(Files.exists(chart) ? chart.toString() : null, json.toString());
        String jsonLine = report.jsonLine();
        Files.createDirectories(outDir);
        Files.writeString(json, jsonLine + "\n", StandardCharsets.UTF_8);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(report.table());
        stdout.println();
        stdout.println(jsonLine);
        stdout.flush();
        progress.line("done in %.0f s", progress.elapsedSeconds());
        return report.errors().isEmpty() ? 0 : 1;
    }

    private void run(BenchReport report, Progress progress, Path work, StepBenchmark.Settings step,
                     int recordCount, int keyCount, List<Integer> scaling) {
        long t = System.nanoTime();
        progress.line("models: building and publishing %s into a temporary model store",
                BenchModel.ALL.stream().map(m -> m.name() + " (" + m.shape() + ")").toList());
        try (BenchModels models = BenchModels.publish(work.resolve("models"), BenchModel.ALL, seed)) {
            report.phase("models", since(t));

            double gemmSeconds = measureCeiling(report, progress);

            t = System.nanoTime();
            StepBenchmark stepper = new StepBenchmark(step);
            for (BenchModel model : BenchModel.ALL) {
                progress.line("step: %s model, engines %s interleaved: %.1f s warm-up each, then %d batch sizes",
                        model.name(), String.join(", ", report.engines()), step.warmup().toMillis() / 1000.0,
                        step.batchSizes().size());
                try {
                    stepper.run(model, models.get(model), report.engines(), cell -> {
                        report.cell(cell);
                        progress.line("step: %s %s B=%d: %,.0f events/s", cell.model(), cell.engine(),
                                cell.batch(), cell.eventsPerSecond());
                    });
                } catch (RuntimeException e) {
                    fail(report, progress, "step " + model.name(), e);
                }
            }
            report.phase("step", since(t));

            t = System.nanoTime();
            if (skipTorch) {
                report.torch(TorchPeer.Result.unavailable("skipped (--skip-torch)"));
            } else {
                progress.line("torch: running the PyTorch peer with %s", python);
                TorchPeer.Result torch = TorchPeer.run(python, BenchModel.ALL, step,
                        Duration.ofSeconds(120));
                report.torch(torch);
                progress.line("torch: %s", report.torchLine());
                report.phase("torch", since(t));
            }

            gemmSeconds += measureCeiling(report, progress);
            report.phase("gemm", gemmSeconds);

            t = System.nanoTime();
            if (skipE2e) {
                report.e2eSkipped("skipped (--skip-e2e)");
            }
            if (!skipE2e || !skipScaling) {
                runEndToEnd(report, progress, models, work, recordCount, keyCount, scaling);
            }
        } catch (Exception e) {
            fail(report, progress, "models", e);
        }
    }

    /** Measures the GEMM ceiling, keeping per shape the best of this and any earlier measurement; returns seconds. */
    private double measureCeiling(BenchReport report, Progress progress) {
        long t = System.nanoTime();
        progress.line("gemm: measuring the sgemm ceiling");
        try {
            GemmCeiling.Result now = GemmCeiling.measure(seconds(null, quick ? 0.1 : 1.0));
            GemmCeiling.Result best = report.gemm() == null ? now : report.gemm().max(now);
            report.gemm(best);
            progress.line("gemm: %.1f GFLOP/s now (%s), best so far %.1f", now.bestGflops(), now.bestShape(),
                    best.bestGflops());
        } catch (RuntimeException e) {
            fail(report, progress, "gemm", e);
        }
        return since(t);
    }

    private void runEndToEnd(BenchReport report, Progress progress, BenchModels models, Path work, int recordCount,
                             int keyCount, List<Integer> scaling) {
        long t = System.nanoTime();
        HdfsBench hdfsBench = null;
        String hdfsMissing = skipE2e ? "skipped (--skip-e2e)"
                : !workloads.contains(HdfsWorkload.NAME) ? "not in --workloads" : HdfsBench.missing(hdfs);
        if (hdfsMissing == null) {
            progress.line("e2e: training the HDFS model on %s", hdfs.resolve("train"));
            try {
                hdfsBench = HdfsBench.prepare(hdfs, models.store(), work.resolve("hdfs"),
                        hdfsEpochs != null ? hdfsEpochs : quick ? 1 : 3, quick ? 200 : Integer.MAX_VALUE,
                        openSessions, seed, System.err);
                progress.line("e2e: %s", hdfsBench.trained());
                report.workload(HdfsWorkload.NAME, hdfsBench.workload().description() + "; model "
                        + hdfsBench.trained());
            } catch (Exception e) {
                fail(report, progress, "hdfs model", e);
            }
        } else {
            progress.line("e2e: the realistic HDFS runs are skipped: %s", hdfsMissing);
            report.workloadSkipped(HdfsWorkload.NAME, hdfsMissing);
        }
        if (!skipE2e) {
            report.phase("hdfs-model", since(t));
        }
        t = System.nanoTime();
        UniformWorkload uniform = new UniformWorkload(keyCount);
        boolean runUniform = !skipE2e && workloads.contains(UniformWorkload.NAME);
        int runs = Math.max(1, (runUniform ? 1 + BenchModel.ALL.size() : 0) + (hdfsBench != null ? 2 : 0));
        int warmUps = e2eWarmUps != null ? e2eWarmUps : quick ? 0 : EndToEndBenchmark.DEFAULT_WARM_UPS;
        EndToEndBenchmark.Settings e2e = new EndToEndBenchmark.Settings(recordCount, partitions,
                Duration.ofSeconds(e2eTimeoutSeconds != null ? e2eTimeoutSeconds : quick ? 30 : 120),
                pacedDuration(), pacedRate, warmUps, seed, settings, work.resolve("e2e"),
                startNanos + Duration.ofSeconds(timeBudgetSeconds != null ? timeBudgetSeconds : quick ? 180 : 900)
                        .toNanos(), runs, pacedLeadIn());
        progress.line("e2e: starting the in-process Kafka broker");
        try (EndToEndBenchmark bench = EndToEndBenchmark.start(e2e, progress); HdfsBench hdfsRun = hdfsBench) {
            if (hdfsRun != null) {
                try {
                    report.e2e(bench.runCount(BenchReport.HDFS_COUNT, hdfsRun.workload(), true));
                    bench.warmUpScoring(hdfsRun.workload(), hdfsRun.model(), null);
                    report.e2e(bench.runScoring(BenchReport.HDFS, hdfsRun.workload(), BenchReport.HDFS_COUNT,
                            hdfsRun.model(), null));
                } catch (RuntimeException e) {
                    fail(report, progress, "e2e hdfs", e);
                }
            }
            if (runUniform) {
                report.workload(uniform.name(), uniform.description());
                try {
                    report.e2e(bench.runCount(EndToEndBenchmark.COUNT, uniform, hdfsRun == null));
                } catch (RuntimeException e) {
                    fail(report, progress, "e2e count", e);
                }
                if (hdfsRun == null) {
                    bench.warmUpScoring(uniform, models.get(BenchModel.SMALL),
                            EndToEndBenchmark.anomalyThreshold(BenchModel.SMALL));
                }
                for (BenchModel model : BenchModel.ALL) {
                    try {
                        report.e2e(bench.runScoring(model.name(), uniform, EndToEndBenchmark.COUNT,
                                models.get(model), EndToEndBenchmark.anomalyThreshold(model)));
                    } catch (RuntimeException e) {
                        fail(report, progress, "e2e " + model.name(), e);
                    }
                }
            }
            if (!skipE2e) {
                report.phase("e2e", since(t));
            }
            if (!skipScaling) {
                t = System.nanoTime();
                progress.line("scaling: %s keys with the large model's state", scaling);
                report.scaling(new ScalingRun(bench, progress).run(BenchModel.LARGE, models.get(BenchModel.LARGE),
                        scaling, scalingEvents != null ? scalingEvents : quick ? 300 : 20_000,
                        EndToEndBenchmark.anomalyThreshold(BenchModel.LARGE)));
                report.scaling().errors().forEach(error -> report.error("scaling: " + error));
                report.phase("scaling", since(t));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(report, progress, "e2e", e);
        } catch (RuntimeException e) {
            fail(report, progress, "e2e", e);
        }
    }

    private static void fail(BenchReport report, Progress progress, String phase, Exception e) {
        report.error(phase + ": " + e);
        progress.line("FAILED %s: %s", phase, e);
        LoggerFactory.getLogger(BenchCommand.class).warn("{} failed", phase, e);
    }

    /**
     * The broker, the Kafka clients and the application log a lot at INFO and warn about retries that are
     * normal under exactly-once (CONCURRENT_TRANSACTIONS); a benchmark shows the clients' and the
     * application's errors only, unless SEQSTREAM_LOG_LEVEL asks for more.
     */
    private static void quietLogs() {
        if (System.getenv("SEQSTREAM_LOG_LEVEL") != null) {
            return;
        }
        for (String name : List.of("org.apache.kafka", "io.seqstream.app", "io.seqstream.model",
                "io.seqstream.kafka", "org.nd4j", "org.deeplearning4j")) {
            setLevel(name, Level.ERROR);
        }
        // The broker itself: under transactions v2 it logs retriable sequence errors at ERROR (KAFKA-18202)
        // that the producers recover from; a failure that matters surfaces in the clients.
        setLevel("kafka", Level.OFF);
        setLevel("org.apache.kafka.storage", Level.OFF);
    }

    private static void setLevel(String name, Level level) {
        if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(level);
        }
    }

    private Duration pacedDuration() {
        return seconds(pacedSeconds, quick ? 1.5 : 15.0);
    }

    private Duration pacedLeadIn() {
        return Duration.ofNanos((long) (1e9 * (pacedLeadInSeconds != null ? pacedLeadInSeconds : quick ? 0 : 10)));
    }

    private static Duration seconds(Double value, double otherwise) {
        double s = value != null ? value : otherwise;
        if (!(s > 0)) {
            throw new IllegalArgumentException("Durations must be positive, got " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + dir, e);
        }
    }

    /** For tests: the command's exit status without exiting. */
    static int execute(PrintWriter stdout, String... args) {
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(stdout);
        return cli.execute(args);
    }
}
