package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seqstream.model.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadLinesSkippingBlankOnes() throws Exception {
        Path file = dir.resolve("lines.txt");
        Files.writeString(file, "a b c\r\n\n   \nd e\nf\n\n", StandardCharsets.UTF_8);

        Corpus corpus = Corpus.read(file, CorpusMode.LINES, 10, 0.3, 1);

        List<String> all = new ArrayList<>(corpus.train());
        all.addAll(corpus.validation());
        assertThat(all).containsExactlyInAnyOrder("a b c", "d e", "f");
        assertThat(corpus.validation()).hasSize(1);
        assertThat(corpus.fingerprint()).isEqualTo(Sha256.of(file));
        assertThat(corpus.source()).isEqualTo(file);
    }

    @Test
    void shouldCutChunksOfCodePoints() {
        assertThat(Corpus.chunks("abcdefg", 3)).containsExactly("abc", "def", "g");
        assertThat(Corpus.chunks("a\uD83D\uDE00b\nc", 2)).containsExactly("a\uD83D\uDE00", "b\n", "c");
    }

    @Test
    void shouldSplitDeterministicallyBySeedKeepingFileOrder() throws Exception {
        Path file = dir.resolve("numbers.txt");
        Files.write(file, IntStream.range(0, 100).mapToObj(Integer::toString).toList());

        Corpus first = Corpus.read(file, CorpusMode.LINES, 1, 0.1, 5);
        Corpus again = Corpus.read(file, CorpusMode.LINES, 1, 0.1, 5);
        Corpus other = Corpus.read(file, CorpusMode.LINES, 1, 0.1, 6);

        assertThat(first.validation()).hasSize(10).isEqualTo(again.validation());
        assertThat(first.train()).hasSize(90).doesNotContainAnyElementsOf(first.validation());
        assertThat(other.validation()).isNotEqualTo(first.validation());
        assertThat(first.validation()).isSortedAccordingTo((a, b) -> Integer.parseInt(a) - Integer.parseInt(b));
    }

    @Test
    void shouldKeepTwoForTrainingAndRefuseTooLittleDataOrInvalidUtf8() throws Exception {
        Path two = dir.resolve("two.txt");
        Files.writeString(two, "one line\n\nanother\n");
        assertThatThrownBy(() -> Corpus.read(two, CorpusMode.LINES, 1, 0.1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3");
        Path six = Files.writeString(dir.resolve("six.txt"), "abcdef");
        Corpus three = Corpus.read(six, CorpusMode.CHUNKS, 2, 0.9, 1);
        assertThat(three.train()).as("two kept for training whatever the fraction").hasSize(2);
        assertThat(three.validation()).hasSize(1);
        Path binary = dir.resolve("binary.txt");
        Files.write(binary, new byte[] {'a', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> Corpus.read(binary, CorpusMode.LINES, 1, 0.1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
    }
}
