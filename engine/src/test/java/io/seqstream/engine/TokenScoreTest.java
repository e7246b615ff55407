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
}
