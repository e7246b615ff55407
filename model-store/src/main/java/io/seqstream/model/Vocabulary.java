package io.seqstream.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An immutable token vocabulary. Ids 0, 1 and 2 are the reserved tokens {@value #START}, {@value #END} and
 * {@value #UNK}; every other token follows in order of decreasing training frequency.
 */
public final class Vocabulary {
    public static final String START = "<s>";
    public static final String END = "<e>";
    public static final String UNK = "<unk>";
    public static final int START_ID = 0;
    public static final int END_ID = 1;
    public static final int UNK_ID = 2;
    public static final List<String> RESERVED = List.of(START, END, UNK);

    private static final Pattern WORD_TOKEN = Pattern.compile("[\\p{L}\\p{N}'\u2019]+|[^\\s\\p{L}\\p{N}]");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final VocabularyKind kind;
    private final boolean lowercase;
    private final List<String> tokens;
    private final Map<String, Integer> ids;
    /** A numeric vocabulary's id of each bin's token, lowest bin first; empty for other kinds. */
    private final int[] binIds;

    @JsonCreator
    public Vocabulary(@JsonProperty("kind") VocabularyKind kind,
                      @JsonProperty("lowercase") boolean lowercase,
                      @JsonProperty("tokens") List<String> tokens) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.lowercase = lowercase;
        this.tokens = List.copyOf(tokens);
        if (this.tokens.size() < RESERVED.size() || !this.tokens.subList(0, RESERVED.size()).equals(RESERVED)) {
            throw new IllegalArgumentException("A vocabulary must start with the reserved tokens " + RESERVED);
        }
        Map<String, Integer> index = new HashMap<>(this.tokens.size() * 2);
        for (int i = 0; i < this.tokens.size(); i++) {
            if (index.putIfAbsent(this.tokens.get(i), i) != null) {
                throw new IllegalArgumentException("Duplicate token in vocabulary: '" + this.tokens.get(i) + "'");
            }
        }
        this.ids = Collections.unmodifiableMap(index);
        this.binIds = new int[kind == VocabularyKind.NUMERIC ? this.tokens.size() - RESERVED.size() : 0];
        for (int b = 0; b < binIds.length; b++) {
            binIds[b] = id(RangeQuantizer.token(b));
        }
    }

    /**
     * Builds a vocabulary from training texts: tokens seen at least {@code minCount} times, the most frequent
     * first (ties in token order), at most {@code maxSize} tokens in all including the reserved ones. A numeric
     * vocabulary has every bin: {@code maxSize} tokens.
     */
    public static Vocabulary build(VocabularyKind kind, boolean lowercase, Iterable<String> texts,
                                   int minCount, int maxSize) {
        if (maxSize <= RESERVED.size()) {
            throw new IllegalArgumentException("maxSize must exceed the " + RESERVED.size() + " reserved tokens");
        }
        if (kind == VocabularyKind.NUMERIC) {
            return numeric(maxSize - RESERVED.size()); // every bin, whatever the texts hold
        }
        Vocabulary tokenizer = new Vocabulary(kind, lowercase, RESERVED);
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String token : tokenizer.tokenize(text)) {
                counts.merge(token, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.entrySet());
        ranked.removeIf(e -> e.getValue() < minCount || RESERVED.contains(e.getKey()));
        ranked.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> all = new ArrayList<>(RESERVED);
        for (Map.Entry<String, Integer> e : ranked) {
            if (all.size() >= maxSize) {
                break;
            }
            all.add(e.getKey());
        }
        return new Vocabulary(kind, lowercase, all);
    }

    /** The vocabulary of a numeric model: the reserved tokens, then one token per bin, lowest first. */
    public static Vocabulary numeric(int bins) {
        if (bins < 2) {
            throw new IllegalArgumentException("A numeric vocabulary needs at least 2 bins, not " + bins);
        }
        List<String> all = new ArrayList<>(RESERVED);
        for (int b = 0; b < bins; b++) {
            all.add(RangeQuantizer.token(b));
        }
        return new Vocabulary(VocabularyKind.NUMERIC, false, all);
    }

    /** Whether {@code other} turns input into tokens the same way (same kind, same lower-casing). */
    public boolean readsLike(Vocabulary other) {
        return kind == other.kind && lowercase == other.lowercase;
    }

    /** True for a numeric model's vocabulary, whose events carry numbers rather than tokens. */
    @JsonIgnore
    public boolean isNumeric() {
        return kind == VocabularyKind.NUMERIC;
    }

    /** A numeric vocabulary's number of bins. */
    @JsonIgnore
    public int bins() {
        if (!isNumeric()) {
            throw new IllegalStateException("Not a numeric vocabulary: " + kind.label());
        }
        return tokens.size() - RESERVED.size();
    }

    /** A numeric vocabulary's id of bin {@code bin}'s token ({@link #UNK_ID} if the vocabulary lacks it). */
    public int binId(int bin) {
        if (!isNumeric()) {
            throw new IllegalStateException("Not a numeric vocabulary: " + kind.label());
        }
        return binIds[bin];
    }

    /** Splits text into tokens the way this vocabulary's kind does (lower-cased if the vocabulary is). */
    public List<String> tokenize(String text) {
        String normalised = lowercase ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>();
        switch (kind) {
            case CHAR -> normalised.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            case WORD -> {
                Matcher m = WORD_TOKEN.matcher(normalised);
                while (m.find()) {
                    out.add(m.group());
                }
            }
            case ID, NUMERIC -> {
                for (String part : WHITESPACE.split(normalised.strip())) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            }
        }
        return out;
    }

    /** The id of a token (normalised as by {@link #tokenize}), or {@link #UNK_ID} if it is not known. */
    public int id(String token) {
        Integer id = ids.get(lowercase ? token.toLowerCase(Locale.ROOT) : token);
        return id == null ? UNK_ID : id;
    }

    /** True if the token maps to an id of its own (not {@value #UNK}). */
    public boolean contains(String token) {
        return id(token) != UNK_ID || UNK.equals(token);
    }

    /** Tokenizes and maps to ids. */
    public int[] encode(String text) {
        List<String> parts = tokenize(text);
        int[] out = new int[parts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(parts.get(i));
        }
        return out;
    }

    public String token(int id) {
        return tokens.get(id);
    }

    @JsonProperty("kind")
    public VocabularyKind kind() {
        return kind;
    }

    @JsonProperty("lowercase")
    public boolean lowercase() {
        return lowercase;
    }

    @JsonProperty("tokens")
    public List<String> tokens() {
        return tokens;
    }

    public int size() {
        return tokens.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && kind == v.kind && lowercase == v.lowercase && tokens.equals(v.tokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, lowercase, tokens);
    }

    @Override
    public String toString() {
        return "Vocabulary[" + kind.label() + ", " + size() + " tokens" + (lowercase ? ", lower-cased" : "") + "]";
    }
}
