package io.seqstream.eval.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** NAB's scorer on the real corpus in {@code ../shared/data/nab}: the anchors of its normalization, and baselines. */
class NabCorpusScoringTest {
    private static NabCorpus corpus;
    private static List<Profile> profiles;

    @BeforeAll
    static void load() throws Exception {
        corpus = NabCorpus.load(NabScorerTest.sharedNab().resolve("data"),
                NabScorerTest.sharedNab().resolve("labels/combined_windows.json"));
        profiles = Profile.load(NabScorerTest.sharedNab().resolve("config/profiles.json"));
    }

    private static Map<String, double[]> run(NabDetector detector) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        corpus.series().forEach((name, s) -> scores.put(name, detector.scores(s)));
        return scores;
    }

    @Test
    void shouldLoadTheSharedCorpus() {
        assertThat(corpus.series()).hasSize(41);
        assertThat(corpus.windowCount()).isEqualTo(69);
        assertThat(profiles).extracting(Profile::name)
                .containsExactly("standard", "reward_low_FP_rate", "reward_low_FN_rate");
        assertThat(profiles).isEqualTo(Profile.nabDefaults());
    }

    @Test
    void shouldScoreNullDetectorZeroInEveryProfile() {
        NabScorer.Result result = new NabScorer(corpus, profiles).score(run(new NullDetector()));

        assertThat(result.normalized().values()).containsOnly(0.0);
        assertThat(result.profile("standard").rawScore()).isEqualTo(-69.0);
        assertThat(result.profile("reward_low_FN_rate").rawScore()).isEqualTo(-138.0);
    }

    @Test
    void shouldScorePerfectDetectorHundredInEveryProfile() {
        Map<String, double[]> perfect = new LinkedHashMap<>();
        corpus.series().forEach((name, s) -> {
            double[] scores = new double[s.size()];
            for (Window w : corpus.windows(name)) {
                scores[s.timestamps().indexOf(w.start())] = 1.0;
            }
            perfect.put(name, scores);
        });

        NabScorer.Result result = new NabScorer(corpus, profiles).score(perfect);

        result.profiles().forEach(p -> assertThat(p.normalized()).as(p.profile().name()).isCloseTo(100.0,
                within(1e-9)));
        assertThat(result.profile("standard").files()).allSatisfy(f -> {
            assertThat(f.fp()).isZero();
            assertThat(f.score()).isCloseTo(f.windows(), within(1e-9));
        });
    }

    @Test
    void shouldScoreRandomDetectorFarBelowWindowedGaussian() {
        NabScorer scorer = new NabScorer(corpus, profiles);
        double random = scorer.score(run(new RandomDetector())).profile("standard").normalized();
        double gaussian = scorer.score(run(new WindowedGaussianDetector())).profile("standard").normalized();

        System.out.printf("random %.2f windowedGaussian %.2f%n", random, gaussian);
        assertThat(random).isBetween(0.0, 30.0);
        assertThat(gaussian).isGreaterThan(random + 10);
    }
}
