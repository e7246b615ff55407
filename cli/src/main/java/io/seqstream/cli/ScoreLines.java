package io.seqstream.cli;

import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;

/**
 * The one-line renderings of scores and sequence summaries that {@code quickstart} and {@code tail} print.
 * Only the fixed labels are styled (through {@link Ansi}, so plain text where colour is off); tokens and keys are
 * printed as data, never read as picocli markup, with control characters escaped so each record stays on one line.
 */
final class ScoreLines {
    private ScoreLines() {
    }

    /**
     * {@code blk-1          @3  #2   E5     p=0.912  top3=[E5:0.91 E9:0.05 E2:0.02]}, followed by
     * {@code   ANOMALY (rank 7)} (bold red where colour is on) for an anomalous token, or {@code (calibrated 0.999995)}
     * when top-g did not flag it.
     */
    static String score(Score s, Ansi ansi) {
        String top = s.getPredictions().stream().limit(3)
                .map(p -> String.format(Locale.ROOT, "%s:%.2f", printable(p.getToken()), p.getProbability()))
                .collect(Collectors.joining(" "));
        String line = String.format(Locale.ROOT, "%-14s %-3s #%-3d %-6s p=%.3f  top3=[%s]", printable(s.getKey()),
                version(s.getModel()), s.getPosition(), printable(s.getToken()), s.getProbability(), top);
        if (!s.getAnomaly()) {
            return line;
        }
        // flagged by top-g, or else by the calibrated score (score.anomaly-rule, or a numeric model's likelihood)
        String why = s.getRank() > s.getTopG() || s.getCalibratedScore() == null ? "rank " + s.getRank()
                : String.format(Locale.ROOT, "calibrated %.6f", s.getCalibratedScore());
        return line + "  " + ansi.string("@|bold,red ANOMALY|@") + " (" + why + ")";
    }

    /**
     * {@code blk-1          ended: 12 tokens, perplexity 3.40, 1 anomalous} ({@code expired:} for an expired sequence),
     * the anomaly count in bold red where colour is on and it is not 0.
     */
    static String summary(SequenceSummary s, Ansi ansi) {
        String how = s.getReason() == SummaryReason.EXPIRED ? "expired" : "ended";
        String anomalous = s.getAnomalies() + " anomalous";
        String verdict = s.getSessionAnomaly()
                ? ", " + ansi.string("@|bold,red session anomalous (" + s.getSessionRule() + ")|@") : "";
        return String.format(Locale.ROOT, "%-14s %s: %d tokens, perplexity %.2f, ", printable(s.getKey()), how,
                s.getTokens(), s.getPerplexity())
                + (s.getAnomalies() > 0 ? ansi.string("@|bold,red " + anomalous + "|@") : anomalous) + verdict;
    }

    /** The version part of {@code name@version}, as {@code @version}; the whole text when it has no {@code @}. */
    static String version(CharSequence model) {
        String m = model.toString();
        int at = m.lastIndexOf('@');
        return at < 0 ? m : m.substring(at);
    }

    /** The text with control characters escaped: {@code \n}, {@code \r}, {@code \t}, others as Java unicode escapes. */
    static String printable(CharSequence text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return out == null ? text.toString() : out.toString();
    }
}
