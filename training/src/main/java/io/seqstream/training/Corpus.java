package io.seqstream.training;

import io.seqstream.model.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A UTF-8 text file cut into sequences ({@link CorpusMode#LINES lines} or fixed-length
 * {@link CorpusMode#CHUNKS chunks}) and split, deterministically for a given seed, into a training and a
 * validation part. Both parts keep the file's order.
 *
 * @param source      the file as given
 * @param fingerprint lower-case hex SHA-256 of the file's bytes
 * @param train       the training sequences, as text
 * @param validation  the validation sequences, as text
 */
public record Corpus(Path source, String fingerprint, CorpusMode mode, List<String> train, List<String> validation) {
    /** Fewest sequences a file must hold: two to train on (a batch of one can trip DL4J), one to validate. */
    public static final int MIN_SEQUENCES = 3;

    public Corpus {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(mode, "mode");
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    /**
     * Reads and splits a file.
     *
     * @param chunkLength         characters (code points) per chunk; used in {@link CorpusMode#CHUNKS} mode only
     * @param validationFraction  share of the sequences held out for validation, in (0, 1); at least one
     *                            sequence is held out and at least two kept for training
     * @throws IllegalArgumentException if the file is not UTF-8 or has too few sequences to split
     */
    public static Corpus read(Path file, CorpusMode mode, int chunkLength, double validationFraction, long seed)
            throws IOException {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must lie in (0, 1), got " + validationFraction);
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not valid UTF-8 text", e);
        }
        List<String> sequences = switch (mode) {
            case LINES -> lines(text);
            case CHUNKS -> chunks(text, chunkLength);
        };
        if (sequences.size() < MIN_SEQUENCES) {
            throw new IllegalArgumentException(file + " holds " + sequences.size() + " sequence(s) in " + mode.label()
                    + " mode; at least " + MIN_SEQUENCES + " are needed (2 to train on, 1 to validate)");
        }
        boolean[] held = validationMask(sequences.size(), validationFraction, seed);
        List<String> train = new ArrayList<>();
        List<String> validation = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            (held[i] ? validation : train).add(sequences.get(i));
        }
        return new Corpus(file, Sha256.of(bytes), mode, train, validation);
    }

    /** The non-blank lines of a text, without their line terminators. */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    /** The text cut into consecutive chunks of {@code length} code points; the last one may be shorter. */
    public static List<String> chunks(String text, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("The chunk length must be positive, got " + length);
        }
        List<String> out = new ArrayList<>();
        int[] codePoints = text.codePoints().toArray();
        for (int start = 0; start < codePoints.length; start += length) {
            out.add(new String(codePoints, start, Math.min(length, codePoints.length - start)));
        }
        return out;
    }

    /**
     * Which of {@code n} sequences are held out: a seeded random subset of round(n × fraction) of them, at least
     * one and at most n - 2.
     */
    static boolean[] validationMask(int n, double fraction, long seed) {
        int held = (int) Math.min(n - 2, Math.max(1, Math.round(n * fraction)));
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] mask = new boolean[n];
        for (int i = 0; i < held; i++) {
            mask[order.get(i)] = true;
        }
        return mask;
    }
}
