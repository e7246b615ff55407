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

    /** The built-in baselines' scores on this corpus (measured; they change only if the scorer or detector do). */
    @Test
    void shouldScoreBuiltInBaselinesAsMeasured() {
        NabScorer scorer = new NabScorer(corpus, profiles);
        NabScorer.Result random = scorer.score(run(new RandomDetector()));
        NabScorer.Result gaussian = scorer.score(run(new WindowedGaussianDetector()));

        assertThat(random.profile("standard").normalized()).isCloseTo(4.805, within(0.001));
        assertThat(random.profile("reward_low_FN_rate").normalized()).isCloseTo(20.282, within(0.001));
        assertThat(gaussian.profile("standard").normalized()).isCloseTo(30.142, within(0.001));
        assertThat(gaussian.profile("reward_low_FP_rate").normalized()).isCloseTo(19.462, within(0.001));
        assertThat(gaussian.profile("reward_low_FN_rate").normalized()).isCloseTo(36.037, within(0.001));
    }
}
