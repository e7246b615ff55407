package io.seqstream.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NGramDetectorTest {
    private static final List<List<String>> TRAIN = List.of(List.of("a", "b", "c"), List.of("a", "c"));

    @Test
    void shouldPadWithStartAndEndMarkers() {
        assertThat(NGramDetector.ngrams(3, List.of("a"))).containsExactly(
                List.of("<s>", "<s>", "a"), List.of("<s>", "a", "<e>"));
        assertThat(NGramDetector.ngrams(1, List.of("a", "b"))).containsExactly(
                List.of("a"), List.of("b"), List.of("<e>"));
    }

    @Test
    void shouldFlagOnlyUnseenKeysWithUnigrams() {
        NGramDetector unigrams = NGramDetector.train(1, TRAIN);

        assertThat(unigrams.size()).isEqualTo(4); // a, b, c, <e>
        assertThat(unigrams.isAnomalous(List.of("c", "b", "a"))).isFalse();
        assertThat(unigrams.isAnomalous(List.of("a", "d"))).isTrue();
    }

    @Test
    void shouldFlagUnseenPairsStartsAndEndsWithBigrams() {
        NGramDetector bigrams = NGramDetector.train(2, TRAIN);

        // seen: <s>a ab bc c<e> ac
        assertThat(bigrams.size()).isEqualTo(5);
        assertThat(bigrams.isAnomalous(List.of("a", "b", "c"))).isFalse();
        assertThat(bigrams.isAnomalous(List.of("a", "c"))).isFalse();
        assertThat(bigrams.isAnomalous(List.of("c", "b", "a"))).isTrue(); // <s>c never started a session
        assertThat(bigrams.isAnomalous(List.of("a", "b"))).isTrue(); // b<e>: no session ended after b
        assertThat(bigrams.flag(List.of(List.of("a", "b", "c"), List.of("b", "c")))).containsExactly(false, true);
    }

    @Test
    void shouldFlagAnUnseenTrigramMadeOfSeenBigrams() {
        NGramDetector trigrams = NGramDetector.train(3, List.of(List.of("a", "b", "a", "c")));

        // every bigram of a b a b a c was seen, but the trigram "b a b" was not
        assertThat(NGramDetector.train(2, List.of(List.of("a", "b", "a", "c")))
                .isAnomalous(List.of("a", "b", "a", "b", "a", "c"))).isFalse();
        assertThat(trigrams.isAnomalous(List.of("a", "b", "a", "b", "a", "c"))).isTrue();
        assertThat(trigrams.isAnomalous(List.of("a", "b", "a", "c"))).isFalse();
    }
}
