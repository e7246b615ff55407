package io.seqstream.bench;

/**
 * The input of one end-to-end run: a seeded, endless sequence of JSON events. The same workload and seed give
 * the count topology and the scoring topology the very same records.
 */
interface Workload {
    /** The short name used in table rows and JSON fields ({@code uniform}, {@code hdfs}). */
    String name();

    /** A line for the table: what the input is. */
    String description();

    /** A fresh sequence; the same seed gives the same events. */
    Events events(long seed);

    /** A source of events. */
    interface Events {
        Event next();
    }

    /**
     * One input record.
     *
     * @param ends whether it ends its key's sequence ({@code "end": true}): the scoring topology then also scores
     *             the end token, so it writes two scores for it
     */
    record Event(String key, byte[] value, boolean ends) {
    }
}
