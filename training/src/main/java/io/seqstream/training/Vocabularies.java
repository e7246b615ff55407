package io.seqstream.training;

import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Vocabularies from token sequences that are already split. */
final class Vocabularies {
    private Vocabularies() {
    }

    /**
     * The vocabulary {@link Vocabulary#build} would make from texts that split into these tokens: tokens seen at
     * least {@code minCount} times, most frequent first (ties in token order), at most {@code maxSize} in all.
     * Tokens are lower-cased first when {@code lowercase} is set, as {@link Vocabulary#id} looks them up. A
     * numeric vocabulary has every bin: {@code maxSize} tokens in all.
     */
    static Vocabulary build(VocabularyKind kind, boolean lowercase, List<List<String>> sequences, int minCount,
                            int maxSize) {
        if (maxSize <= Vocabulary.RESERVED.size()) {
            throw new IllegalArgumentException("maxSize must exceed the " + Vocabulary.RESERVED.size()
                    + " reserved tokens");
        }
        if (kind == VocabularyKind.NUMERIC) {
            return Vocabulary.numeric(maxSize - Vocabulary.RESERVED.size()); // every bin, whatever the data holds
        }
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> sequence : sequences) {
            for (String token : sequence) {
                counts.merge(lowercase ? token.toLowerCase(Locale.ROOT) : token, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.entrySet());
        ranked.removeIf(e -> e.getValue() < minCount || Vocabulary.RESERVED.contains(e.getKey()));
        ranked.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> all = new ArrayList<>(Vocabulary.RESERVED);
        for (Map.Entry<String, Integer> e : ranked) {
            if (all.size() >= maxSize) {
                break;
            }
            all.add(e.getKey());
        }
        return new Vocabulary(kind, lowercase, all);
    }

    /** Distinct tokens of {@code sequences} that {@code vocabulary} maps to {@code <unk>}, and their occurrences. */
    record Unknown(int distinct, long occurrences) {
    }

    static Unknown unknown(Vocabulary vocabulary, List<List<String>> sequences) {
        Map<String, Long> missing = new HashMap<>();
        for (List<String> sequence : sequences) {
            for (String token : sequence) {
                if (!vocabulary.contains(token)) {
                    missing.merge(token, 1L, Long::sum);
                }
            }
        }
        return new Unknown(missing.size(), missing.values().stream().mapToLong(Long::longValue).sum());
    }
}
