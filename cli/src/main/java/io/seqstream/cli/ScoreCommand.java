package io.seqstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.input.BadRecordException;
import io.seqstream.app.input.EventParser;
import io.seqstream.app.input.InputFormat;
import io.seqstream.app.input.ParsedEvent;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelRef;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.schemas.v1.Score;
import io.seqstream.schemas.v1.SequenceEvent;
import io.seqstream.schemas.v1.SequenceSummary;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Scores sequences from a file or standard input without Kafka, through the production topology run in-process
 * ({@link OfflineTopology}): the same parser, engine, scoring code and settings as {@code seqstream run}, so its
 * output is what the topology would emit for the same records.
 *
 * <p>Line formats: {@code id} (whitespace-separated tokens, as in DeepLog files) and {@code text} (the line split by
 * the model's vocabulary) make each non-blank line one closed sequence keyed {@code line-N}; {@code json} makes each
 * line one event of the topology's input, {@code {"key": "k", "token": "5"}} or
 * {@code {"key": "k", "tokens": [...], "end": true}}, so keys can interleave and sequences stay open until an end.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score sequences from a file or standard input with the topology's own code, without Kafka.",
                "Prints a line per token (key, version, position, token, p, top-3, ANOMALY) and per ended sequence,"
                        + " or the Score and SequenceSummary records as JSON with --json.",
                "Refused lines are reported on standard error with the dead-letter reason; the exit code is 1 only"
                        + " when every line is refused."})
final class ScoreCommand implements Callable<Integer> {
    /** How input lines become the topology's input records. */
    enum LineFormat {
        /** Whitespace-separated tokens; one closed sequence per line. */
        id,
        /** Text split by the model's vocabulary; one closed sequence per line. */
        text,
        /** One JSON event of the topology's input per line, with its sequence in {@code "key"}. */
        json
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Loggers whose WARNs say nothing to a user of this command: the in-process state directory lies in the OS
     * temporary directory on purpose (it lives as long as the command), and every refused line is reported once on
     * standard error by this command already.
     */
    private static final List<String> KNOWN_NOISE = List.of(
            "org.apache.kafka.streams.processor.internals.StateDirectory", "io.seqstream.app.topology.ParseProcessor");

    @Option(names = "--model", paramLabel = "NAME[@VERSION]", description = "Model to score with (default: latest version)")
    String model;

    @Option(names = "--store", paramLabel = "DIR|URI", description = "Model store (setting model.store)")
    String store;

    @Option(names = "--input", paramLabel = "FILE|-", defaultValue = "-",
            description = "File to score, or - for standard input (default)")
    String input;

    @Option(names = "--format", paramLabel = "id|text|json",
            description = "Line format (default: id for a model with an id vocabulary, text otherwise)")
    LineFormat format;

    @Option(names = "--json", description = "Print Score and SequenceSummary records as JSON, one per line")
    boolean json;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file of settings (see README)")
    Path configFile;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any scoring setting, e.g. -D score.top-g=5 or -D input.max-tokens=100")
    Map<String, String> settings = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;
    private final Set<String> open = new LinkedHashSet<>();
    private long lines;
    private long refused;
    private long events;
    private long anomalies;
    private long sequences;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        SeqstreamConfig config = resolve();
        ModelRef ref = config.modelRef();
        try (QuietLoggers quiet = QuietLoggers.quiet(KNOWN_NOISE);
             LoadedModel loaded = Clients.store(config).load(ref);
             InputStream in = open(input);
             OfflineTopology topology = OfflineTopology.start(config.with(Setting.INPUT_FORMAT, "json"), loaded)) {
            LineFormat lineFormat = format != null ? format
                    : loaded.vocabulary().kind() == VocabularyKind.ID ? LineFormat.id : LineFormat.text;
            EventParser lineParser = lineParser(lineFormat, loaded.vocabulary(), config);
            byte[] line;
            long number = 0;
            LineReader reader = new LineReader(in);
            while ((line = reader.next()) != null) {
                number++;
                if (isBlank(line)) {
                    continue;
                }
                lines++;
                if (lineFormat == LineFormat.json) {
                    scoreEvent(topology, number, line);
                } else {
                    scoreSequence(topology, lineParser, number, line);
                }
                out.flush();
            }
            reportTotals(loaded.label());
        }
        if (lines > 0 && refused == lines) {
            err.println("seqstream: every line was refused");
            return 1;
        }
        return 0;
    }

    private SeqstreamConfig resolve() throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        if (store != null) {
            overrides.put(Setting.MODEL_STORE.key(), store);
        }
        if (model != null) {
            int at = model.indexOf('@');
            overrides.put(Setting.MODEL_NAME.key(), at < 0 ? model : model.substring(0, at));
            overrides.put(Setting.MODEL_VERSION.key(), at < 0 ? "" : model.substring(at + 1));
        }
        SeqstreamConfig config;
        try {
            config = SeqstreamConfig.load(configFile, System.getenv(), overrides);
            config.modelRef();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return config;
    }

    private static InputStream open(String input) throws IOException {
        if (input.equals("-")) {
            return new BufferedInputStream(System.in) {
                @Override
                public void close() {
                    // standard input is not ours to close
                }
            };
        }
        try {
            return new BufferedInputStream(Files.newInputStream(Path.of(input)));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No such input file: " + input, e);
        }
    }

    /**
     * The topology's own parser, for line formats: {@code text} splits by the model's vocabulary, {@code id} by
     * whitespace (an id vocabulary's rule), with the same limits and refusal reasons as the topology.
     */
    private static EventParser lineParser(LineFormat format, Vocabulary vocabulary, SeqstreamConfig config) {
        Vocabulary tokenizer = format == LineFormat.id
                ? new Vocabulary(VocabularyKind.ID, false, Vocabulary.RESERVED) : vocabulary;
        return new EventParser(InputFormat.TEXT, tokenizer, config.integer(Setting.INPUT_MAX_VALUE_BYTES),
                config.integer(Setting.INPUT_MAX_TOKENS));
    }

    /** One line, one closed sequence keyed {@code line-N}: its tokens and the end in a single event. */
    private void scoreSequence(OfflineTopology topology, EventParser parser, long number, byte[] line) {
        ParsedEvent parsed;
        try {
            parsed = parser.parseValue(line);
        } catch (BadRecordException e) {
            refuse(number, e.reason(), e.getMessage());
            return;
        }
        SequenceEvent event = SequenceEvent.newBuilder().setTokens(parsed.tokens()).setEnd(true).build();
        print(number, topology.pipe(utf8("line-" + number), SchemaJson.writeBytes(event)));
    }

    /**
     * One line, one input record: the key comes from the event's {@code "key"} field, the value is the line as is
     * (the topology's JSON reader ignores the extra field). A line that is not JSON at all goes in under
     * {@code line-N}, so that the topology names what is wrong with it.
     */
    private void scoreEvent(OfflineTopology topology, long number, byte[] line) {
        byte[] key = utf8("line-" + number);
        try {
            JsonNode tree = JSON.readTree(line);
            JsonNode field = tree == null ? null : tree.get("key");
            key = field != null && field.isTextual() ? utf8(field.textValue()) : null;
        } catch (IOException e) {
            // not JSON: the topology refuses the value and says why
        }
        print(number, topology.pipe(key, line));
    }

    private void print(long number, OfflineTopology.Output output) {
        for (OfflineTopology.DeadLetter dead : output.deadLetters()) {
            refuse(number, dead.reason(), dead.detail());
        }
        for (Score score : output.scores()) {
            open.add(score.getKey().toString());
            if (!score.getToken().toString().equals(Vocabulary.END)) {
                events++;
            }
            if (score.getAnomaly()) {
                anomalies++;
            }
            out.println(json ? SchemaJson.writeString(score) : scoreLine(score));
        }
        for (SequenceSummary summary : output.summaries()) {
            open.remove(summary.getKey().toString());
            sequences++;
            out.println(json ? SchemaJson.writeString(summary) : summaryLine(summary));
        }
    }

    private void refuse(long number, String reason, String detail) {
        refused++;
        err.println("line " + number + " refused (" + reason + "): " + detail);
    }

    private void reportTotals(String label) {
        if (!open.isEmpty()) {
            err.println(open.size() + " sequence(s) still open at the end of the input (no end event, so no <e> scored"
                    + " and no summary): " + String.join(", ", open));
        }
        err.printf(Locale.ROOT, "Scored %d events in %d ended sequence(s) with %s: %d anomalies, %d of %d lines"
                + " refused%n", events, sequences, label, anomalies, refused, lines);
        err.flush();
    }

    /** A score as the quickstart and tail print it. */
    static String scoreLine(Score s) {
        return ScoreLines.score(s, Ansi.AUTO);
    }

    /** A summary as the quickstart and tail print it. */
    static String summaryLine(SequenceSummary s) {
        return ScoreLines.summary(s, Ansi.AUTO);
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Splits a byte stream at {@code \n} (dropping a {@code \r} before it), leaving the bytes undecoded. */
    private static final class LineReader {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        LineReader(InputStream in) {
            this.in = in;
        }

        byte[] next() throws IOException {
            buffer.reset();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    return line();
                }
                buffer.write(b);
            }
            return buffer.size() == 0 ? null : line();
        }

        private byte[] line() {
            byte[] bytes = buffer.toByteArray();
            int n = bytes.length;
            return n > 0 && bytes[n - 1] == '\r' ? java.util.Arrays.copyOf(bytes, n - 1) : bytes;
        }
    }

    /** Raises the level of some loggers to ERROR while open, when the binding is Logback (the CLI's). */
    private static final class QuietLoggers implements AutoCloseable {
        private final Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> previous = new LinkedHashMap<>();

        static QuietLoggers quiet(List<String> names) {
            QuietLoggers quiet = new QuietLoggers();
            for (String name : names) {
                if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                    quiet.previous.put(logger, logger.getLevel());
                    logger.setLevel(ch.qos.logback.classic.Level.ERROR);
                }
            }
            return quiet;
        }

        @Override
        public void close() {
            previous.forEach(ch.qos.logback.classic.Logger::setLevel);
        }
    }
}
