package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.schemas.v1.Prediction;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;

class ScoreLinesTest {
    private static final String ESC = "\u001B[";

    static Score score(String key, long position, String token, double p, int rank, boolean anomaly, String model) {
        return Score.newBuilder().setKey(key).setPosition(position).setToken(token).setTokenId(4).setProbability(p)
                .setSurprisal(-Math.log(p)).setRank(rank)
                .setPredictions(List.of(new Prediction("E5", 0.912), new Prediction("E9", 0.05),
                        new Prediction("E2", 0.02), new Prediction("E7", 0.01)))
                .setAnomaly(anomaly).setTopG(3).setModel(model).setPartition(0).setOffset(position - 1)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    static SequenceSummary summary(String key, SummaryReason reason, long tokens, double perplexity, long anomalies) {
        return SequenceSummary.newBuilder().setKey(key).setReason(reason).setTokens(tokens)
                .setMeanSurprisal(Math.log(perplexity)).setMaxSurprisal(3.0).setPerplexity(perplexity)
                .setAnomalies(anomalies).setModel("hdfs@1").setFirstEventTime(Instant.ofEpochMilli(1))
                .setLastEventTime(Instant.ofEpochMilli(2)).build();
    }

    @Test
    void shouldPrintKeyVersionPositionTokenProbabilityAndTopThree() {
        assertThat(ScoreLines.score(score("blk-1", 2, "E5", 0.9123, 1, false, "hdfs-tiny@3"), Ansi.OFF))
                .isEqualTo("blk-1          @3  #2   E5     p=0.912  top3=[E5:0.91 E9:0.05 E2:0.02]");
    }

    @Test
    void shouldMarkAnAnomalyWithItsRankInBoldRedOnlyWhereColourIsOn() {
        Score anomaly = score("blk-1", 7, "E22", 0.0012, 9, true, "hdfs-tiny@3");

        assertThat(ScoreLines.score(anomaly, Ansi.OFF))
                .isEqualTo("blk-1          @3  #7   E22    p=0.001  top3=[E5:0.91 E9:0.05 E2:0.02]  ANOMALY (rank 9)");
        assertThat(ScoreLines.score(anomaly, Ansi.ON)).contains(ESC).contains("ANOMALY").endsWith(" (rank 9)");
        assertThat(ScoreLines.score(score("blk-1", 2, "E5", 0.9, 1, false, "m@1"), Ansi.ON)).doesNotContain(ESC);
    }

    @Test
    void shouldSayTheCalibratedScoreWhenTopGDidNotFlagTheEvent() {
        Score byLikelihood = score("cpu", 7, "97.5", 0.3, 1, true, "metrics@1");
        byLikelihood.setCalibratedScore(0.99999712);

        assertThat(ScoreLines.score(byLikelihood, Ansi.OFF)).endsWith("ANOMALY (calibrated 0.999997)");
    }

    @Test
    void shouldPrintTokensAsDataNotAsMarkupAndKeepOneLine() {
        String line = ScoreLines.score(score("k\n2", 1, "@|red x|@\n", 0.5, 2, true, "chars@1"), Ansi.ON);

        assertThat(line).doesNotContain("\n").contains("k\\n2").contains("@|red x|@\\n");
        assertThat(ScoreLines.printable("a\tb\u0007")).isEqualTo("a\\tb\\u0007");
        assertThat(ScoreLines.printable("plain")).isEqualTo("plain");
    }

    @Test
    void shouldShowTheWholeModelWhenItNamesNoVersion() {
        assertThat(ScoreLines.version("hdfs@12")).isEqualTo("@12");
        assertThat(ScoreLines.version("legacy")).isEqualTo("legacy");
    }

    @Test
    void shouldSummariseASequenceOnOneLine() {
        assertThat(ScoreLines.summary(summary("blk-1", SummaryReason.END, 12, 3.4012, 1), Ansi.OFF))
                .isEqualTo("blk-1          ended: 12 tokens, perplexity 3.40, 1 anomalous");
        assertThat(ScoreLines.summary(summary("blk-2", SummaryReason.EXPIRED, 5, 2.0, 0), Ansi.OFF))
                .isEqualTo("blk-2          expired: 5 tokens, perplexity 2.00, 0 anomalous");
        assertThat(ScoreLines.summary(summary("blk-1", SummaryReason.END, 12, 3.4, 1), Ansi.ON)).contains(ESC);
        assertThat(ScoreLines.summary(summary("blk-2", SummaryReason.END, 5, 2.0, 0), Ansi.ON)).doesNotContain(ESC);
    }

    @Test
    void shouldSayWhenTheSessionRuleFlaggedTheSequence() {
        SequenceSummary flagged = summary("blk-3", SummaryReason.END, 19, 1.2, 0);
        flagged.setSessionAnomaly(true);
        flagged.setSessionRule("new-bag");

        assertThat(ScoreLines.summary(flagged, Ansi.OFF))
                .isEqualTo("blk-3          ended: 19 tokens, perplexity 1.20, 0 anomalous, session anomalous (new-bag)");
        assertThat(ScoreLines.summary(flagged, Ansi.ON)).contains(ESC);
    }
}
