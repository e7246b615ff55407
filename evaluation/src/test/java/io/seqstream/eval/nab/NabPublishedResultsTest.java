package io.seqstream.eval.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reproduces NAB's published {@code results/final_results.json} from NAB's published per-record detector outputs on
 * the full benchmark (58 files), and scores the same outputs on the corpus in {@code ../shared/data/nab}. Needs a NAB
 * checkout (numenta/NAB ea702d7) with its {@code data}, {@code labels}, {@code config} and {@code results}: run with
 * {@code -Dnab.repo=/path/to/NAB}; skipped otherwise.
 */
class NabPublishedResultsTest {
    private static final Path SHARED_NAB = Path.of("..", "..", "shared", "data", "nab");

    private static Path nabRepo() {
        String repo = System.getProperty("nab.repo");
        assumeTrue(repo != null && Files.isDirectory(Path.of(repo, "results")), "no -Dnab.repo NAB checkout");
        return Path.of(repo);
    }

    @ParameterizedTest
    @CsvSource({"numenta,standard", "numenta,reward_low_FN_rate", "ARTime,standard", "ARTime,reward_low_FP_rate",
            "ARTime,reward_low_FN_rate", "randomCutForest,standard", "randomCutForest,reward_low_FP_rate",
            "randomCutForest,reward_low_FN_rate", "windowedGaussian,standard", "windowedGaussian,reward_low_FP_rate",
            "windowedGaussian,reward_low_FN_rate", "null,standard"})
    void shouldReproducePublishedFinalResultsWithOptimizedThreshold(String detector, String profile)
            throws Exception {
        Path nab = nabRepo();
        NabScorer.Result result = scorer(nab.resolve("data"), nab).score(outputs(nab, detector));

        assertThat(result.profile(profile).normalized()).isCloseTo(published(nab, detector, profile), within(1e-8));
    }

    /**
     * NAB's published numenta reward_low_FP_rate (63.12) was computed at the threshold recorded in its
     * {@code numenta_reward_low_FP_rate_scores.csv} (0.575195503235), not at the sweep's optimum over the published
     * outputs (0.543099145074, which scores 63.21): the scorer reproduces it at that threshold.
     */
    @Test
    void shouldReproducePublishedNumentaLowFpScoreAtItsRecordedThreshold() throws Exception {
        Path nab = nabRepo();
        NabScorer.Result result = scorer(nab.resolve("data"), nab).score(outputs(nab, "numenta"), 0.575195503235);

        assertThat(result.profile("reward_low_FP_rate").normalized())
                .isCloseTo(published(nab, "numenta", "reward_low_FP_rate"), within(1e-8));
    }

    /**
     * The published detectors' outputs scored on exactly the files of {@code ../shared/data/nab} (41 of 58), the
     * threshold optimized on these files as NAB's protocol does (measured here, not published by NAB).
     */
    @ParameterizedTest
    @CsvSource({"ARTime,69.077,59.571,74.553", "numenta,68.578,62.206,72.772", "randomCutForest,52.644,42.236,60.070",
            "windowedGaussian,29.058,14.789,35.797"})
    void shouldScorePublishedOutputsOnSharedCorpus(String detector, double standard, double lowFp, double lowFn)
            throws Exception {
        Path nab = nabRepo();
        NabScorer.Result result = scorer(SHARED_NAB.resolve("data"), SHARED_NAB).score(outputs(nab, detector));

        System.out.printf("shared corpus %s: %s thresholds %s%n", detector, result.normalized(),
                result.profiles().stream().map(NabScorer.ProfileScore::threshold).toList());
        assertThat(result.profile("standard").normalized()).isCloseTo(standard, within(0.001));
        assertThat(result.profile("reward_low_FP_rate").normalized()).isCloseTo(lowFp, within(0.001));
        assertThat(result.profile("reward_low_FN_rate").normalized()).isCloseTo(lowFn, within(0.001));
    }

    /**
     * The 51.0 for Random Cut Forest on these files is its output at its full-benchmark standard threshold
     * (0.454019111529), not re-optimized on these files (52.64).
     */
    @Test
    void shouldScoreRandomCutForestAtItsFullBenchmarkThresholdOnSharedCorpus() throws Exception {
        Path nab = nabRepo();
        NabScorer.Result result = scorer(SHARED_NAB.resolve("data"), SHARED_NAB)
                .score(outputs(nab, "randomCutForest"), 0.454019111529);

        assertThat(result.profile("standard").normalized()).isCloseTo(50.975, within(0.001));
    }

    /** The port of NAB's windowedGaussian detector gives NAB's published per-record outputs. */
    @Test
    void shouldMatchNabsWindowedGaussianOutputs() throws Exception {
        Path nab = nabRepo();
        NabCorpus full = NabCorpus.load(nab.resolve("data"), nab.resolve("labels/combined_windows.json"));
        Map<String, double[]> published = outputs(nab, "windowedGaussian");
        WindowedGaussianDetector detector = new WindowedGaussianDetector();
        full.series().forEach((name, series) -> {
            double[] ours = detector.scores(series);
            double[] theirs = published.get(name);
            for (int i = 0; i < ours.length; i++) {
                assertThat(ours[i]).as(name + " record " + i).isCloseTo(theirs[i], within(1e-9));
            }
        });
    }

    private static NabScorer scorer(Path data, Path root) throws Exception {
        NabCorpus corpus = NabCorpus.load(data, root.resolve("labels/combined_windows.json"));
        List<Profile> profiles = Profile.load(root.resolve("config/profiles.json"));
        return new NabScorer(corpus, profiles);
    }

    private static Map<String, double[]> outputs(Path nab, String detector) throws Exception {
        NabCorpus full = NabCorpus.load(nab.resolve("data"), nab.resolve("labels/combined_windows.json"));
        return NabResults.read(nab.resolve("results").resolve(detector), full);
    }

    private static double published(Path nab, String detector, String profile) throws Exception {
        JsonNode all = new ObjectMapper().readTree(nab.resolve("results/final_results.json").toFile());
        return all.get(detector).get(profile).asDouble();
    }
}
