package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void shouldReserveStartEndAndUnknownAsFirstIds() {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.ID, false, List.of("5 22 5"), 1, 100);

        assertThat(vocab.tokens()).startsWith("<s>", "<e>", "<unk>");
        assertThat(vocab.id("<s>")).isEqualTo(Vocabulary.START_ID);
        assertThat(vocab.id("<e>")).isEqualTo(Vocabulary.END_ID);
        assertThat(vocab.id("never-seen")).isEqualTo(Vocabulary.UNK_ID);
        assertThat(vocab.contains("never-seen")).isFalse();
    }

    @Test
    void shouldOrderTokensByFrequencyThenLexically() {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.ID, false, List.of("b a c a", "c a d"), 1, 100);

        assertThat(vocab.tokens()).containsExactly("<s>", "<e>", "<unk>", "a", "c", "b", "d");
    }

    @Test
    void shouldDropRareTokensAndCapTheSize() {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.ID, false, List.of("a a a b b c"), 2, 4);

        assertThat(vocab.tokens()).containsExactly("<s>", "<e>", "<unk>", "a");
        assertThat(vocab.id("b")).isEqualTo(Vocabulary.UNK_ID);
    }

    @Test
    void shouldTokenizeCharactersIncludingSupplementaryCodePoints() {
        Vocabulary vocab = new Vocabulary(VocabularyKind.CHAR, false, Vocabulary.RESERVED);

        assertThat(vocab.tokenize("a b😀")).containsExactly("a", " ", "b", "😀");
    }

    @Test
    void shouldTokenizeWordsAndPunctuationLowerCasedWhenAsked() {
        Vocabulary vocab = new Vocabulary(VocabularyKind.WORD, true, Vocabulary.RESERVED);

        assertThat(vocab.tokenize("To be, or NOT to be: that's it.")).containsExactly(
                "to", "be", ",", "or", "not", "to", "be", ":", "that's", "it", ".");
    }

    @Test
    void shouldLowerCaseLookupsOfALowerCasedVocabulary() {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.WORD, true, List.of("Hello world"), 1, 10);

        assertThat(vocab.id("HELLO")).isEqualTo(vocab.id("hello")).isNotEqualTo(Vocabulary.UNK_ID);
    }

    @Test
    void shouldSplitIdsOnAnyWhitespace() {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.ID, false, List.of("E5 E22"), 1, 10);

        assertThat(vocab.tokenize("  E5\tE22 \n E7 ")).containsExactly("E5", "E22", "E7");
        assertThat(vocab.encode("E5 E7")).containsExactly(vocab.id("E5"), Vocabulary.UNK_ID);
    }

    @Test
    void shouldRoundTripThroughJson() throws Exception {
        Vocabulary vocab = Vocabulary.build(VocabularyKind.CHAR, true, List.of("hello"), 1, 10);

        String json = ModelStore.json().writeValueAsString(vocab);
        assertThat(ModelStore.json().readTree(json).get("kind").asText()).isEqualTo("char");
        assertThat(ModelStore.json().readValue(json, Vocabulary.class)).isEqualTo(vocab);
    }

    @Test
    void shouldRefuseAVocabularyWithoutReservedTokensOrWithDuplicates() {
        assertThatThrownBy(() -> new Vocabulary(VocabularyKind.ID, false, List.of("a", "b")))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> new Vocabulary(VocabularyKind.ID, false, List.of("<s>", "<e>", "<unk>", "a", "a")))
                .hasMessageContaining("Duplicate token");
    }
}
