package io.seqstream.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The unseen-n-gram baseline: it remembers every n-gram of the training sessions and flags a session that contains
 * one it never saw. Each session is padded as {@code <s>}×(n−1), its keys, {@code <e>} before its n-grams are taken,
 * so a session's first keys are judged by how sessions start and its last keys by how sessions end: n = 1 flags an
 * unseen key; n = 2 also an unseen first key, an unseen pair or an unseen last key; and so on.
 */
public final class NGramDetector {
    public static final String START = "<s>";
    public static final String END = "<e>";

    private final int n;
    private final Set<List<String>> seen;

    private NGramDetector(int n, Set<List<String>> seen) {
        this.n = n;
        this.seen = seen;
    }

    /** Learns the n-grams of the training sessions. */
    public static NGramDetector train(int n, Iterable<List<String>> sessions) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        Set<List<String>> seen = new HashSet<>();
        for (List<String> session : sessions) {
            seen.addAll(ngrams(n, session));
        }
        return new NGramDetector(n, seen);
    }

    public int n() {
        return n;
    }

    /** Distinct n-grams seen in training. */
    public int size() {
        return seen.size();
    }

    /** True when the session holds an n-gram (with its padding) that no training session held. */
    public boolean isAnomalous(List<String> session) {
        for (List<String> gram : ngrams(n, session)) {
            if (!seen.contains(gram)) {
                return true;
            }
        }
        return false;
    }

    /** One flag per session. */
    public boolean[] flag(List<List<String>> sessions) {
        boolean[] flags = new boolean[sessions.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = isAnomalous(sessions.get(i));
        }
        return flags;
    }

    /** The n-grams of the padded session, in order. */
    static List<List<String>> ngrams(int n, List<String> session) {
        List<String> padded = new ArrayList<>(session.size() + n);
        padded.addAll(Collections.nCopies(n - 1, START));
        padded.addAll(session);
        padded.add(END);
        List<List<String>> grams = new ArrayList<>(padded.size());
        for (int i = 0; i + n <= padded.size(); i++) {
            grams.add(List.copyOf(padded.subList(i, i + n)));
        }
        return grams;
    }
}
