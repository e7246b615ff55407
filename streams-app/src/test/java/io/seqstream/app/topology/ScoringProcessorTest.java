package io.seqstream.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.model.ModelVersion;
import io.seqstream.app.state.KeyStateSerde;
import io.seqstream.app.state.PendingEventSerde;
import io.seqstream.engine.KeyState;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceSummary;
import io.seqstream.testing.OfflineReference;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring processor alone, in a {@link MockProcessorContext} with in-memory stores: what it forwards to which
 * sink, what it stores, when it counts, and how it moves to a newly activated model version.
 */
class ScoringProcessorTest {
    private static final LoadedModel MODEL = TestModels.hdfs();

    @TempDir
    Path tmp;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<ScoringProcessor> open = new ArrayList<>();

    /** One task: a processor with its own context and stores, all on the calling (test) thread. */
    private final class Task {
        final MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        final KeyValueStore<String, KeyState> states;
        final KeyValueStore<Long, io.seqstream.app.state.PendingEvent> pending;
        final ScoringProcessor processor;
        long offset;

        Task(ThreadBatcher.Registry batchers, ScoringOptions options) {
            states = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.STATE_STORE),
                    Serdes.String(), new KeyStateSerde()).withLoggingDisabled().build();
            states.init(context.getStateStoreContext(), states);
            context.addStateStore(states);
            pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.PENDING_STORE),
                    Serdes.Long(), new PendingEventSerde()).withLoggingDisabled().build();
            pending.init(context.getStateStoreContext(), pending);
            context.addStateStore(pending);
            context.setCurrentSystemTimeMs(10_000L);
            processor = new ScoringProcessor(batchers, options, ScoringTopology.SERVED, metrics);
            processor.init(context);
            open.add(processor);
        }

        void send(String key, boolean end, String... tokens) {
            context.setRecordMetadata("events", 0, offset++);
            processor.process(new Record<>(key, new ParsedEvent(List.of(tokens), end), 1_000L + offset));
        }

        List<Score> scores() {
            List<Score> out = new ArrayList<>();
            for (CapturedForward<? extends String, ? extends SpecificRecord> f : context.forwarded()) {
                if (ScoringTopology.SCORES_SINK.equals(f.childName().orElse(null))) {
                    out.add((Score) f.record().value());
                }
            }
            return out;
        }

        List<String> sinks() {
            return context.forwarded().stream().map(f -> f.childName().orElseThrow()).toList();
        }
    }

    private final SeqstreamMetrics metrics = new SeqstreamMetrics(registry);

    private ScoringOptions options(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(Setting.MODEL_NAME.key(), TestModels.HDFS));
        all.putAll(settings);
        return ScoringOptions.from(SeqstreamConfig.of(all));
    }

    private ThreadBatcher.Registry batchers(ActiveModel models, ScoringOptions options) {
        return new ThreadBatcher.Registry(models, metrics, options);
    }

    @AfterEach
    void closeProcessors() {
        open.forEach(ScoringProcessor::close);
    }

    private double scoredCount() {
        return registry.find(SeqstreamMetrics.EVENTS_SCORED).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldForwardOneScorePerTokenMatchingTheOfflineNetworkAndStoreTheKeyState() {
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "0"));
        Task task = new Task(batchers(ActiveModel.of(MODEL), options), options);

        task.send("blk", false, "5", "22");
        task.send("blk", false, "11");

        List<Score> scores = task.scores();
        assertThat(scores).extracting(Score::getPosition).containsExactly(1L, 2L, 3L);
        float[][] offline = OfflineReference.distributions(MODEL, List.of("5", "22", "11"));
        for (int i = 0; i < 3; i++) {
            int id = MODEL.vocabulary().id(scores.get(i).getToken());
            assertThat(scores.get(i).getProbability()).isCloseTo(offline[i][id], within(1e-5));
            assertThat(scores.get(i).getModel()).isEqualTo(MODEL.label());
        }
        KeyState stored = task.states.get("blk");
        assertThat(stored.tokens()).isEqualTo(3);
        assertThat(stored.model()).isEqualTo(MODEL.label());
        assertThat(scoredCount()).isEqualTo(3.0);
    }

    @Test
    void shouldEmitTheEndScoreThenTheSummaryAndDeleteTheStateWhenASequenceEnds() {
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "0"));
        Task task = new Task(batchers(ActiveModel.of(MODEL), options), options);

        task.send("blk", true, "5", "22");

        assertThat(task.sinks()).containsSubsequence(ScoringTopology.SCORES_SINK, ScoringTopology.SCORES_SINK,
                ScoringTopology.SCORES_SINK, ScoringTopology.SUMMARIES_SINK);
        assertThat(task.scores()).extracting(Score::getToken).containsExactly("5", "22", "<e>");
        SequenceSummary summary = (SequenceSummary) task.context.forwarded().get(task.context.forwarded().size() - 1)
                .record().value();
        assertThat(summary.getTokens()).isEqualTo(3);
        assertThat(task.states.get("blk")).isNull();
    }

    @Test
    void shouldKeepEventsPendingInTheStoreUntilTheBatchIsDue() {
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "20",
                Setting.MAX_BATCH_SIZE.key(), "100"));
        Task task = new Task(batchers(ActiveModel.of(MODEL), options), options);

        task.send("a", false, "5");
        task.send("b", false, "5");

        assertThat(task.context.forwarded()).isEmpty();
        assertThat(task.pending.approximateNumEntries()).isEqualTo(2);
        punctuateBatchFlush(task, 10_000L + 1_000);
        assertThat(task.scores()).hasSize(2);
        assertThat(task.pending.approximateNumEntries()).isZero();
    }

    @Test
    void shouldCountScoresWhenATaskAppliesThemNotWhenTheRoundComputesThem() {
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "1000",
                Setting.MAX_BATCH_SIZE.key(), "2"));
        ThreadBatcher.Registry batchers = batchers(ActiveModel.of(MODEL), options);
        Task first = new Task(batchers, options);
        Task second = new Task(batchers, options);

        first.send("a", false, "5");
        second.send("b", false, "5"); // two steps pending on the thread: the round computes both tasks' work

        assertThat(second.scores()).hasSize(1);
        assertThat(first.scores()).as("the first task applies its results in its own context, later").isEmpty();
        assertThat(scoredCount()).isEqualTo(1.0);

        first.processor.close(); // closed before applying: its event stays pending for the next owner
        open.remove(first.processor);
        assertThat(scoredCount()).isEqualTo(1.0);
        assertThat(first.pending.approximateNumEntries()).isEqualTo(1);
        assertThat(first.states.get("a")).isNull();
    }

    @Test
    void shouldSwitchToANewlyActivatedVersionBetweenRoundsAndReplayEachKeysContext() throws Exception {
        LoadedModel v2 = retrained();
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "0"));
        ActiveModel models = ActiveModel.of(MODEL);
        Task task = new Task(batchers(models, options), options);

        task.send("blk", false, "5", "22");
        ModelVersion old = models.current();
        models.activate(v2);
        task.send("blk", false, "11");

        List<Score> scores = task.scores();
        assertThat(scores).extracting(Score::getModel).containsExactly(MODEL.label(), MODEL.label(), v2.label());
        float[][] offline = OfflineReference.distributions(v2, List.of("5", "22", "11"));
        int id = v2.vocabulary().id("11");
        assertThat(scores.get(2).getProbability()).as("v2 on the replayed context <s> 5 22")
                .isCloseTo(offline[2][id], within(1e-5));
        assertThat(scores.get(2).getPosition()).isEqualTo(3L);
        assertThat(old.retired()).as("the old version is let go once the thread switched")
                .succeedsWithin(java.time.Duration.ofSeconds(10));
        assertThat(registry.get(SeqstreamMetrics.STATE_MIGRATIONS).tag("outcome", "replayed").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldStartKeysAfreshUnderTheResetPolicy() throws Exception {
        LoadedModel v2 = retrained();
        ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "0",
                Setting.STATE_MIGRATION.key(), "reset"));
        ActiveModel models = ActiveModel.of(MODEL);
        Task task = new Task(batchers(models, options), options);

        task.send("blk", false, "5", "22");
        models.activate(v2);
        task.send("blk", false, "11");

        Score last = task.scores().get(2);
        float[][] fresh = OfflineReference.distributions(v2, List.of("11"));
        assertThat(last.getProbability()).as("v2 from <s>, the context forgotten")
                .isCloseTo(fresh[0][v2.vocabulary().id("11")], within(1e-5));
        assertThat(last.getPosition()).as("positions carry on").isEqualTo(3L);
    }

    @Test
    void shouldScoreANewlineBetweenTwoTextRecordsOfOneKeyForACharModel() throws Exception {
        List<String> chars = new ArrayList<>(io.seqstream.model.Vocabulary.RESERVED);
        chars.addAll(List.of("a", "b", "c", "d", "\n", " "));
        LoadedModel charModel = RandomModels.withVocabulary(tmp, "chars",
                new io.seqstream.model.Vocabulary(io.seqstream.model.VocabularyKind.CHAR, false, chars), 4, 8, 1, 3L);
        for (String setting : List.of("auto", "none", "\\t")) {
            ScoringOptions options = options(Map.of(Setting.MAX_BATCH_DELAY_MS.key(), "0",
                    Setting.INPUT_FORMAT.key(), "text", Setting.INPUT_TEXT_RECORD_SEPARATOR.key(), setting));
            Task task = new Task(batchers(ActiveModel.of(charModel), options), options);

            task.send("romeo", false, "a", "b");
            task.send("romeo", false, "c", "d");
            task.send("juliet", false, "c");

            List<String> romeo = task.scores().stream().filter(s -> s.getKey().equals("romeo"))
                    .map(s -> s.getToken().toString()).toList();
            List<String> expected = switch (setting) {
                case "auto" -> List.of("a", "b", "\n", "c", "d");
                case "none" -> List.of("a", "b", "c", "d");
                default -> List.of("a", "b", "\t", "c", "d"); // not in the vocabulary: scored as <unk>
            };
            assertThat(romeo).as("separator %s", setting).containsExactlyElementsOf(expected);
            assertThat(task.scores().stream().filter(s -> s.getKey().equals("juliet")).map(s -> s.getToken().toString()))
                    .as("a key's first record has nothing before it").containsExactly("c");
            float[][] offline = OfflineReference.distributions(charModel, expected);
            int lastIndex = expected.size() - 1;
            Score last = task.scores().stream().filter(s -> s.getKey().equals("romeo")).toList().get(lastIndex);
            assertThat(last.getProbability()).as("the last token, given what was scored before it")
                    .isCloseTo(offline[lastIndex][last.getTokenId()], within(1e-5));
            task.processor.close();
            open.remove(task.processor);
        }
    }

    /** hdfs-tiny@2: the same vocabulary and shape as the test model, other (random) weights. */
    private LoadedModel retrained() throws Exception {
        ModelStore.local(TestModels.storeDir()).download(MODEL.manifest().ref(), tmp, null);
        LoadedModel v2 = RandomModels.withVocabulary(tmp, TestModels.HDFS, MODEL.vocabulary(), 8, 16, 1, 7L);
        assertThat(v2.label()).isEqualTo(TestModels.HDFS + "@2");
        return v2;
    }

    private static void punctuateBatchFlush(Task task, long now) {
        for (MockProcessorContext.CapturedPunctuator punctuator : task.context.scheduledPunctuators()) {
            punctuator.getPunctuator().punctuate(now);
        }
    }
}
