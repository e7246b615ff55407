package io.seqstream.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What training measured about a model's own scores on its training sequences, scored through the network
 * exactly as the stream scores them ({@code <s>} pending first, then every token, then {@code <e>}). Stored as
 * {@value #FILE} in the version directory and covered by the version's checksums like every other file; absent
 * from versions published before it existed.
 *
 * <p>It serves two things: a <em>calibrated score</em> for every event ({@link #calibratedScore}: the share of
 * training events that were less surprising, so 0.999 means "rarer than 999 in 1,000 training events" for any
 * model), and the <em>session rule</em> ({@link #sessionAnomaly}) that decides, when a sequence ends, whether it
 * is anomalous as a whole.
 *
 * @param eventSurprisal      {@value #QUANTILES} quantiles (levels i/1000) of the per-event surprisal in nats over
 *                            the training sequences, {@code <e>} included, ascending
 * @param sessionMaxSurprisal T_max: the largest worst-event surprisal of any training sequence
 * @param bagSurprisal        T_lo: the bag rule's threshold, the 0.99 quantile of the training sequences' worst-event
 *                            surprisal
 * @param uniqueBagShare      the share of training sequences whose bag occurs only once in training
 * @param bags                the distinct bags of the training sequences ({@link #bag}), kept sorted; empty when the
 *                            bag rule is off
 * @param sequences           how many training sequences were scored
 */
public record ModelCalibration(@JsonProperty("eventSurprisal") double[] eventSurprisal,
                               @JsonProperty("sessionMaxSurprisal") double sessionMaxSurprisal,
                               @JsonProperty("bagSurprisal") double bagSurprisal,
                               @JsonProperty("uniqueBagShare") double uniqueBagShare,
                               @JsonProperty("bags") List<String> bags,
                               @JsonProperty("sequences") long sequences) {
    /** The file name inside a version directory. */
    public static final String FILE = "calibration.json";
    /** How many quantiles {@link #eventSurprisal} holds. */
    public static final int QUANTILES = 1001;
    /**
     * The bag rule is on only when at most this share of training sequences has a bag of its own: above it,
     * bags do not repeat (long sequences, large vocabularies) and an unseen bag says nothing.
     */
    public static final double BAG_RULE_MAX_UNIQUE_SHARE = 0.05;
    /** A bag with more distinct tokens than this is not kept; such a sequence cannot use the bag rule. */
    public static final int MAX_BAG_TOKENS = 64;

    /** Session rule names, as written in summaries. */
    public static final String RULE_UNKNOWN_TOKEN = "unknown-token";
    public static final String RULE_NEW_BAG = "new-bag";
    public static final String RULE_MAX_SURPRISAL = "max-surprisal";

    public ModelCalibration {
        Objects.requireNonNull(eventSurprisal, "eventSurprisal");
        if (eventSurprisal.length != QUANTILES) {
            throw new IllegalArgumentException("Expected " + QUANTILES + " surprisal quantiles, got "
                    + eventSurprisal.length);
        }
        for (int i = 1; i < eventSurprisal.length; i++) {
            if (!(eventSurprisal[i] >= eventSurprisal[i - 1])) {
                throw new IllegalArgumentException("Surprisal quantiles are not ascending at " + i);
            }
        }
        eventSurprisal = eventSurprisal.clone();
        bags = bags == null ? List.of() : bags.stream().distinct().sorted().toList();
    }

    /** True when sequences are judged by their bag ({@link #sessionAnomaly}). */
    @JsonIgnore
    public boolean bagRule() {
        return !bags.isEmpty();
    }

    /**
     * The share of training events at least as surprising as {@code surprisal}, interpolated between the
     * quantiles: 1 at or below the smallest, 0 above the largest.
     */
    public double eventTailProbability(double surprisal) {
        double[] q = eventSurprisal;
        if (Double.isNaN(surprisal)) {
            return 0.0;
        }
        if (surprisal <= q[0]) {
            return 1.0;
        }
        if (surprisal > q[q.length - 1]) {
            return 0.0;
        }
        int hi = Arrays.binarySearch(q, surprisal);
        if (hi >= 0) {
            // The first of equal quantiles: the share of events at or above it.
            while (hi > 0 && q[hi - 1] == surprisal) {
                hi--;
            }
            return 1.0 - hi / (double) (q.length - 1);
        }
        hi = -hi - 1;
        int lo = hi - 1;
        double fraction = (surprisal - q[lo]) / (q[hi] - q[lo]);
        double level = (lo + fraction) / (q.length - 1);
        return 1.0 - level;
    }

    /**
     * The calibrated score of one event, in [0, 1]: the share of training events that were less surprising
     * (1 − {@link #eventTailProbability}); an unknown token scores 1.
     */
    public double calibratedScore(double surprisal, boolean unknownToken) {
        return unknownToken ? 1.0 : 1.0 - eventTailProbability(surprisal);
    }

    /**
     * The session rule, shared by the stream and the evaluation: the name of the rule that flags a finished
     * sequence, or empty when it is normal.
     * <ul>
     *   <li>{@value #RULE_UNKNOWN_TOKEN}: it held a token outside the vocabulary;</li>
     *   <li>bag rule on and the bag known: {@value #RULE_NEW_BAG} when its bag never occurred in training and its
     *       worst event was more surprising than {@link #bagSurprisal};</li>
     *   <li>otherwise {@value #RULE_MAX_SURPRISAL} when its worst event was more surprising than any training
     *       sequence's worst ({@link #sessionMaxSurprisal}).</li>
     * </ul>
     *
     * @param bag the sequence's {@link #bag}, or null when it was not kept (too many distinct tokens, or the
     *            sequence changed model version midway)
     */
    public Optional<String> sessionAnomaly(boolean sawUnknown, String bag, double worstSurprisal) {
        if (sawUnknown) {
            return Optional.of(RULE_UNKNOWN_TOKEN);
        }
        if (bagRule() && bag != null) {
            return Collections.binarySearch(bags, bag) < 0 && worstSurprisal > bagSurprisal
                    ? Optional.of(RULE_NEW_BAG) : Optional.empty();
        }
        return worstSurprisal > sessionMaxSurprisal ? Optional.of(RULE_MAX_SURPRISAL) : Optional.empty();
    }

    /**
     * The canonical bag of a sequence: {@code id:count} pairs of the token ids it observed ({@code <e>}
     * excluded), ascending id, space-separated.
     */
    public static String bag(Map<Integer, Integer> counts) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(counts).entrySet()) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(e.getKey()).append(':').append(e.getValue());
        }
        return out.toString();
    }

    /** The canonical bag of sorted parallel arrays of ids and counts (the first {@code size} entries). */
    public static String bag(int[] ids, int[] counts, int size) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(ids[i]).append(':').append(counts[i]);
        }
        return out.toString();
    }

    /** The calibration stored in {@code versionDir}, or empty if it holds none. */
    public static Optional<ModelCalibration> read(Path versionDir) {
        Path file = versionDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(VersionFiles.JSON.readValue(file.toFile(), ModelCalibration.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes this calibration as JSON. */
    public void write(Path file) {
        try {
            VersionFiles.JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** One line for logs and the end of training. */
    public String describe() {
        return String.format(java.util.Locale.ROOT,
                "calibration from %d training sequences: event surprisal median %.3f, q0.999 %.3f nats; worst "
                        + "sequence %.3f nats; %d distinct bags, %.2f%% unique → bag rule %s%s",
                sequences, eventSurprisal[500], eventSurprisal[999], sessionMaxSurprisal,
                bagRule() ? bags.size() : 0, 100 * uniqueBagShare, bagRule() ? "on" : "off",
                bagRule() ? String.format(java.util.Locale.ROOT, " (new bag flagged above %.3f nats)", bagSurprisal)
                        : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelCalibration c && Arrays.equals(eventSurprisal, c.eventSurprisal)
                && Double.compare(sessionMaxSurprisal, c.sessionMaxSurprisal) == 0
                && Double.compare(bagSurprisal, c.bagSurprisal) == 0
                && Double.compare(uniqueBagShare, c.uniqueBagShare) == 0 && bags.equals(c.bags)
                && sequences == c.sequences;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(eventSurprisal), sessionMaxSurprisal, bagSurprisal, uniqueBagShare, bags,
                sequences);
    }

    @Override
    public String toString() {
        return "ModelCalibration[" + describe() + "]";
    }
}
