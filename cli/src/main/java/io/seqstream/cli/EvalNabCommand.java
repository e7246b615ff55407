package io.seqstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqstream.eval.nab.NabCorpus;
import io.seqstream.eval.nab.NabDetectors;
import io.seqstream.eval.nab.NabResultsWriter;
import io.seqstream.eval.nab.NabScoreSource;
import io.seqstream.eval.nab.NabScorer;
import io.seqstream.eval.nab.Profile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code seqstream eval nab}: scores a detector on a NAB-shaped corpus with NAB's protocol (anomaly windows, the
 * scaled sigmoid reward, the profiles, a threshold optimized per profile over all files, the 15% probationary
 * period, normalization between the null and the perfect detector). The detector's scores come from seqstream
 * itself (the default: every file streamed as its own key through the topology, {@link StreamedNab}), from a
 * built-in baseline ({@code --detector}) or from a folder of NAB result CSVs ({@code --scores}).
 */
@Command(name = "nab", mixinStandardHelpOptions = true,
        description = {"Score a detector on a NAB-shaped corpus with the Numenta Anomaly Benchmark's protocol.",
                "Prints each profile's normalized score (null detector 0, perfect 100), a per-file table and a "
                        + "final JSON line."})
final class EvalNabCommand implements Callable<Integer> {
    /** The detector that streams the corpus through seqstream's topology. */
    static final String SEQSTREAM = "seqstream";

    @Mixin
    ConfigOptions options;

    @Option(names = "--data", paramLabel = "DIR", required = true,
            description = "Folder of category subfolders of timestamp,value CSVs (NAB's data/)")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", required = true,
            description = "Anomaly windows in NAB's combined_windows.json format")
    Path labels;

    @Option(names = "--profiles", paramLabel = "FILE",
            description = "Scoring profiles in NAB's profiles.json format (default: config/profiles.json beside the "
                    + "labels folder, else NAB's three published profiles)")
    Path profiles;

    @Option(names = "--scores", paramLabel = "DIR",
            description = "A detector's output in NAB's results layout: <category>/[<detector>_]<file>.csv with an "
                    + "anomaly_score column")
    Path scores;

    @Option(names = "--detector", paramLabel = "NAME",
            description = "Detector when --scores is absent: seqstream (every file streamed as its own key through the"
                    + " scoring topology, with --model or a numeric model trained now on the files' probationary"
                    + " periods), or a baseline: null, random, windowedGaussian (default: seqstream)")
    String detector;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "With seqstream: partitions of the run's topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "With seqstream: give up when not every record is scored after this long"
                    + " (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--no-progress", description = "Print no progress bars")
    boolean noProgress;

    @Option(names = "--write-scores", paramLabel = "DIR",
            description = "Also write the detector's output in NAB's results layout")
    Path writeScores;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Score every profile at this fixed threshold (records scoring at least T are detections) "
                    + "instead of NAB's threshold optimized on the corpus itself, e.g. one chosen on other data")
    Double threshold;

    @Option(names = "--probationary-percent", paramLabel = "P", defaultValue = "0.15",
            description = "Leading share of each file that is not scored (default: ${DEFAULT-VALUE})")
    double probationaryPercent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        NabScoreSource source = source();
        if (!(probationaryPercent >= 0 && probationaryPercent < 1)) {
            throw new ParameterException(spec.commandLine(), "--probationary-percent must be in [0, 1)");
        }
        if (threshold != null && !(threshold >= 0 && threshold <= 1.1)) {
            throw new ParameterException(spec.commandLine(), "--threshold must be in [0, 1.1]");
        }
        NabCorpus corpus = NabCorpus.load(data, labels);
        Path profilesFile = profilesFile();
        List<Profile> profileList = profilesFile != null ? Profile.load(profilesFile) : Profile.nabDefaults();
        Map<String, double[]> anomalyScores = source.scores(corpus);
        if (writeScores != null) {
            NabResultsWriter.write(writeScores, source.name(), corpus, anomalyScores);
        }
        NabScorer.Result result = new NabScorer(corpus, profileList, probationaryPercent)
                .score(anomalyScores, threshold);
        print(spec.commandLine().getOut(), source.name(), corpus, profilesFile, result, threshold);
        return 0;
    }

    private NabScoreSource source() {
        if (scores != null && detector != null) {
            throw new ParameterException(spec.commandLine(), "give --scores or --detector, not both");
        }
        if (scores != null) {
            return NabScoreSource.fromResults(scores.getFileName().toString(), scores);
        }
        String name = detector == null ? SEQSTREAM : detector;
        if (name.equals(SEQSTREAM)) {
            if (partitions < 1 || timeoutSeconds < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions and --timeout must be at least 1");
            }
            return new StreamedNab(options, probationaryPercent, partitions, timeoutSeconds, noProgress,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        return NabDetectors.create(name).map(NabScoreSource::of).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "unknown --detector " + name + "; one of " + String.join(", ",
                NabDetectors.names()) + ", " + SEQSTREAM));
    }

    private Path profilesFile() {
        if (profiles != null) {
            return profiles;
        }
        Path labelsDir = labels.toAbsolutePath().getParent();
        Path beside = labelsDir.getParent() == null ? null : labelsDir.getParent().resolve("config/profiles.json");
        return beside != null && Files.isRegularFile(beside) ? beside : null;
    }

    private static void print(PrintWriter out, String name, NabCorpus corpus, Path profilesFile,
                              NabScorer.Result result, Double fixedThreshold) throws Exception {
        out.printf(Locale.ROOT, "NAB score of %s: %d files, %d records, %d anomaly windows; profiles %s%n%n", name,
                corpus.series().size(), corpus.recordCount(), corpus.windowCount(),
                profilesFile == null ? "(NAB's published three)" : profilesFile);
        out.printf(Locale.ROOT, "%-20s %8s %16s %10s %10s %10s%n", "profile", "score",
                fixedThreshold == null ? "threshold" : "threshold(fixed)", "raw", "null",
                "perfect");
        for (NabScorer.ProfileScore p : result.profiles()) {
            out.printf(Locale.ROOT, "%-20s %8.2f %16.12f %10.3f %10.3f %10.3f%n", p.profile().name(), p.normalized(),
                    p.threshold(), p.rawScore(), p.nullScore(), p.perfectScore());
        }
        out.println();
        List<NabScorer.ProfileScore> profiles = result.profiles();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-58s %7s %4s", "file", "records",
                "win"));
        for (NabScorer.ProfileScore p : profiles) {
            header.append(String.format(Locale.ROOT, " %20s", p.profile().name()));
        }
        header.append(String.format(Locale.ROOT, " %6s %6s", "TP", "FP"));
        out.println(header);
        NabScorer.ProfileScore first = profiles.get(0);
        for (int i = 0; i < first.files().size(); i++) {
            NabScorer.FileScore f = first.files().get(i);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-58s %7d %4d", f.file(), f.rows(),
                    f.windows()));
            for (NabScorer.ProfileScore p : profiles) {
                row.append(String.format(Locale.ROOT, " %20.3f", p.files().get(i).score()));
            }
            row.append(String.format(Locale.ROOT, " %6d %6d", f.tp(), f.fp()));
            out.println(row);
        }
        out.printf(Locale.ROOT, "(per-file columns: raw scores at each profile's threshold; TP/FP: detected records "
                + "in the %s profile)%n", first.profile().name());
        ObjectMapper json = new ObjectMapper();
        ObjectNode line = json.createObjectNode();
        line.put("benchmark", "nab");
        line.put("detector", name);
        line.put("files", corpus.series().size());
        line.put("windows", corpus.windowCount());
        line.put("threshold_optimized", fixedThreshold == null);
        for (NabScorer.ProfileScore p : profiles) {
            line.put(p.profile().name(), p.normalized());
        }
        ObjectNode thresholds = line.putObject("thresholds");
        profiles.forEach(p -> thresholds.put(p.profile().name(), p.threshold()));
        out.println(json.writeValueAsString(line));
        out.flush();
    }
}
