package io.seqstream.eval.nab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAB's scoring protocol over a whole corpus (numenta/NAB's {@code optimizer.py}, {@code scorer.py} and
 * {@code runner.normalize}): for each profile the threshold is chosen once for all files, as the one that maximizes
 * the pooled score (the highest such threshold on ties); each file is scored at it; the corpus score is the sum; and
 * the reported score is normalized so that the null detector (a constant 0.5, scored the same way) gets 0 and a
 * perfect detector (the first record of every window, nothing else) gets 100:
 * {@code 100 * (raw - null) / (windows * tpWeight - null)}.
 */
public final class NabScorer {
    /** NAB's null detector's constant score. */
    public static final double NULL_SCORE = 0.5;

    /** One file at the profile's threshold. */
    public record FileScore(String file, int rows, int windows, double score, int tp, int tn, int fp, int fn,
                            int total) {
    }

    /** One profile: the chosen threshold, the raw corpus score, the baselines and the normalized score. */
    public record ProfileScore(Profile profile, double threshold, double rawScore, double nullScore,
                               double perfectScore, double normalized, List<FileScore> files) {
    }

    /** All profiles, in the order given. */
    public record Result(List<ProfileScore> profiles) {
        public ProfileScore profile(String name) {
            return profiles.stream().filter(p -> p.profile().name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no profile " + name));
        }

        /** Normalized score by profile name. */
        public Map<String, Double> normalized() {
            Map<String, Double> m = new LinkedHashMap<>();
            profiles.forEach(p -> m.put(p.profile().name(), p.normalized()));
            return m;
        }
    }

    private final NabCorpus corpus;
    private final List<Profile> profiles;
    private final double probationPercent;

    public NabScorer(NabCorpus corpus, List<Profile> profiles, double probationPercent) {
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("no profiles");
        }
        this.corpus = corpus;
        this.profiles = List.copyOf(profiles);
        this.probationPercent = probationPercent;
    }

    public NabScorer(NabCorpus corpus, List<Profile> profiles) {
        this(corpus, profiles, Sweeper.PROBATIONARY_PERCENT);
    }

    /**
     * Scores a detector's per-record anomaly scores (in [0, 1], by file, aligned with the file's records) in every
     * profile.
     */
    public Result score(Map<String, double[]> anomalyScores) {
        return score(anomalyScores, null);
    }

    /**
     * Scores at a fixed threshold for every profile instead of the optimized one (records scoring at least
     * {@code threshold} are detections); null means optimize, as NAB does.
     */
    public Result score(Map<String, double[]> anomalyScores, Double fixedThreshold) {
        for (var e : corpus.series().entrySet()) {
            double[] s = anomalyScores.get(e.getKey());
            if (s == null) {
                throw new IllegalArgumentException("no anomaly scores for " + e.getKey());
            }
            if (s.length != e.getValue().size()) {
                throw new IllegalArgumentException(e.getKey() + ": " + s.length + " anomaly scores for "
                        + e.getValue().size() + " records");
            }
        }
        Map<String, double[]> nullScores = new LinkedHashMap<>();
        corpus.series().forEach((name, s) -> {
            double[] constant = new double[s.size()];
            Arrays.fill(constant, NULL_SCORE);
            nullScores.put(name, constant);
        });
        List<ProfileScore> result = new ArrayList<>();
        for (Profile profile : profiles) {
            Sweeper sweeper = new Sweeper(probationPercent, profile.costs());
            Scored detector = scoreProfile(sweeper, anomalyScores, fixedThreshold);
            Scored baseline = scoreProfile(sweeper, nullScores, null);
            double perfect = corpus.windowCount() * profile.costs().tpWeight();
            double normalized = 100 * (detector.raw - baseline.raw) / (perfect - baseline.raw);
            result.add(new ProfileScore(profile, detector.threshold, detector.raw, baseline.raw, perfect, normalized,
                    detector.files));
        }
        return new Result(List.copyOf(result));
    }

    private record Scored(double threshold, double raw, List<FileScore> files) {
    }

    private Scored scoreProfile(Sweeper sweeper, Map<String, double[]> anomalyScores, Double fixedThreshold) {
        Map<String, List<Sweeper.AnomalyPoint>> perFile = new LinkedHashMap<>();
        List<Sweeper.AnomalyPoint> pooled = new ArrayList<>();
        corpus.series().forEach((name, series) -> {
            List<Sweeper.AnomalyPoint> points = sweeper.sweep(series.timestamps(), anomalyScores.get(name),
                    corpus.windows(name), name);
            perFile.put(name, points);
            pooled.addAll(points);
        });
        double threshold = fixedThreshold != null ? fixedThreshold
                : optimalThreshold(sweeper.scoresByThreshold(pooled));
        List<FileScore> files = new ArrayList<>();
        double total = 0;
        for (var e : perFile.entrySet()) {
            Sweeper.ThresholdScore row = Sweeper.at(sweeper.scoresByThreshold(e.getValue()), threshold);
            files.add(new FileScore(e.getKey(), e.getValue().size(), corpus.windows(e.getKey()).size(), row.score(),
                    row.tp(), row.tn(), row.fp(), row.fn(), row.total()));
            total += row.score();
        }
        return new Scored(threshold, total, List.copyOf(files));
    }

    /** NAB's optimizer: the threshold of the best pooled score, the first (highest threshold) among equals. */
    static double optimalThreshold(List<Sweeper.ThresholdScore> scoresByThreshold) {
        Sweeper.ThresholdScore best = null;
        for (Sweeper.ThresholdScore row : scoresByThreshold) {
            if (best == null || row.score() > best.score()) {
                best = row;
            }
        }
        return best.threshold();
    }
}
