package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.model.Vocabulary;
import org.junit.jupiter.api.Test;

class KeyStateTest {

    @Test
    void shouldFitOnlyTheModelVersionAndShapeThatMadeIt() {
        KeyState lstm = KeyState.start("m@1", 2, 8, true, 0, 0L);

        assertThat(lstm.fits("m@1", 2, 8, true)).isTrue();
        assertThat(lstm.fits("m@2", 2, 8, true)).as("another version").isFalse();
        assertThat(lstm.fits("m@1", 1, 8, true)).as("another depth").isFalse();
        assertThat(lstm.fits("m@1", 2, 16, true)).as("another width").isFalse();
        assertThat(lstm.fits("m@1", 2, 8, false)).as("a simple RNN has no cells").isFalse();
        assertThat(KeyState.start("m@1", 2, 8, false, 0, 0L).fits("m@1", 2, 8, false)).isTrue();
    }

    @Test
    void shouldKeepTheLastObservedTokensOldestFirstWithTheNewestPending() {
        KeyState state = KeyState.start("m@1", 1, 4, true, 0, 0L, 3);
        assertThat(state.history()).isEmpty();

        for (int token = 5; token <= 9; token++) {
            state.recordScore(1.0, false, token, 0L, 0L);
        }

        assertThat(state.history()).containsExactly(7, 8, 9);
        assertThat(state.pendingToken()).isEqualTo(9);
        assertThat(state.historyCapacity()).isEqualTo(3);
        assertThat(state.tokens()).isEqualTo(5);
    }

    @Test
    void shouldCountTheBagOfObservedTokensWithoutTheEndMarker() {
        KeyState state = KeyState.start("m@1", 1, 4, true, 0, 0L);
        for (int token : new int[] {22, 5, 5, 11, Vocabulary.END_ID}) {
            state.recordScore(1.0, false, token, 0L, 0L);
        }

        assertThat(state.bag()).isEqualTo("5:2 11:1 22:1");
        assertThat(state.sawUnknown()).isFalse();
        state.recordScore(1.0, false, Vocabulary.UNK_ID, 0L, 0L);
        assertThat(state.sawUnknown()).isTrue();
    }

    @Test
    void shouldLoseTheBagPastItsLimitAndAcrossModelVersions() {
        KeyState many = KeyState.start("m@1", 1, 4, true, 0, 0L);
        for (int token = 3; token < 3 + KeyState.MAX_BAG_TOKENS; token++) {
            many.recordScore(1.0, false, token, 0L, 0L);
        }
        assertThat(many.bagLost()).isFalse();
        assertThat(many.bagIds()).hasSize(KeyState.MAX_BAG_TOKENS);
        many.recordScore(1.0, false, 1000, 0L, 0L);
        assertThat(many.bagLost()).isTrue();
        assertThat(many.bag()).isNull();

        KeyState one = KeyState.start("m@1", 1, 4, true, 0, 0L);
        one.recordScore(1.0, false, 5, 0L, 0L);
        KeyState same = one.withModel("m@1", one.hidden(), one.cell(), 5, new int[0], 0);
        KeyState other = one.withModel("m@2", one.hidden(), one.cell(), 5, new int[0], 0);
        assertThat(same.bag()).isEqualTo("5:1");
        assertThat(other.bagLost()).as("ids of another version's vocabulary").isTrue();
    }

    @Test
    void shouldKeepNoHistoryAtCapacityZero() {
        KeyState state = KeyState.start("m@1", 1, 4, true, 0, 0L, 0);

        state.recordScore(1.0, false, 5, 0L, 0L);

        assertThat(state.history()).isEmpty();
        assertThat(state.pendingToken()).isEqualTo(5);
    }

    @Test
    void shouldKeepOnlyTheNewestOfAGivenHistoryThatExceedsTheCapacity() {
        KeyState state = new KeyState("m@1", new float[1][2], new float[1][2], 6, new int[] {1, 2, 3, 4, 5, 6}, 4,
                6, 0, 0.0, 0.0, 0L, 0L, 0L);

        assertThat(state.history()).containsExactly(3, 4, 5, 6);
        assertThat(KeyState.start("m@1", 1, 2, true, 0, 0L).historyCapacity())
                .isEqualTo(KeyState.DEFAULT_HISTORY_TOKENS);
    }

    @Test
    void shouldRememberTheLastScoresSurprisalAndTopKAndDropTheTopKUnderAnotherVersion() {
        KeyState state = KeyState.start("m@1", 1, 2, true, 0, 0L);

        state.recordScore(1.5, false, 5, 10L, 0L, new int[] {5, 3});
        state.recordScore(0.25, false, 3, 20L, 0L, new int[] {3, 4});

        assertThat(state.lastSurprisal()).isEqualTo(0.25);
        assertThat(state.lastTopTokens()).containsExactly(3, 4);
        KeyState moved = state.withModel("m@2", new float[1][2], new float[1][2], 3, new int[] {3}, 4);
        assertThat(moved.lastSurprisal()).isEqualTo(0.25);
        assertThat(moved.lastTopTokens()).as("ids of another vocabulary").isEmpty();
        assertThat(moved.tokens()).isEqualTo(2);
    }
}
