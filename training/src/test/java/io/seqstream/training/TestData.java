package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The project's shared data, found beside the checkout, and small files made from it. */
final class TestData {
    /** HDFS normal sessions (DeepLog log keys), one per line; tests run in the module directory. */
    static final Path HDFS_TRAIN = Path.of("../../shared/data/hdfs/train");

    /** Tiny Shakespeare (karpathy/char-rnn). */
    static final Path SHAKESPEARE = Path.of("../../shared/data/shakespeare/input.txt");

    /** The first {@code chars} characters of Tiny Shakespeare, copied into {@code dir}. */
    static Path shakespeareSlice(Path dir, int chars) throws IOException {
        assertThat(SHAKESPEARE).isRegularFile();
        String text = Files.readString(SHAKESPEARE, StandardCharsets.UTF_8);
        Path slice = dir.resolve("shakespeare-" + chars + ".txt");
        Files.writeString(slice, text.substring(0, chars), StandardCharsets.UTF_8);
        return slice;
    }

    private TestData() {
    }

    static Path hdfsTrain() {
        assertThat(HDFS_TRAIN)
                .as("the shared data set beside the checkout (%s)", HDFS_TRAIN.toAbsolutePath().normalize())
                .isRegularFile();
        return HDFS_TRAIN;
    }

    /** The first {@code lines} sessions of the HDFS training file, copied into {@code dir}. */
    static Path hdfsSlice(Path dir, int lines) throws IOException {
        List<String> head;
        try (var all = Files.lines(hdfsTrain(), StandardCharsets.UTF_8)) {
            head = all.limit(lines).toList();
        }
        Path slice = dir.resolve("hdfs-" + lines + ".txt");
        Files.write(slice, head, StandardCharsets.UTF_8);
        return slice;
    }

    /** Lines of uniformly random ids: nothing to learn but the frequencies, so a big model can only overfit. */
    static Path randomIds(Path dir, int lines, int length, int ids, long seed) throws IOException {
        Random random = new Random(seed);
        Path file = dir.resolve("random.txt");
        Files.write(file, IntStream.range(0, lines)
                .mapToObj(i -> IntStream.range(0, length).mapToObj(j -> "k" + random.nextInt(ids))
                        .collect(Collectors.joining(" ")))
                .toList(), StandardCharsets.UTF_8);
        return file;
    }
}
