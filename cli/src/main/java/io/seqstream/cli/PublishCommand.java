package io.seqstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.training.Corpus;
import io.seqstream.training.EvaluationGate;
import io.seqstream.training.GateResult;
import io.seqstream.training.ModelEvaluation;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.seqstream.app.input.TopicSequences;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Announces a stored version as the active one on the models topic, after the evaluation gate. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Announce a stored version as the active one on the models topic (topic.models).",
                "The evaluation gate first compares it with the active version on held-out sequences: its validation"
                        + " loss may exceed the active one's by at most publish.gate.loss-margin (a fraction) and its"
                        + " top-k accuracy fall short by at most publish.gate.accuracy-margin. Exit 1 when refused."})
final class PublishCommand implements Callable<Integer> {
    static final String FORCED_GATE = "skipped (--force)";

    @Mixin
    ConfigOptions options;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name")
    String name;
    @Parameters(index = "1", paramLabel = "VERSION", description = "Stored version to make active")
    String version;

    @Option(names = "--eval-file", paramLabel = "FILE",
            description = "Held-out sequences for the gate, one per line (split by the model's vocabulary)")
    Path evalFile;

    @Option(names = "--eval-topic", paramLabel = "TOPIC",
            description = "Held-out sequences for the gate from a range of an input topic, read like the topology"
                    + " reads it (closed sequences only); with --eval-since or --eval-offsets")
    String evalTopic;

    @Option(names = "--eval-since", paramLabel = "DURATION",
            description = "With --eval-topic: records of the last DURATION (30m, 2h, 7d)")
    String evalSince;

    @Option(names = "--eval-offsets", paramLabel = "P:FROM-TO[,...]",
            description = "With --eval-topic: these partitions and offsets only (TO exclusive, optional)")
    String evalOffsets;

    @Option(names = "--force", description = "Skip the gate; the announcement says so")
    boolean force;

    @Option(names = "--k", paramLabel = "K", defaultValue = "9", description = "k of the top-k accuracy (default: 9)")
    int k;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SeqstreamConfig config = options.resolve(Map.of());
        ModelStore store = Clients.store(config);
        ModelRef ref = ModelRef.of(name, version);
        store.verify(ref);
        ModelAnnouncements announcements = Clients.announcements(config, new SimpleMeterRegistry());
        announcements.ensureTopic();

        String gate;
        if (force) {
            gate = FORCED_GATE;
            out.println("Gate skipped (--force).");
        } else {
            Optional<ModelAnnouncement> active = announcements.latest(name);
            if (active.isEmpty()) {
                gate = "passed: no active version";
            } else if (active.get().getVersion().equals(version)) {
                gate = "passed: " + ref + " is the active version";
            } else {
                GateResult result = runGate(config, store, ref, ModelRef.of(name, active.get().getVersion()), out);
                if (!result.passed()) {
                    spec.commandLine().getErr().println("seqstream: publish of " + ref + " refused by the gate: "
                            + result.reason());
                    return 1;
                }
                gate = "passed: " + result.reason();
            }
            out.println("Gate " + gate);
        }
        announcements.announce(ModelAnnouncements.of(store, ref, ModelAnnouncements.PUBLISH, force, gate));
        out.println("Announced " + ref + " as the active version on " + announcements.topic() + ".");
        return 0;
    }

    private GateResult runGate(SeqstreamConfig config, ModelStore store, ModelRef candidateRef, ModelRef activeRef,
            PrintWriter out) throws Exception {
        if ((evalFile == null) == (evalTopic == null)) {
            throw new ParameterException(spec.commandLine(), "The gate needs held-out data to compare " + candidateRef
                    + " with the active " + activeRef + ": give --eval-file FILE or --eval-topic TOPIC (or skip the"
                    + " gate with --force)");
        }
        if (evalTopic == null && (evalSince != null || evalOffsets != null)) {
            throw new ParameterException(spec.commandLine(), "--eval-since and --eval-offsets select a range of"
                    + " --eval-topic");
        }
        try (LoadedModel candidate = store.load(candidateRef); LoadedModel active = store.load(activeRef)) {
            List<List<String>> candidateData;
            List<List<String>> activeData;
            if (evalFile != null) {
                List<String> lines = Corpus.lines(Files.readString(evalFile, StandardCharsets.UTF_8));
                if (lines.isEmpty()) {
                    throw new IllegalArgumentException(evalFile + " holds no sequences");
                }
                candidateData = tokenize(candidate, lines);
                activeData = tokenize(active, lines);
            } else {
                candidateData = topicSequences(config, active);
                activeData = candidateData;
            }
            ModelEvaluation c = EvaluationGate.evaluate(candidate, candidateData, k);
            ModelEvaluation a = EvaluationGate.evaluate(active, activeData, k);
            out.printf(Locale.ROOT, "%-24s %10s %14s %10s%n", "MODEL", "LOSS", "TOP-" + k + " ACC", "TOKENS");
            for (ModelEvaluation e : List.of(c, a)) {
                out.printf(Locale.ROOT, "%-24s %10.4f %14.4f %10d%n", e.model() + (e == a ? " (active)" : ""),
                        e.loss(), e.topKAccuracy(), e.tokens());
            }
            return EvaluationGate.compare(c, a, Clients.fraction(config, Setting.GATE_LOSS_MARGIN),
                    Clients.fraction(config, Setting.GATE_ACCURACY_MARGIN));
        }
    }

    /** The closed sequences of the --eval-topic range, split like the topology splits input for this model. */
    private List<List<String>> topicSequences(SeqstreamConfig config, LoadedModel model) {
        TopicSequences.Range range;
        try {
            range = evalSince != null ? TopicSequences.Range.since(TopicSequences.Range.parseDuration(evalSince))
                    : evalOffsets != null ? TopicSequences.Range.parseOffsets(evalOffsets) : TopicSequences.Range.all();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        TopicSequences.Result read = TopicSequences.read(config, evalTopic, range, model.vocabulary(),
                Duration.ofMinutes(5));
        if (read.sequences().isEmpty()) {
            throw new IllegalArgumentException("The range of " + evalTopic + " holds no closed sequence to evaluate on");
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "Held-out data: %d closed sequences from %s%n",
                read.sequences().size(), read.source());
        return read.sequences().stream().map(TopicSequences.Sequence::tokens).toList();
    }

    private static List<List<String>> tokenize(LoadedModel model, List<String> lines) {
        return lines.stream().map(model.vocabulary()::tokenize).toList();
    }
}
