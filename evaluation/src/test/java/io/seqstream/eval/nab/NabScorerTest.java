package io.seqstream.eval.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NAB's scoring rules on hand-computed cases. Reference values: S(x) = 2/(1 + e^(5x)) - 1, S(-1) = 0.98661,
 * S(-0.1)/S(-1) = 0.248242, S(5/9) = -0.882926.
 */
class NabScorerTest {
    private static final CostMatrix STANDARD = Profile.nabDefaults().get(0).costs();
    private static final CostMatrix LOW_FP = Profile.nabDefaults().get(1).costs();
    private static final CostMatrix LOW_FN = Profile.nabDefaults().get(2).costs();
    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);

    /** 100 records, 5 minutes apart; one window over records 40..49 (width 10). */
    private static final List<LocalDateTime> TIMES = times(100);
    private static final List<Window> WINDOW = List.of(new Window(TIMES.get(40), TIMES.get(49)));

    private static List<LocalDateTime> times(int n) {
        List<LocalDateTime> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ts.add(T0.plusMinutes(5L * i));
        }
        return ts;
    }

    private static double[] detectionsAt(int n, int... indices) {
        double[] s = new double[n];
        for (int i : indices) {
            s[i] = 1.0;
        }
        return s;
    }

    /** The file's score when records scoring 1.0 are the detections, with no probationary period. */
    private static Sweeper.ThresholdScore score(CostMatrix costs, double[] scores) {
        Sweeper sweeper = new Sweeper(0, costs);
        return Sweeper.at(sweeper.scoresByThreshold(sweeper.sweep(TIMES, scores, WINDOW, "f")), 1.0);
    }

    @Test
    void shouldFollowNabsScaledSigmoid() {
        assertThat(Sweeper.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(-0.5)).isCloseTo(0.84828, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(0.0)).isEqualTo(0.0);
        assertThat(Sweeper.scaledSigmoid(1.0)).isCloseTo(-0.98661, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(3.01)).isEqualTo(-1.0);
    }

    @Test
    void shouldRewardDetectionAtWindowStartWithFullTpWeight() {
        Sweeper.ThresholdScore row = score(STANDARD, detectionsAt(100, 40));

        assertThat(row.score()).isCloseTo(1.0, within(1e-12));
        assertThat(List.of(row.tp(), row.fp(), row.fn(), row.tn())).containsExactly(1, 0, 9, 90);
    }

    @Test
    void shouldRewardDetectionAtWindowEndWithScaledSigmoidOfMinusOneTenth() {
        assertThat(score(STANDARD, detectionsAt(100, 49)).score()).isCloseTo(0.24824154977542992, within(1e-12));
    }

    @Test
    void shouldCountOnlyTheEarliestDetectionInAWindow() {
        Sweeper.ThresholdScore row = score(STANDARD, detectionsAt(100, 45, 40, 49));

        assertThat(row.score()).isCloseTo(1.0, within(1e-12));
        assertThat(row.tp()).isEqualTo(3);
    }

    @Test
    void shouldChargeFullFpWeightBeforeAnyWindowAndFnWeightForTheMissedWindow() {
        assertThat(score(STANDARD, detectionsAt(100, 10)).score()).isCloseTo(-0.11 - 1.0, within(1e-12));
        assertThat(score(LOW_FP, detectionsAt(100, 10)).score()).isCloseTo(-0.22 - 1.0, within(1e-12));
        assertThat(score(LOW_FN, detectionsAt(100, 10)).score()).isCloseTo(-0.11 - 2.0, within(1e-12));
        assertThat(score(STANDARD, detectionsAt(100)).score()).isEqualTo(-1.0);
    }

    @Test
    void shouldScaleFalsePositiveAfterWindowByDistanceFromItsEnd() {
        // record 54: 5 past the end of a width-10 window, position 5/9
        assertThat(score(STANDARD, detectionsAt(100, 54)).score()).isCloseTo(-1.0 - 0.09712188136763907,
                within(1e-12));
        assertThat(score(LOW_FP, detectionsAt(100, 54)).score()).isCloseTo(-1.0 - 0.19424376273527813,
                within(1e-12));
        // far past the window (position > 3): the full FP weight
        assertThat(score(STANDARD, detectionsAt(100, 99)).score()).isCloseTo(-1.0 - 0.11, within(1e-12));
        // every false positive counts, unlike detections inside a window
        assertThat(score(STANDARD, detectionsAt(100, 40, 98, 99)).score()).isCloseTo(1.0 - 0.22, within(1e-12));
    }

    @Test
    void shouldIgnoreDetectionsInTheProbationaryPeriod() {
        Sweeper sweeper = new Sweeper(STANDARD);
        Sweeper.ThresholdScore row = Sweeper.at(
                sweeper.scoresByThreshold(sweeper.sweep(TIMES, detectionsAt(100, 14), WINDOW, "f")), 1.0);

        assertThat(row.score()).isEqualTo(-1.0);
        assertThat(row.fp()).isZero();
        assertThat(row.total()).isEqualTo(85);
        // the record just after the period counts
        Sweeper.ThresholdScore after = Sweeper.at(
                sweeper.scoresByThreshold(sweeper.sweep(TIMES, detectionsAt(100, 15), WINDOW, "f")), 1.0);
        assertThat(after.fp()).isEqualTo(1);
        assertThat(sweeper.probationaryLength(100)).isEqualTo(15);
        assertThat(sweeper.probationaryLength(100_000)).isEqualTo(750);
    }

    @Test
    void shouldOptimizeOneThresholdOverAllFilesAndNormalizeBetweenNullAndPerfect() {
        // a: the window's first record scores 0.9; b (no window): a false positive at 0.95 and one at 0.8.
        // Pooled: t=1.1 -> -1; 0.95 -> -1.11; 0.9 -> 1 - 0.11 = 0.89; 0.8 -> 0.78; 0 -> far worse.
        double[] a = new double[100];
        a[40] = 0.9;
        double[] b = new double[100];
        b[60] = 0.95;
        b[70] = 0.8;
        NabCorpus corpus = new NabCorpus(
                Map.of("c/a.csv", new NabSeries("c/a.csv", TIMES, new double[100]),
                        "c/b.csv", new NabSeries("c/b.csv", TIMES, new double[100])),
                Map.of("c/a.csv", WINDOW, "c/b.csv", List.of()));
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("c/a.csv", a);
        scores.put("c/b.csv", b);

        NabScorer.ProfileScore standard = new NabScorer(corpus, Profile.nabDefaults()).score(scores)
                .profile("standard");

        assertThat(standard.threshold()).isEqualTo(0.9);
        assertThat(standard.rawScore()).isCloseTo(0.89, within(1e-12));
        assertThat(standard.files()).extracting(NabScorer.FileScore::score)
                .containsExactly(1.0, -0.11);
        // null: 0.5 everywhere scores best with no detection at all: -1 (the missed window)
        assertThat(standard.nullScore()).isEqualTo(-1.0);
        assertThat(standard.perfectScore()).isEqualTo(1.0);
        assertThat(standard.normalized()).isCloseTo(100 * (0.89 + 1) / (1 + 1), within(1e-9));
    }

    @Test
    void shouldRejectScoresThatDoNotMatchTheRecords() {
        NabCorpus corpus = new NabCorpus(Map.of("c/a.csv", new NabSeries("c/a.csv", TIMES, new double[100])),
                Map.of("c/a.csv", WINDOW));

        assertThatThrownBy(() -> new NabScorer(corpus, Profile.nabDefaults()).score(Map.of("c/a.csv", new double[99])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99 anomaly scores for 100");
        assertThatThrownBy(() -> new NabScorer(corpus, Profile.nabDefaults()).score(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no anomaly scores for c/a.csv");
    }

    @Test
    void shouldRejectWindowsNotOnRecordTimestamps() {
        List<Window> offGrid = List.of(new Window(TIMES.get(40).plusMinutes(1), TIMES.get(49)));

        assertThatThrownBy(() -> new NabCorpus(Map.of("c/a.csv", new NabSeries("c/a.csv", TIMES, new double[100])),
                Map.of("c/a.csv", offGrid))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not start and end on timestamps");
    }

    static Path sharedNab() {
        return Path.of("..", "..", "shared", "data", "nab");
    }
}
