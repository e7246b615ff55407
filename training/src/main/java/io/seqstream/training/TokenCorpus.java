package io.seqstream.training;

import io.seqstream.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Training data as token sequences, split into a training and a validation part: what the {@link Trainer}
 * learns from, whether it came from a text file ({@link #of(Corpus, Vocabulary)}) or from the records of a
 * topic ({@link #split}). Tokens are raw strings, as the scoring topology sees them; the vocabulary maps them
 * to ids later ({@code <unk>} for unseen ones).
 *
 * @param source      where the data came from, as recorded in the manifest (a file path, a topic range)
 * @param fingerprint lower-case hex SHA-256 identifying the data
 * @param train       the training sequences
 * @param validation  the validation sequences
 */
public record TokenCorpus(String source, String fingerprint, List<List<String>> train,
                          List<List<String>> validation) {

    public TokenCorpus {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fingerprint, "fingerprint");
        train = copy(train);
        validation = copy(validation);
    }

    /** A text corpus cut into tokens the way {@code tokenizer}'s kind does (lower-cased if it is). */
    public static TokenCorpus of(Corpus corpus, Vocabulary tokenizer) {
        return new TokenCorpus(corpus.source().toString(), corpus.fingerprint(),
                tokenize(corpus.train(), tokenizer), tokenize(corpus.validation(), tokenizer));
    }

    /**
     * Splits sequences as {@link Corpus#read} splits a file's: a seeded random round(n × fraction) of them (at
     * least one, leaving at least two) is held out for validation; both parts keep the given order.
     *
     * @throws IllegalArgumentException if there are fewer than {@value Corpus#MIN_SEQUENCES} sequences
     */
    public static TokenCorpus split(String source, String fingerprint, List<List<String>> sequences,
                                    double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must lie in (0, 1), got " + validationFraction);
        }
        if (sequences.size() < Corpus.MIN_SEQUENCES) {
            throw new IllegalArgumentException(source + " holds " + sequences.size() + " sequence(s); at least "
                    + Corpus.MIN_SEQUENCES + " are needed (2 to train on, 1 to validate)");
        }
        boolean[] held = Corpus.validationMask(sequences.size(), validationFraction, seed);
        List<List<String>> train = new ArrayList<>();
        List<List<String>> validation = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            (held[i] ? validation : train).add(sequences.get(i));
        }
        return new TokenCorpus(source, fingerprint, train, validation);
    }

    private static List<List<String>> tokenize(List<String> texts, Vocabulary tokenizer) {
        List<List<String>> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(tokenizer.tokenize(text));
        }
        return out;
    }

    private static List<List<String>> copy(List<List<String>> sequences) {
        List<List<String>> out = new ArrayList<>(sequences.size());
        for (List<String> s : sequences) {
            out.add(List.copyOf(s));
        }
        return List.copyOf(out);
    }
}
