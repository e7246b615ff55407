package io.seqstream.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.config.StreamsSettings;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.Vocabulary;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.schemas.v1.SummaryReason;
import io.seqstream.testing.OfflineReference;
import io.seqstream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production topology in {@link TopologyTestDriver}, at-least-once and unbatched; subclasses run the same
 * suite under exactly-once ({@link ScoringTopologyEosTest}) and with batching ({@link ScoringTopologyBatchedTest}),
 * so batched scores are held to the same offline reference as unbatched ones.
 */
class ScoringTopologyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private LoadedModel model = TestModels.hdfs();
    private TopologyTestDriver driver;
    private Topics topics;
    private TestInputTopic<byte[], byte[]> events;
    private TestOutputTopic<String, Score> scores;
    private TestOutputTopic<String, Score> anomalies;
    private TestOutputTopic<String, SequenceSummary> summaries;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private SimpleMeterRegistry registry;

    protected String guarantee() {
        return "at_least_once";
    }

    /** {@code max.batch.delay.ms}; 0 = every record is stepped as it arrives. */
    protected long batchDelayMs() {
        return 0;
    }

    /** Lets pending batches flush (the batching delay passes on the driver's wall clock). */
    protected void settle() {
        if (batchDelayMs() > 0) {
            driver.advanceWallClockTime(Duration.ofMillis(2 * batchDelayMs()));
        }
    }

    protected void start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(
                Setting.MODEL_NAME.key(), TestModels.HDFS,
                Setting.PROCESSING_GUARANTEE.key(), guarantee(),
                Setting.STATE_DIR.key(), stateDir.toString(),
                Setting.STATE_TTL_MS.key(), "60000",
                Setting.EXPIRY_SCAN_MS.key(), "1000",
                Setting.MAX_BATCH_DELAY_MS.key(), Long.toString(batchDelayMs())));
        all.putAll(settings);
        SeqstreamConfig config = SeqstreamConfig.of(all);
        topics = Topics.from(config);
        registry = new SimpleMeterRegistry();
        Properties props = StreamsSettings.build(config);
        driver = new TopologyTestDriver(ScoringTopology.build(config, ActiveModel.of(model),
                new SeqstreamMetrics(registry)), props, T0);
        events = driver.createInputTopic(topics.events().name(), new ByteArraySerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        scores = driver.createOutputTopic(topics.scores().name(), topics.scores().keySerde().deserializer(),
                topics.scores().valueSerde().deserializer());
        anomalies = driver.createOutputTopic(topics.anomalies().name(), topics.anomalies().keySerde().deserializer(),
                topics.anomalies().valueSerde().deserializer());
        summaries = driver.createOutputTopic(topics.summaries().name(), topics.summaries().keySerde().deserializer(),
                topics.summaries().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter().name(),
                topics.deadLetter().keySerde().deserializer(), topics.deadLetter().valueSerde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    protected void send(String key, String json) {
        events.pipeInput(key == null ? null : utf8(key), json == null ? null : utf8(json));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected TopologyTestDriver driver() {
        return driver;
    }

    protected TestOutputTopic<String, Score> scores() {
        return scores;
    }

    protected SimpleMeterRegistry registry() {
        return registry;
    }

    protected KeyValueStore<Long, io.seqstream.app.state.PendingEvent> pendingStore() {
        return driver.getKeyValueStore(ScoringTopology.PENDING_STORE);
    }

    private KeyValueStore<String, KeyState> store() {
        return driver.getKeyValueStore(ScoringTopology.STATE_STORE);
    }

    @Test
    void shouldScoreInterleavedKeysExactlyLikeTheWholeSequenceOffline() {
        start(Map.of());
        List<List<String>> sessions = TestModels.hdfsSessions("dev_normal", 3);
        int longest = sessions.stream().mapToInt(List::size).max().orElseThrow();
        for (int t = 0; t < longest; t++) {
            for (int k = 0; k < sessions.size(); k++) {
                if (t < sessions.get(k).size()) {
                    send("blk-" + k, "{\"token\":\"" + sessions.get(k).get(t) + "\"}");
                }
            }
        }

        settle();
        Map<String, List<Score>> byKey = new HashMap<>();
        for (var kv : scores.readKeyValuesToList()) {
            byKey.computeIfAbsent(kv.key, k -> new ArrayList<>()).add(kv.value);
        }
        assertThat(byKey).hasSize(sessions.size());
        for (int k = 0; k < sessions.size(); k++) {
            List<String> tokens = sessions.get(k);
            List<Score> got = byKey.get("blk-" + k);
            float[][] expected = OfflineReference.distributions(model, tokens);
            assertThat(got).hasSize(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                Score s = got.get(i);
                int id = model.vocabulary().id(tokens.get(i));
                assertThat(s.getPosition()).isEqualTo(i + 1);
                assertThat(s.getToken()).isEqualTo(tokens.get(i));
                assertThat(s.getTokenId()).isEqualTo(id);
                assertThat(s.getProbability()).isCloseTo(expected[i][id], within(1e-5));
                assertThat(s.getSurprisal()).isCloseTo(-Math.log(s.getProbability()), within(1e-9));
                assertThat(s.getPredictions().get(0).getProbability()).isCloseTo(max(expected[i]), within(1e-5));
                assertThat(s.getRank()).isEqualTo(rankOf(expected[i], id));
                assertThat(s.getAnomaly()).isEqualTo(s.getRank() > 9);
                assertThat(s.getModel()).isEqualTo(model.label());
            }
        }
        assertThat(store().get("blk-0").tokens()).isEqualTo(sessions.get(0).size());
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(summaries.isEmpty()).isTrue();
    }

    @Test
    void shouldKeepTheLastScoresSurprisalAndTopKInTheStateAndTimeEveryScoreFromItsEvent() {
        start(Map.of());
        List<String> tokens = TestModels.hdfsSessions("dev_normal", 1).get(0).subList(0, 4);
        tokens.forEach(token -> send("blk-0", "{\"token\":\"" + token + "\"}"));

        settle();
        List<Score> got = scores.readValuesToList();
        Score last = got.get(got.size() - 1);
        KeyState state = store().get("blk-0");
        assertThat(state.lastSurprisal()).isEqualTo(last.getSurprisal());
        assertThat(Arrays.stream(state.lastTopTokens()).mapToObj(id -> model.vocabulary().token(id)).toList())
                .isEqualTo(last.getPredictions().stream().map(p -> p.getToken()).toList());
        Timer latency = registry.get(SeqstreamMetrics.EVENT_TO_SCORE_LATENCY).tag("role", "served").timer();
        assertThat(latency.count()).isEqualTo(got.size());
    }

    private static double max(float[] row) {
        float m = 0;
        for (float v : row) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static int rankOf(float[] row, int id) {
        int better = 0;
        for (float v : row) {
            if (v > row[id]) {
                better++;
            }
        }
        return better + 1;
    }

    @Test
    void shouldScoreTheEndTokenEmitASummaryAndDeleteTheStateWhenASequenceEnds() {
        start(Map.of());
        send("blk", "{\"tokens\":[\"5\",\"5\",\"22\"]}");
        send("blk", "{\"token\":\"11\",\"end\":true}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).extracting(Score::getToken).containsExactly("5", "5", "22", "11", Vocabulary.END);
        assertThat(got.get(4).getTokenId()).isEqualTo(Vocabulary.END_ID);
        float[][] expected = OfflineReference.distributions(model, List.of("5", "5", "22", "11"));
        assertThat(got.get(4).getProbability()).isCloseTo(expected[4][Vocabulary.END_ID], within(1e-5));
        SequenceSummary summary = summaries.readValue();
        assertThat(summary.getReason()).isEqualTo(SummaryReason.END);
        assertThat(summary.getTokens()).isEqualTo(5);
        double mean = got.stream().mapToDouble(Score::getSurprisal).average().orElseThrow();
        assertThat(summary.getMeanSurprisal()).isCloseTo(mean, within(1e-9));
        assertThat(summary.getPerplexity()).isCloseTo(Math.exp(mean), within(1e-9));
        assertThat(summary.getAnomalies()).isEqualTo(got.stream().filter(Score::getAnomaly).count());
        assertThat(got).as("no calibration, no calibrated score").allMatch(score -> score.getCalibratedScore() == null);
        assertThat(summary.getMaxCalibratedScore()).isNull();
        assertThat(summary.getSessionAnomaly()).as("without a calibration: any anomalous event")
                .isEqualTo(summary.getAnomalies() > 0);
        assertThat(store().get("blk")).isNull();
        assertThat(summaries.isEmpty()).isTrue();
    }

    /** Surprisal quantiles 0 to 5 nats in even steps: an event's calibrated score is its surprisal / 5, at most 1. */
    private static double[] linearQuantiles() {
        double[] quantiles = new double[ModelCalibration.QUANTILES];
        for (int i = 0; i < quantiles.length; i++) {
            quantiles[i] = i / 200.0;
        }
        return quantiles;
    }

    @Test
    void shouldFlagAnomaliesByTheCalibratedScoreWhenTheSettingSaysSo() {
        LoadedModel plain = model;
        model = new LoadedModel(plain.manifest(), plain.vocabulary(), plain.network(),
                new ModelCalibration(linearQuantiles(), 1e9, 1e9, 0.5, List.of(), 100));
        start(Map.of(Setting.ANOMALY_RULE.key(), "calibrated", Setting.CALIBRATED_THRESHOLD.key(), "0.5"));
        send("a", "{\"tokens\":[\"5\",\"5\",\"22\",\"5\",\"11\",\"9\",\"26\",\"no-such-key\",\"4\"]}");
        send("b", "{\"tokens\":[\"26\",\"26\",\"3\",\"5\",\"5\",\"22\",\"11\",\"9\"],\"end\":true}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).hasSize(9 + 9);
        for (Score score : got) {
            assertThat(score.getAnomaly()).as("%s: calibrated %s", score.getToken(), score.getCalibratedScore())
                    .isEqualTo(score.getCalibratedScore() > 0.5);
        }
        assertThat(got).as("both verdicts occur").extracting(Score::getAnomaly).contains(true, false);
        assertThat(got).filteredOn(Score::getUnknown).extracting(Score::getAnomaly).containsOnly(true);
        assertThat(anomalies.readValuesToList()).extracting(Score::getToken).containsExactlyElementsOf(
                got.stream().filter(Score::getAnomaly).map(Score::getToken).toList());
    }

    @Test
    void shouldFlagAnEventAnomalousByEitherRule() {
        LoadedModel plain = model;
        model = new LoadedModel(plain.manifest(), plain.vocabulary(), plain.network(),
                new ModelCalibration(linearQuantiles(), 1e9, 1e9, 0.5, List.of(), 100));
        start(Map.of(Setting.ANOMALY_RULE.key(), "either", Setting.CALIBRATED_THRESHOLD.key(), "0.9",
                Setting.TOP_G.key(), "2"));
        send("a", "{\"tokens\":[\"5\",\"5\",\"22\",\"5\",\"11\",\"9\",\"26\",\"3\",\"4\"],\"end\":true}");

        settle();
        List<Score> got = scores.readValuesToList();
        for (Score score : got) {
            assertThat(score.getAnomaly()).as(score.getToken())
                    .isEqualTo(score.getRank() > 2 || score.getCalibratedScore() > 0.9);
        }
        assertThat(got).extracting(Score::getAnomaly).contains(true, false);
    }

    @Test
    void shouldWriteCalibratedScoresAndJudgeEachEndedSequenceWithTheModelsCalibration() {
        LoadedModel plain = model;
        Map<Integer, Integer> normalBag = new HashMap<>();
        for (String token : List.of("5", "5", "22", "11")) {
            normalBag.merge(plain.vocabulary().id(token), 1, Integer::sum);
        }
        // A bag seen in training is normal; any other is flagged when its worst event passes 0 nats (always).
        ModelCalibration calibration = new ModelCalibration(linearQuantiles(), 1e9, 0.0, 0.01,
                List.of(ModelCalibration.bag(normalBag)), 100);
        model = new LoadedModel(plain.manifest(), plain.vocabulary(), plain.network(), calibration);
        start(Map.of());
        send("seen", "{\"tokens\":[\"5\",\"5\",\"22\",\"11\"],\"end\":true}");
        send("new", "{\"tokens\":[\"5\",\"5\",\"5\"],\"end\":true}");
        send("odd", "{\"tokens\":[\"5\",\"no-such-key\"],\"end\":true}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).hasSize(5 + 4 + 3);
        for (Score score : got) {
            double expected = score.getUnknown() ? 1.0
                    : 1.0 - calibration.eventTailProbability(score.getSurprisal());
            assertThat(score.getCalibratedScore()).as(score.getKey() + " " + score.getToken())
                    .isCloseTo(expected, within(1e-12));
        }
        Map<String, SequenceSummary> byKey = new HashMap<>();
        summaries.readValuesToList().forEach(summary -> byKey.put(summary.getKey(), summary));
        assertThat(byKey.get("seen").getSessionAnomaly()).isFalse();
        assertThat(byKey.get("seen").getSessionRule()).isNull();
        assertThat(byKey.get("new").getSessionAnomaly()).isTrue();
        assertThat(byKey.get("new").getSessionRule()).isEqualTo(ModelCalibration.RULE_NEW_BAG);
        assertThat(byKey.get("odd").getSessionRule()).isEqualTo(ModelCalibration.RULE_UNKNOWN_TOKEN);
        assertThat(byKey.get("odd").getMaxCalibratedScore()).isEqualTo(1.0);
        double worstSeen = got.stream().filter(score -> score.getKey().equals("seen"))
                .mapToDouble(Score::getCalibratedScore).max().orElseThrow();
        assertThat(byKey.get("seen").getMaxCalibratedScore()).isCloseTo(worstSeen, within(1e-12));
    }

    @Test
    void shouldScoreANumericModelsValuesByTheKeysRangeAndAnomalyLikelihood(@TempDir Path storeDir) throws Exception {
        model = io.seqstream.testing.RandomModels.withVocabulary(storeDir, "metrics", Vocabulary.numeric(8), 4, 6, 1,
                11L);
        start(Map.of(Setting.MODEL_NAME.key(), "metrics", Setting.LIKELIHOOD_PROBATION.key(), "20"));
        List<Double> values = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            values.add(10.0 + (i % 4) + (i % 7) * 0.5);
        }
        values.add(100.0);
        for (double v : values) {
            send("m", "{\"value\":" + v + "}");
        }
        send("m", "{\"token\":\"ten\"}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).hasSize(values.size());
        // the model's distribution of every value's bin, offline over the whole sequence of bins at once
        MetricTrack bins = new MetricTrack(8, 20);
        List<String> tokens = values.stream().map(v -> bins.observe(v).token()).toList();
        float[][] offline = OfflineReference.distributions(model, tokens);
        Vocabulary vocabulary = model.vocabulary();
        MetricTrack twin = new MetricTrack(8, 20, MetricTrack.DEFAULT_WINDOW, MetricTrack.DEFAULT_HISTORY);
        for (int i = 0; i < got.size(); i++) {
            Score score = got.get(i);
            assertThat(score.getToken()).isEqualTo(Double.toString(values.get(i)));
            MetricTrack.Observation seen = twin.observe(values.get(i));
            float[] row = offline[i];
            assertThat(score.getProbability()).as("event %d", i).isCloseTo(row[score.getTokenId()], within(1e-5));
            double expected = twin.calibrate(seen, b -> row[vocabulary.binId(b)]);
            // the offline distribution is DL4J's float32 softmax, the stream's exp(logit - normalizer) in double
            assertThat(score.getCalibratedScore()).as("event %d", i).isCloseTo(expected, within(1e-6));
            assertThat(score.getAnomaly()).as("event %d", i).isEqualTo(score.getCalibratedScore() > 0.9999);
            assertThat(score.getTokenId()).as("event %d's bin", i).isEqualTo(model.vocabulary().id(seen.token()));
            if (seen.beyondRange()) {
                assertThat(score.getCalibratedScore()).as("event %d breaks out", i).isEqualTo(1.0);
            } else if (i < 20) {
                assertThat(score.getCalibratedScore()).as("event %d in probation", i).isEqualTo(0.5);
            }
        }
        Score breakOut = got.get(got.size() - 1);
        assertThat(breakOut.getCalibratedScore()).isEqualTo(1.0);
        assertThat(breakOut.getAnomaly()).isTrue();
        assertThat(got.subList(20, 60)).extracting(Score::getCalibratedScore).doesNotContain(0.5);
        assertThat(store().get("m").metric().events()).isEqualTo(61);
        assertThat(store().get("m").metric().max()).isEqualTo(100.0);
        // score.numeric-window, -history and -floor
        assertThat(store().get("m").metric().shape()).containsExactly(16, 1000, 2);
        assertThat(deadLetters.readRecordsToList()).extracting(r -> DeadLetters.header(r.headers(),
                DeadLetters.REASON)).containsExactly(EventParser.NOT_A_NUMBER);
    }

    @Test
    void shouldListNoPredictionsWithTopKZero() {
        start(Map.of(Setting.TOP_K.key(), "0"));
        send("a", "{\"tokens\":[\"5\",\"5\",\"22\",\"5\",\"11\",\"9\",\"26\",\"3\",\"4\"],\"end\":true}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).hasSize(10);
        assertThat(got).allSatisfy(s -> assertThat(s.getPredictions()).isEmpty());
        assertThat(got).allSatisfy(s -> assertThat(s.getAnomaly()).isEqualTo(s.getRank() > s.getTopG()));
        assertThat(got).extracting(Score::getRank).anySatisfy(rank -> assertThat(rank).isGreaterThan(1));
    }

    @Test
    void shouldStartAFreshSequenceAfterAnEnd() {
        start(Map.of());
        send("blk", "{\"token\":\"5\",\"end\":true}");
        send("blk", "{\"token\":\"5\"}");

        settle();
        List<Score> got = scores.readValuesToList();
        assertThat(got).extracting(Score::getPosition).containsExactly(1L, 2L, 1L);
        assertThat(got.get(2).getProbability()).isEqualTo(got.get(0).getProbability());
    }

    @Test
    void shouldDeadLetterBadRecordsWithReasonsAndScoreTheGoodOnesAroundThem() {
        start(Map.of(Setting.INPUT_MAX_VALUE_BYTES.key(), "100"));
        send("good", "{\"token\":\"5\"}");
        send("bad-json", "{\"token\":");
        send(null, "{\"token\":\"5\"}");
        events.pipeInput(new TestRecord<>(utf8("bad-utf8"), new byte[] {'{', (byte) 0xFE, '}'},
                new RecordHeaders().add("trace", utf8("t-1")), T0));
        send("big", "{\"token\":\"" + "x".repeat(200) + "\"}");
        send("empty", "{}");
        send("good", "{\"token\":\"22\"}");

        settle();
        assertThat(scores.readValuesToList()).extracting(Score::getKey, Score::getPosition)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("good", 1L),
                        org.assertj.core.groups.Tuple.tuple("good", 2L));
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.REASON)).containsExactly(
                EventParser.INVALID_JSON, EventParser.NULL_KEY, EventParser.INVALID_UTF8, EventParser.OVERSIZED,
                EventParser.NO_TOKENS);
        assertThat(dead.get(0).value()).isEqualTo(utf8("{\"token\":"));
        assertThat(dead.get(0).key()).isEqualTo(utf8("bad-json"));
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("events");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(DeadLetters.header(dead.get(2).headers(), "trace")).isEqualTo("t-1");
        assertThat(registry.get(SeqstreamMetrics.DEAD_LETTERED).tag(SeqstreamMetrics.TAG_REASON, "invalid-json")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldScoreUnknownTokensAsUnk() {
        start(Map.of());
        send("blk", "{\"token\":\"E-never-seen\"}");

        settle();
        Score score = scores.readValue();
        assertThat(score.getTokenId()).isEqualTo(Vocabulary.UNK_ID);
        assertThat(score.getUnknown()).isTrue();
        assertThat(score.getToken()).isEqualTo("E-never-seen");
    }

    @Test
    void shouldCopyAnomalousScoresToTheAnomaliesTopic() {
        start(Map.of(Setting.TOP_G.key(), "1"));
        for (String token : TestModels.hdfsSessions("dev_abnormal", 1).get(0)) {
            send("blk", "{\"token\":\"" + token + "\"}");
        }

        settle();
        List<Score> all = scores.readValuesToList();
        List<Score> flagged = anomalies.readValuesToList();
        assertThat(flagged).isNotEmpty().allMatch(Score::getAnomaly).allMatch(s -> s.getRank() > 1);
        assertThat(flagged).isEqualTo(all.stream().filter(Score::getAnomaly).toList());
    }

    @Test
    void shouldExpireIdleKeysWithASummary() {
        start(Map.of());
        send("idle", "{\"tokens\":[\"5\",\"22\"]}");
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        send("busy", "{\"token\":\"5\"}");
        driver.advanceWallClockTime(Duration.ofSeconds(35));

        settle();
        SequenceSummary summary = summaries.readValue();
        assertThat(summary.getKey()).isEqualTo("idle");
        assertThat(summary.getReason()).isEqualTo(SummaryReason.EXPIRED);
        assertThat(summary.getTokens()).isEqualTo(2);
        assertThat(store().get("idle")).isNull();
        assertThat(store().get("busy")).isNotNull();
        assertThat(summaries.isEmpty()).isTrue();
    }

    @Test
    void shouldScanForIdleKeysASliceAtATime() {
        start(Map.of());
        int keys = 2 * ScoringProcessor.EXPIRY_SLICE_MIN_KEYS + 50;
        for (int i = 0; i < keys; i++) {
            send(String.format("key-%03d", i), "{\"token\":\"5\"}");
        }
        settle();
        scores.readValuesToList();

        driver.advanceWallClockTime(Duration.ofSeconds(61)); // the scan starts: its first slice
        List<String> first = summaries.readValuesToList().stream().map(SequenceSummary::getKey).toList();
        assertThat(first).hasSize(ScoringProcessor.EXPIRY_SLICE_MIN_KEYS).startsWith("key-000");
        assertThat(store().get("key-249")).isNotNull();
        driver.advanceWallClockTime(Duration.ofMillis(ScoringProcessor.EXPIRY_SLICE_MS));
        assertThat(summaries.readValuesToList()).hasSize(ScoringProcessor.EXPIRY_SLICE_MIN_KEYS);
        driver.advanceWallClockTime(Duration.ofMillis(ScoringProcessor.EXPIRY_SLICE_MS));
        assertThat(summaries.readValuesToList()).hasSize(50).last().extracting(SequenceSummary::getKey)
                .isEqualTo("key-249");
        for (int i = 0; i < keys; i++) {
            assertThat(store().get(String.format("key-%03d", i))).isNull();
        }
    }

    @Test
    void shouldSplitTextValuesWithTheModelsVocabulary() {
        start(Map.of(Setting.INPUT_FORMAT.key(), "text"));
        send("blk", "5 5  22");

        settle();
        assertThat(scores.readValuesToList()).extracting(Score::getToken).containsExactly("5", "5", "22");
    }

    @Test
    void shouldReadAndWriteAvroSingleObjectRecords() {
        start(Map.of(Setting.INPUT_FORMAT.key(), "avro", Setting.OUTPUT_FORMAT.key(), "avro"));
        events.pipeInput(utf8("blk"), AvroSingleObject.encode(
                SequenceEvent.newBuilder().setTokens(List.of("5", "22")).setEnd(true).build()));

        settle();
        assertThat(scores.readValuesToList()).extracting(Score::getToken).containsExactly("5", "22", Vocabulary.END);
        assertThat(summaries.readValue().getTokens()).isEqualTo(3);
    }
}
