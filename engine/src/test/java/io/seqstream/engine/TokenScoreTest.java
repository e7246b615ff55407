package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenScoreTest {
    // Two rows of a batch; the second is the distribution under test.
    private static final float[] PROBS = {
        0.25f, 0.25f, 0.25f, 0.25f, 0f,
        0.05f, 0.40f, 0.10f, 0.30f, 0.15f};

    @Test
    void shouldRankTheObservedTokenAndListTheTopK() {
        TokenScore score = TokenScore.of(PROBS, 5, 5, 4, 3, 2);

        assertThat(score.probability()).isEqualTo(0.15, within(1e-7));
        assertThat(score.surprisal()).isEqualTo(-Math.log(0.15f), within(1e-9));
        assertThat(score.rank()).isEqualTo(3);
        assertThat(score.topTokens()).containsExactly(1, 3, 4);
        assertThat(score.topProbabilities()).containsExactly(0.40f, 0.30f, 0.15f);
        assertThat(score.anomaly()).isTrue();
    }

    @Test
    void shouldRankWithoutTopKWhenKIsZero() {
        TokenScore score = TokenScore.of(PROBS, 5, 5, 4, 0, 2);
        TokenScore full = TokenScore.of(PROBS, 5, 5, 4, 3, 2);

        assertThat(score.topTokens()).isEmpty();
        assertThat(score.topProbabilities()).isEmpty();
        assertThat(score.rank()).isEqualTo(full.rank());
        assertThat(score.probability()).isEqualTo(full.probability());
        assertThat(score.surprisal()).isEqualTo(full.surprisal());
        assertThat(score.anomaly()).isEqualTo(full.anomaly());
    }

    @Test
    void shouldNotFlagATokenWithinTopG() {
        TokenScore score = TokenScore.of(PROBS, 5, 5, 3, 2, 2);

        assertThat(score.rank()).isEqualTo(2);
        assertThat(score.anomaly()).isFalse();
    }

    @Test
    void shouldGiveTiedTokensTheBetterRankAndKeepTopKInIdOrder() {
        TokenScore score = TokenScore.of(PROBS, 0, 5, 2, 2, 1);

        assertThat(score.rank()).isEqualTo(1);
        assertThat(score.topTokens()).containsExactly(0, 1);
    }

    @Test
    void shouldGiveAZeroProbabilityAFiniteSurprisal() {
        TokenScore score = TokenScore.of(PROBS, 0, 5, 4, 10, 9);

        assertThat(score.surprisal()).isFinite().isGreaterThan(700);
        assertThat(score.topTokens()).hasSize(5);
    }

    @Test
    void shouldScoreLogitsAsTheirProbabilities() {
        // the second row's logits: log(PROBS[5..9]) + 3, a constant per row that the normalizer takes out
        float[] logits = new float[10];
        for (int j = 5; j < 10; j++) {
            logits[j] = (float) Math.log(PROBS[j]) + 3f;
        }
        double normalizer = Kernels.best().logSumExp(logits, 5, 5);
        assertThat(normalizer).isCloseTo(3.0, within(1e-6));
        for (int observed = 0; observed < 5; observed++) {
            TokenScore want = TokenScore.of(PROBS, 5, 5, observed, 3, 2);
            TokenScore got = TokenScore.ofLogits(logits, 5, 5, observed, 3, 2, normalizer, Kernels.best());

            assertThat(got.probability()).isCloseTo(want.probability(), within(1e-6));
            assertThat(got.surprisal()).isCloseTo(want.surprisal(), within(1e-5));
            assertThat(got.rank()).isEqualTo(want.rank());
            assertThat(got.topTokens()).containsExactly(want.topTokens());
            for (int i = 0; i < 3; i++) {
                assertThat(got.topProbabilities()[i]).isCloseTo(want.topProbabilities()[i], within(1e-6f));
            }
            assertThat(got.anomaly()).isEqualTo(want.anomaly());
        }
    }

    @Test
    void shouldGiveATokenWhoseProbabilityUnderflowsItsExactSurprisal() {
        float[] logits = {0f, -150f, -2f};
        double normalizer = Kernels.best().logSumExp(logits, 0, 3);
        TokenScore score = TokenScore.ofLogits(logits, 0, 3, 1, 2, 1, normalizer, Kernels.best());

        assertThat(score.surprisal()).isCloseTo(150 + Math.log(1 + Math.exp(-2)), within(1e-4));
        // e^-150 is below float's range: the probability is a double
        assertThat(score.probability()).isPositive().isEqualTo(Math.exp(-score.surprisal()));
        assertThat(score.rank()).isEqualTo(3);
        assertThat(score.topTokens()).containsExactly(0, 2);
    }
}
