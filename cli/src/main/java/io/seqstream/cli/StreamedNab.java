package io.seqstream.cli;

import io.seqstream.app.ScoringApp;
import io.seqstream.app.SendFailures;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.model.ServedModels;
import io.seqstream.app.topology.Topics;
import io.seqstream.eval.nab.NabCorpus;
import io.seqstream.eval.nab.NabScoreSource;
import io.seqstream.eval.nab.NabSeries;
import io.seqstream.eval.nab.Sweeper;
import io.seqstream.schemas.v1.Score;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The {@code seqstream} detector of {@code eval nab}: every file of the corpus streamed as its own key, its records
 * in time order as {@code {"value": v}} events, through the scoring topology of a real application on a real
 * broker (in-process unless {@code --bootstrap-servers}); a record's anomaly score is the {@code calibratedScore}
 * of its score record. The model is the one given ({@code --model}), or a numeric model trained now with
 * {@code seqstream train --vocab numeric} on the records NAB does not score: each file's probationary period.
 */
final class StreamedNab implements NabScoreSource {
    static final String MODEL_NAME = "nab-eval";
    /** The training options eval nab passes to {@code train} besides the data, name and store. */
    static final List<String> TRAIN_OPTIONS = List.of("--vocab", "numeric", "--embedding", "16", "--hidden", "64",
            "--chunk-length", "100");

    private final ConfigOptions options;
    private final double probationaryPercent;
    private final int partitions;
    private final int timeoutSeconds;
    private final boolean noProgress;
    private final PrintWriter out;
    private final PrintWriter err;

    StreamedNab(ConfigOptions options, double probationaryPercent, int partitions, int timeoutSeconds,
                boolean noProgress, PrintWriter out, PrintWriter err) {
        this.options = options;
        this.probationaryPercent = probationaryPercent;
        this.partitions = partitions;
        this.timeoutSeconds = timeoutSeconds;
        this.noProgress = noProgress;
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return EvalNabCommand.SEQSTREAM;
    }

    @Override
    public Map<String, double[]> scores(NabCorpus corpus) throws Exception {
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        Path work = Files.createDirectories(Path.of(".seqstream", "eval")).resolve("nab-" + runTag).toAbsolutePath();
        Files.createDirectories(work);
        try {
            SeqstreamConfig config = withModel(options.resolve(EvalRuns.defaults(runTag, work)), corpus, work)
                    .with(Setting.TOP_K, "0");
            try (EvalRuns.Kafka kafka = EvalRuns.kafka(config, options, partitions, out)) {
                return stream(kafka.config(), kafka.topics(), corpus);
            }
        } finally {
            EvalRuns.deleteRecursively(work);
        }
    }

    /** The model given, or one trained now on every file's probationary period. */
    private SeqstreamConfig withModel(SeqstreamConfig config, NabCorpus corpus, Path work) throws Exception {
        if (options.model != null) {
            return EvalRuns.withModel(config, options, work, MODEL_NAME, "", List.of(), noProgress, out, err);
        }
        Path heads = work.resolve("probation");
        long records = 0;
        for (Map.Entry<String, NabSeries> e : corpus.series().entrySet()) {
            double[] values = e.getValue().values();
            int head = (int) Sweeper.probationaryLength(probationaryPercent, values.length);
            StringBuilder csv = new StringBuilder("value\n");
            for (int i = 0; i < head; i++) {
                csv.append(values[i]).append('\n');
            }
            records += head;
            Path file = heads.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, csv, StandardCharsets.UTF_8);
        }
        List<String> args = new ArrayList<>(List.of("--data", heads.toString()));
        args.addAll(TRAIN_OPTIONS);
        return EvalRuns.withModel(config, options, work, MODEL_NAME, String.format(Locale.ROOT,
                "the probationary period of every file (%,d records, which NAB does not score) with: seqstream train"
                        + " %s", records, String.join(" ", TRAIN_OPTIONS)), args, noProgress, out, err);
    }

    private Map<String, double[]> stream(SeqstreamConfig config, Topics topics, NabCorpus corpus) throws Exception {
        String bootstrap = config.string(Setting.BOOTSTRAP_SERVERS);
        String runTag = config.string(Setting.APPLICATION_ID);
        List<String> files = new ArrayList<>(corpus.series().keySet());
        Map<String, double[]> scores = new LinkedHashMap<>();
        long total = 0;
        for (String file : files) {
            double[] s = new double[corpus.series().get(file).size()];
            Arrays.fill(s, Double.NaN);
            scores.put(file, s);
            total += s.length;
        }
        try (ServedModels models = ServedModels.open(config, Clients.store(config), null, Duration.ZERO);
             ScoringApp app = ScoringApp.start(config, models.served(), null, new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> consumer = Clients.committedReader(bootstrap, config.kafkaOverrides());
             KafkaProducer<String, String> producer = Clients.stringProducer(bootstrap, config.kafkaOverrides(), 20,
                     256 * 1024)) {
            String model = models.served().current().label();
            if (!models.served().current().model().vocabulary().isNumeric()) {
                throw new IllegalArgumentException(model + " is not a numeric model (seqstream train --vocab numeric)");
            }
            EvalRuns.readFromStart(consumer, List.of(topics.scores().name(), topics.deadLetter().name()), app);
            out.printf(Locale.ROOT, "Scoring with %s: streaming %,d records of %d files to '%s', one key per file%n",
                    model, total, files.size(), topics.events().name());
            out.flush();
            long started = System.nanoTime();
            long records = total;
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                SendFailures failures = new SendFailures();
                for (int f = 0; f < files.size(); f++) {
                    String key = runTag + "-" + f;
                    for (double v : corpus.series().get(files.get(f)).values()) {
                        producer.send(new ProducerRecord<>(topics.events().name(), key, "{\"value\":" + v + "}"),
                                failures);
                    }
                }
                producer.flush();
                failures.check(topics.events().name(), records);
            });
            long deadline = started + Duration.ofSeconds(timeoutSeconds).toNanos();
            long received = 0;
            try (ProgressBar bar = noProgress ? null : EvalRuns.progressBar(err, "records scored", total)) {
                while (received < total) {
                    if (app.fatalError() != null) {
                        throw new IllegalStateException("The scoring application failed: " + app.fatalError());
                    }
                    if (producing.isCompletedExceptionally()) {
                        producing.join();
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Timed out after " + timeoutSeconds + " s: " + received
                                + " of " + total + " records scored");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (!r.topic().equals(topics.scores().name())) {
                            throw new IllegalStateException("A record was dead-lettered: "
                                    + new String(r.value(), StandardCharsets.UTF_8));
                        }
                        Score s = topics.scores().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        String key = s.getKey().toString();
                        int file = Integer.parseInt(key.substring(runTag.length() + 1));
                        double[] target = scores.get(files.get(file));
                        int index = (int) s.getPosition() - 1;
                        if (Double.isNaN(target[index])) {
                            target[index] = s.getCalibratedScore();
                            received++;
                        }
                    }
                    if (bar != null) {
                        bar.stepTo(received);
                    }
                }
            }
            producing.join();
            out.printf(Locale.ROOT, "Scored %,d records in %.1f s%n", total, (System.nanoTime() - started) / 1e9);
            out.flush();
        }
        return scores;
    }
}
