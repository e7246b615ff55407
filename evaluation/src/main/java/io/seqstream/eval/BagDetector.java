package io.seqstream.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The unseen-bag baseline: it remembers the bag (how many times each key occurs) of every training session and
 * flags a session whose bag no training session had, whatever the order of its keys. On HDFS the anomalies are
 * mostly count anomalies (a block replicated or deleted the wrong number of times), so this baseline catches them;
 * the LSTM's session rule uses the same bags, gated by how surprising the session's events were.
 */
public final class BagDetector {
    private final Set<Map<String, Integer>> seen;

    private BagDetector(Set<Map<String, Integer>> seen) {
        this.seen = seen;
    }

    /** Learns the bags of the training sessions. */
    public static BagDetector train(Iterable<List<String>> sessions) {
        Set<Map<String, Integer>> seen = new HashSet<>();
        for (List<String> session : sessions) {
            seen.add(bag(session));
        }
        return new BagDetector(seen);
    }

    /** Distinct bags seen in training. */
    public int size() {
        return seen.size();
    }

    /** True when no training session had this session's bag. */
    public boolean isAnomalous(List<String> session) {
        return !seen.contains(bag(session));
    }

    /** One flag per session. */
    public boolean[] flag(List<List<String>> sessions) {
        boolean[] flags = new boolean[sessions.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = isAnomalous(sessions.get(i));
        }
        return flags;
    }

    static Map<String, Integer> bag(List<String> session) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String key : session) {
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }
}
