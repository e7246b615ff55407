package io.seqstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.SendFailures;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.model.ServedModels;
import io.seqstream.app.topology.Topics;
import io.seqstream.eval.BagDetector;
import io.seqstream.eval.Confusion;
import io.seqstream.eval.DeepLogSessions;
import io.seqstream.eval.NGramDetector;
import io.seqstream.eval.Thresholds;
import io.seqstream.schemas.v1.SequenceSummary;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval deeplog}: DeepLog's session-level evaluation (Du et al., CCS 2017) through the real streaming path.
 * Trains a model on the training sessions with {@code seqstream train}'s defaults (or takes {@code --model}), starts
 * an in-process broker (or uses {@code --bootstrap-servers}), runs the scoring application, produces every session
 * of the training, normal and abnormal files as its own key (one record per event, the last with {@code end}), reads
 * the summaries {@code read_committed} until every session has closed, and judges each session two ways:
 * <ul>
 *   <li>DeepLog's top-g rule: anomalous when any of its events (the end marker {@code <e>} included) is anomalous,
 *       i.e. not among the model's top g predictions (setting {@code score.top-g});</li>
 *   <li>the surprisal rule: anomalous when its worst event's surprisal is above a threshold taken from the training
 *       sessions only, scored through the same path: the {@code --train-quantile} quantile (nearest rank) of the
 *       training sessions' worst surprisals, so at most a share 1 − q of the training sessions would be flagged.</li>
 * </ul>
 * Beside them, the unseen-n-gram baselines for n = 1..5, learned from the training file. Prints a table, writes a PNG
 * of recall and false-positive rate against the surprisal threshold (its points in a CSV beside it), and ends with
 * one JSON line (the top-g rule's metrics at the top level). Exit codes: 0 on success, 2 for bad usage, 1 on
 * failure or timeout.
 */
@Command(name = "deeplog", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DeepLog's HDFS evaluation through the streaming path: train (or take --model), stream every"
                + " session of the normal and abnormal files as its own key, and report precision, recall, F1,"
                + " false-positive rate and F1 at the full HDFS test set's prevalence, for DeepLog's top-g rule, a"
                + " worst-surprisal rule with a threshold from the training file, and unseen-n-gram baselines.",
                "Files in DeepLog's format: one session per line, its log keys separated by spaces.",
                "",
                "Example:",
                "  eval deeplog --train ../shared/data/hdfs/train --normal ../shared/data/hdfs/dev_normal \\",
                "               --abnormal ../shared/data/hdfs/dev_abnormal",
                ""})
final class EvalDeeplogCommand implements Callable<Integer> {
    /** The model's name when this command trains one. */
    static final String MODEL_NAME = "deeplog-eval";
    static final int NGRAM_MAX = 5;
    private static final int SWEEP_STEPS = 200;
    private static final double FPR_AXIS_MAX = 0.05;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The three session files, in the order they are streamed. */
    enum Part { TRAIN, NORMAL, ABNORMAL }

    @Mixin
    ConfigOptions options;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "Normal sessions to train on and to take the surprisal threshold from")
    Path train;

    @Option(names = "--normal", required = true, paramLabel = "FILE", description = "Normal sessions to evaluate")
    Path normal;

    @Option(names = "--abnormal", required = true, paramLabel = "FILE", description = "Anomalous sessions to evaluate")
    Path abnormal;

    @Option(names = "--train-quantile", paramLabel = "Q", defaultValue = "0.999",
            description = "The surprisal rule's threshold: this quantile of the training sessions' worst surprisal"
                    + " (default: ${DEFAULT-VALUE})")
    double trainQuantile;

    @Option(names = "--plot", paramLabel = "PNG", defaultValue = "eval-deeplog.png",
            description = "Where to write the plot of recall and false-positive rate against the surprisal threshold"
                    + " (default: ${DEFAULT-VALUE})")
    Path plot;

    @Option(names = "--sessions-csv", paramLabel = "CSV",
            description = "Also write every session's outcome (file, line, worst surprisal, worst calibrated score,"
                    + " top-g and session-rule verdicts) to this CSV, to inspect false alarms and misses")
    Path sessionsCsv;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of the run's topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1200",
            description = "Give up when the sessions have not all closed after this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--no-progress", description = "Print no progress bars")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        checkUsage();
        Map<Part, List<List<String>>> sessions = new EnumMap<>(Part.class);
        sessions.put(Part.TRAIN, read(train, "--train"));
        sessions.put(Part.NORMAL, read(normal, "--normal"));
        sessions.put(Part.ABNORMAL, read(abnormal, "--abnormal"));
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        // Local state and a trained model's temporary store, under the working directory like quickstart's.
        Path work = Files.createDirectories(Path.of(".seqstream", "eval")).resolve("run-" + runTag).toAbsolutePath();
        Files.createDirectories(work);
        try {
            SeqstreamConfig resolved = EvalRuns.withModel(options.resolve(EvalRuns.defaults(runTag, work)), options,
                    work, MODEL_NAME, train + " with seqstream train's defaults", List.of("--data", train.toString()),
                    noProgress, out, err);
            try (EvalRuns.Kafka kafka = EvalRuns.kafka(resolved, options, partitions, out)) {
                Streamed streamed = stream(kafka.config(), kafka.topics(), sessions);
                if (streamed == null) {
                    return 1;
                }
                report(kafka.config(), sessions, streamed);
                return 0;
            }
        } finally {
            EvalRuns.deleteRecursively(work);
        }
    }

    private void checkUsage() {
        CommandLine cl = spec.commandLine();
        for (Path file : List.of(train, normal, abnormal)) {
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(cl, "No such file: " + file);
            }
        }
        if (!(trainQuantile > 0 && trainQuantile <= 1)) {
            throw new ParameterException(cl, "--train-quantile must be in (0, 1], got " + trainQuantile);
        }
        if (partitions < 1 || timeoutSeconds < 1) {
            throw new ParameterException(cl, "--partitions and --timeout must be at least 1");
        }
    }

    private List<List<String>> read(Path file, String option) throws IOException {
        List<List<String>> sessions = DeepLogSessions.read(file);
        if (sessions.isEmpty()) {
            throw new ParameterException(spec.commandLine(), option + " holds no sessions: " + file);
        }
        return sessions;
    }

    /**
     * What came back for every session: its worst surprisal, whether any event was anomalous, the session rule's
     * verdict, and its worst calibrated score (NaN when the model has no calibration).
     */
    record Streamed(String model, Map<Part, double[]> worst, Map<Part, boolean[]> topG, Map<Part, boolean[]> session,
                    Map<Part, double[]> calibrated, long events, double seconds) {
        boolean hasCalibration() {
            return calibrated.values().stream().flatMapToDouble(java.util.Arrays::stream).noneMatch(Double::isNaN);
        }
    }

    private Streamed stream(SeqstreamConfig config, Topics topics, Map<Part, List<List<String>>> sessions)
            throws Exception {
        String bootstrap = config.string(Setting.BOOTSTRAP_SERVERS);
        String runTag = config.string(Setting.APPLICATION_ID);
        int total = sessions.values().stream().mapToInt(List::size).sum();
        Map<Part, double[]> worst = new EnumMap<>(Part.class);
        Map<Part, boolean[]> topG = new EnumMap<>(Part.class);
        Map<Part, boolean[]> session = new EnumMap<>(Part.class);
        Map<Part, double[]> calibrated = new EnumMap<>(Part.class);
        sessions.forEach((part, list) -> {
            worst.put(part, new double[list.size()]);
            topG.put(part, new boolean[list.size()]);
            session.put(part, new boolean[list.size()]);
            calibrated.put(part, new double[list.size()]);
        });
        Map<String, Boolean> closed = new HashMap<>();
        long events = 0;
        try (ServedModels models = ServedModels.open(config, Clients.store(config), null, Duration.ZERO);
             ScoringApp app = ScoringApp.start(config, models.served(), null, new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> consumer = Clients.committedReader(bootstrap, config.kafkaOverrides());
             KafkaProducer<String, String> producer = Clients.stringProducer(bootstrap, config.kafkaOverrides(), 20, 256 * 1024)) {
            String model = models.served().current().label();
            EvalRuns.readFromStart(consumer, List.of(topics.summaries().name(), topics.deadLetter().name()), app);
            out.printf(Locale.ROOT, "Scoring with %s: streaming %,d sessions (%,d train, %,d normal, %,d abnormal) to"
                            + " '%s', one key each%n", model, total, sessions.get(Part.TRAIN).size(),
                    sessions.get(Part.NORMAL).size(), sessions.get(Part.ABNORMAL).size(), topics.events().name());
            out.flush();
            long started = System.nanoTime();
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(producer,
                    topics.events().name(), runTag, sessions));
            long deadline = started + Duration.ofSeconds(timeoutSeconds).toNanos();
            long deadLettered = 0;
            try (ProgressBar bar = progressBar(total)) {
                while (closed.size() < total) {
                    if (app.fatalError() != null) {
                        throw new IllegalStateException("The scoring application failed: " + app.fatalError());
                    }
                    if (producing.isCompletedExceptionally()) {
                        producing.join();
                    }
                    if (System.nanoTime() > deadline) {
                        out.printf(Locale.ROOT, "Timed out after %d s: %d of %d sessions closed, %d records"
                                + " dead-lettered%n", timeoutSeconds, closed.size(), total, deadLettered);
                        return null;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (!r.topic().equals(topics.summaries().name())) {
                            deadLettered++;
                            continue;
                        }
                        SequenceSummary s = topics.summaries().valueSerde().deserializer()
                                .deserialize(r.topic(), r.value());
                        String key = s.getKey().toString();
                        String[] parts = key.substring(runTag.length() + 1).split("-");
                        Part part = Part.valueOf(parts[0].toUpperCase(Locale.ROOT));
                        int index = Integer.parseInt(parts[1]);
                        if (closed.put(key, Boolean.TRUE) == null) {
                            worst.get(part)[index] = s.getMaxSurprisal();
                            topG.get(part)[index] = s.getAnomalies() > 0;
                            session.get(part)[index] = s.getSessionAnomaly();
                            calibrated.get(part)[index] = s.getMaxCalibratedScore() == null ? Double.NaN
                                    : s.getMaxCalibratedScore();
                            events += s.getTokens();
                        }
                    }
                    if (bar != null) {
                        bar.stepTo(closed.size());
                    }
                }
            }
            producing.join();
            double seconds = (System.nanoTime() - started) / 1e9;
            if (deadLettered > 0) {
                out.printf(Locale.ROOT, "%d records were dead-lettered%n", deadLettered);
            }
            return new Streamed(model, worst, topG, session, calibrated, events, seconds);
        }
    }

    /** Every session as its own key, its events in order, the last one ending the sequence. */
    private static void produce(KafkaProducer<String, String> producer, String topic, String runTag,
                                Map<Part, List<List<String>>> sessions) {
        Map<String, String> values = new HashMap<>();
        Map<String, String> lastValues = new HashMap<>();
        SendFailures failures = new SendFailures();
        long sent = 0;
        for (Map.Entry<Part, List<List<String>>> entry : sessions.entrySet()) {
            Part part = entry.getKey();
            List<List<String>> list = entry.getValue();
            for (int i = 0; i < list.size(); i++) {
                String key = String.format(Locale.ROOT, "%s-%s-%07d", runTag, part.name().toLowerCase(Locale.ROOT), i);
                List<String> session = list.get(i);
                for (int j = 0; j < session.size(); j++) {
                    boolean last = j == session.size() - 1;
                    String value = (last ? lastValues : values).computeIfAbsent(session.get(j),
                            token -> "{\"token\":" + quoted(token) + (last ? ",\"end\":true}" : "}"));
                    producer.send(new ProducerRecord<>(topic, key, value), failures);
                    sent++;
                }
            }
        }
        producer.flush();
        failures.check(topic, sent);
    }

    private static String quoted(String token) {
        try {
            return JSON.writeValueAsString(token);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ProgressBar progressBar(int total) {
        return noProgress ? null : EvalRuns.progressBar(err, "sessions closed", total);
    }

    /** One row of the results table. */
    record Row(String detector, Confusion confusion) {
    }

    private void report(SeqstreamConfig config, Map<Part, List<List<String>>> sessions, Streamed streamed)
            throws IOException {
        double[] normalWorst = streamed.worst().get(Part.NORMAL);
        double[] abnormalWorst = streamed.worst().get(Part.ABNORMAL);
        double threshold = Thresholds.quantile(streamed.worst().get(Part.TRAIN), trainQuantile);
        int g = config.integer(Setting.TOP_G);
        Confusion topG = Confusion.of(streamed.topG().get(Part.NORMAL), streamed.topG().get(Part.ABNORMAL));
        Confusion surprisal = Thresholds.confusion(normalWorst, abnormalWorst, threshold);
        Confusion session = Confusion.of(streamed.session().get(Part.NORMAL), streamed.session().get(Part.ABNORMAL));
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(streamed.hasCalibration() ? "seqstream session rule" : "seqstream session rule (no calib.)",
                session));
        rows.add(new Row(String.format(Locale.ROOT, "seqstream top-g (g=%d)", g), topG));
        rows.add(new Row(String.format(Locale.ROOT, "seqstream worst surprisal > %.3f", threshold), surprisal));
        Map<String, Object> calibratedRule = null;
        if (streamed.hasCalibration()) {
            double calibratedThreshold = Thresholds.quantile(streamed.calibrated().get(Part.TRAIN), trainQuantile);
            Confusion calibrated = Thresholds.confusion(streamed.calibrated().get(Part.NORMAL),
                    streamed.calibrated().get(Part.ABNORMAL), calibratedThreshold);
            rows.add(new Row(String.format(Locale.ROOT, "seqstream worst calibrated > %.5f", calibratedThreshold),
                    calibrated));
            calibratedRule = new LinkedHashMap<>();
            calibratedRule.put("threshold", calibratedThreshold);
            calibratedRule.put("train_quantile", trainQuantile);
            calibratedRule.putAll(metrics(calibrated));
        }
        BagDetector bags = BagDetector.train(sessions.get(Part.TRAIN));
        Confusion bag = Confusion.of(bags.flag(sessions.get(Part.NORMAL)), bags.flag(sessions.get(Part.ABNORMAL)));
        rows.add(new Row("unseen bag (key counts)", bag));
        Map<String, Object> ngrams = new LinkedHashMap<>();
        for (int n = 1; n <= NGRAM_MAX; n++) {
            NGramDetector detector = NGramDetector.train(n, sessions.get(Part.TRAIN));
            Confusion c = Confusion.of(detector.flag(sessions.get(Part.NORMAL)),
                    detector.flag(sessions.get(Part.ABNORMAL)));
            rows.add(new Row("unseen " + n + "-gram", c));
            ngrams.put(Integer.toString(n), metrics(c));
        }
        if (sessionsCsv != null) {
            writeSessions(streamed);
        }
        List<Thresholds.Point> sweep = Thresholds.sweep(normalWorst, abnormalWorst, SWEEP_STEPS);
        writePlot(sweep, threshold, surprisal, streamed.model());
        Path sweepCsv = writeSweep(sweep);

        out.println();
        out.printf(Locale.ROOT, "Model %s; %,d events scored in %.1f s (%,.0f events/s), every session closed%n",
                streamed.model(), streamed.events(), streamed.seconds(), streamed.events() / streamed.seconds());
        out.println(streamed.hasCalibration()
                ? "Session rule: the model's calibration (from its training data): a session is anomalous when it holds"
                        + " an unknown key, or its key counts never occurred in training and its worst event passes the"
                        + " calibration's threshold, or (bag unknown) its worst event passes every training session's worst"
                : "Session rule without a calibration (the model predates calibrations): an unknown key or any"
                        + " anomalous event");
        out.printf(Locale.ROOT, "Surprisal threshold: the %s quantile of the %,d training sessions' worst surprisal ="
                + " %.3f nats%n", trimmed(trainQuantile), sessions.get(Part.TRAIN).size(), threshold);
        out.printf(Locale.ROOT, "Evaluated: %,d normal, %,d abnormal sessions; F1@HDFS re-weights to %,d abnormal :"
                        + " %,d normal%n", topG.normal(), topG.abnormal(), Confusion.HDFS_ABNORMAL,
                Confusion.HDFS_NORMAL);
        out.println();
        out.printf(Locale.ROOT, "%-38s %6s %6s %6s %6s %9s %7s %7s %7s %8s%n", "detector", "TP", "FP", "FN", "TN",
                "precision", "recall", "FPR", "F1", "F1@HDFS");
        for (Row row : rows) {
            Confusion c = row.confusion();
            out.printf(Locale.ROOT, "%-38s %6d %6d %6d %6d %9.4f %7.4f %7.4f %7.4f %8.4f%n", row.detector(), c.tp(),
                    c.fp(), c.fn(), c.tn(), c.precision(), c.recall(), c.fpr(), c.f1(), c.f1AtHdfsPrevalence());
        }
        out.println();
        out.println("Plot: " + plot.toAbsolutePath() + " (recall and false-positive rate against the threshold;"
                + " the points in " + sweepCsv.getFileName() + ")");

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", streamed.model());
        result.put("rule", streamed.hasCalibration() ? "session" : "session-without-calibration");
        result.putAll(metrics(session));
        Map<String, Object> topGRule = new LinkedHashMap<>();
        topGRule.put("g", g);
        topGRule.putAll(metrics(topG));
        result.put("top_g", topGRule);
        Map<String, Object> surprisalRule = new LinkedHashMap<>();
        surprisalRule.put("threshold", threshold);
        surprisalRule.put("train_quantile", trainQuantile);
        surprisalRule.putAll(metrics(surprisal));
        result.put("surprisal_rule", surprisalRule);
        if (calibratedRule != null) {
            result.put("calibrated_rule", calibratedRule);
        }
        result.put("bag", metrics(bag));
        result.put("ngram", ngrams);
        result.put("events", streamed.events());
        result.put("seconds", Math.round(streamed.seconds() * 10) / 10.0);
        out.println(JSON.writeValueAsString(result));
        out.flush();
    }

    private static Map<String, Object> metrics(Confusion c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tp", c.tp());
        m.put("fp", c.fp());
        m.put("fn", c.fn());
        m.put("tn", c.tn());
        m.put("precision", c.precision());
        m.put("recall", c.recall());
        m.put("fpr", c.fpr());
        m.put("f1", c.f1());
        m.put("f1_at_hdfs_prevalence", c.f1AtHdfsPrevalence());
        return m;
    }

    private static String trimmed(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** One line per session: which file, which line (1-based), and what the stream said about it. */
    private void writeSessions(Streamed streamed) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("file,line,worst_surprisal,worst_calibrated,top_g_anomaly,session_anomaly");
        for (Part part : Part.values()) {
            double[] worst = streamed.worst().get(part);
            for (int i = 0; i < worst.length; i++) {
                lines.add(String.format(Locale.ROOT, "%s,%d,%.6f,%s,%b,%b", part.name().toLowerCase(Locale.ROOT), i + 1,
                        worst[i], Double.isNaN(streamed.calibrated().get(part)[i]) ? ""
                                : String.format(Locale.ROOT, "%.8f", streamed.calibrated().get(part)[i]),
                        streamed.topG().get(part)[i], streamed.session().get(part)[i]));
            }
        }
        Path parent = sessionsCsv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(sessionsCsv, lines);
    }

    /** The sweep's points as CSV beside the plot (same name, {@code .csv}). */
    private Path writeSweep(List<Thresholds.Point> sweep) throws IOException {
        String name = plot.getFileName().toString();
        Path csv = plot.resolveSibling((name.endsWith(".png") ? name.substring(0, name.length() - 4) : name) + ".csv");
        List<String> lines = new ArrayList<>();
        lines.add("threshold,recall,fpr");
        for (Thresholds.Point p : sweep) {
            lines.add(String.format(Locale.ROOT, "%.6f,%.6f,%.6f", p.threshold(), p.recall(), p.fpr()));
        }
        Files.write(csv, lines);
        return csv;
    }

    private void writePlot(List<Thresholds.Point> sweep, double threshold, Confusion chosen, String model)
            throws IOException {
        double[] x = sweep.stream().mapToDouble(Thresholds.Point::threshold).toArray();
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("eval deeplog: " + model + ", session flagged when its worst surprisal > threshold")
                .xAxisTitle("threshold (nats)").build();
        // Recall on the left from 0 to 1; the false-positive rate on the right, up to 5%, where it matters.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setYAxisMin(0, 0.0);
        chart.getStyler().setYAxisMax(0, 1.0);
        chart.getStyler().setYAxisMin(1, 0.0);
        chart.getStyler().setYAxisMax(1, FPR_AXIS_MAX);
        chart.setYAxisGroupTitle(0, "recall");
        chart.setYAxisGroupTitle(1, "false-positive rate (axis up to " + FPR_AXIS_MAX + ")");
        chart.addSeries("recall", x, sweep.stream().mapToDouble(Thresholds.Point::recall).toArray())
                .setMarker(SeriesMarkers.NONE);
        XYSeries fpr = chart.addSeries("false-positive rate", x,
                sweep.stream().mapToDouble(Thresholds.Point::fpr).toArray());
        fpr.setMarker(SeriesMarkers.NONE);
        fpr.setYAxisGroup(1);
        fpr.setLineColor(Color.ORANGE);
        XYSeries mark = chart.addSeries(String.format(Locale.ROOT, "threshold from train (%.2f): recall %.3f",
                threshold, chosen.recall()), new double[] {threshold}, new double[] {chosen.recall()});
        mark.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        mark.setMarker(SeriesMarkers.DIAMOND);
        mark.setMarkerColor(Color.RED);
        XYSeries markFpr = chart.addSeries(String.format(Locale.ROOT, "threshold from train: FPR %.4f", chosen.fpr()),
                new double[] {threshold}, new double[] {chosen.fpr()});
        markFpr.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        markFpr.setMarker(SeriesMarkers.DIAMOND);
        markFpr.setMarkerColor(Color.MAGENTA);
        markFpr.setYAxisGroup(1);
        Path parent = plot.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream png = Files.newOutputStream(plot)) {
            BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
