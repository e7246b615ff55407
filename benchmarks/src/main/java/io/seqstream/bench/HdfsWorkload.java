package io.seqstream.bench;

import io.seqstream.eval.Confusion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The realistic case: HDFS block sessions replayed as they arrive in real logs. {@code open} sessions are in
 * flight at once; each event comes from one of them drawn at random, so a key's events are close together and
 * interleaved with the other open sessions'; a session's last event carries {@code "end": true} and a new session
 * (a new key) takes its place. Sessions are drawn from the abnormal ones with the full HDFS test set's
 * prevalence (16,838 of 570,204 sessions), else from the normal ones, each time under a fresh key.
 */
final class HdfsWorkload implements Workload {
    static final String NAME = "hdfs";
    /** Abnormal sessions among all of HDFS's labelled sessions (DeepLog's test set). */
    static final double ABNORMAL_SHARE =
            (double) Confusion.HDFS_ABNORMAL / (Confusion.HDFS_ABNORMAL + Confusion.HDFS_NORMAL);

    private final List<List<String>> normal;
    private final List<List<String>> abnormal;
    private final int open;

    /**
     * @param normal   sessions to replay (log keys in order), at least one
     * @param abnormal anomalous sessions mixed in at {@link #ABNORMAL_SHARE}; may be empty
     * @param open     sessions in flight at once
     */
    HdfsWorkload(List<List<String>> normal, List<List<String>> abnormal, int open) {
        if (normal.isEmpty() || normal.stream().anyMatch(List::isEmpty) || abnormal.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("Need at least one normal session, and no empty session");
        }
        if (open < 1) {
            throw new IllegalArgumentException("open sessions must be positive: " + open);
        }
        this.normal = List.copyOf(normal);
        this.abnormal = List.copyOf(abnormal);
        this.open = open;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "HDFS block sessions replayed %,d open at once, %.1f%% of them abnormal, "
                + "each ended with \"end\": true; a model trained on HDFS", open, 100 * ABNORMAL_SHARE);
    }

    @Override
    public Events events(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Session> inFlight = new ArrayList<>(open);
        long[] started = {0};
        // Keys carry the seed so that two passes (backlog, paced) never share a key.
        String prefix = String.format(Locale.ROOT, "blk-%d-", seed);
        Supplier<Session> newSession = () -> {
            List<List<String>> pool = !abnormal.isEmpty() && random.nextDouble() < ABNORMAL_SHARE ? abnormal : normal;
            return new Session(prefix + started[0]++, pool.get(random.nextInt(pool.size())));
        };
        for (int i = 0; i < open; i++) {
            inFlight.add(newSession.get());
        }
        return () -> {
            int slot = random.nextInt(inFlight.size());
            Session session = inFlight.get(slot);
            String token = session.keys.get(session.next++);
            boolean ends = session.next == session.keys.size();
            if (ends) {
                inFlight.set(slot, newSession.get());
            }
            String json = ends ? "{\"token\":\"" + token + "\",\"end\":true}" : "{\"token\":\"" + token + "\"}";
            return new Event(session.key, json.getBytes(StandardCharsets.UTF_8), ends);
        };
    }

    private static final class Session {
        final String key;
        final List<String> keys;
        int next;

        Session(String key, List<String> keys) {
            this.key = key;
            this.keys = keys;
        }
    }
}
