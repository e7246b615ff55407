package io.seqstream.app.input;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.model.Sha256;
import io.seqstream.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a bounded range of an input topic into whole sequences, the way the scoring topology reads the topic:
 * each record is parsed by the topology's {@link EventParser} (same {@code input.format} and limits), tokens
 * are grouped per key in offset order, and an event with {@code end=true} closes its key's sequence. Only
 * closed sequences are returned; sequences still open at the end of the range are counted and dropped. Bad
 * records are skipped and counted by reason.
 *
 * <p>The range is fixed when reading starts: every partition (or those named) from a start offset (the log
 * start, the first record at or after a point in time, or an explicit offset) up to its end offset at that
 * moment. Reads are {@code read_committed}, so records of aborted or open transactions are never seen. A
 * sequence that began before the range starts is read from its first event inside the range.
 *
 * <p>Partitions are read one after another and each in offset order, so the result does not depend on how
 * the broker batches records: the same range gives the same sequences, in the order they were closed
 * (partition, then offset).
 */
public final class TopicSequences {
    private static final Logger log = LoggerFactory.getLogger(TopicSequences.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int LOGGED_BAD_RECORDS = 10;
    private static final Pattern OFFSET_RANGE = Pattern.compile("(\\d+):(\\d+)-(\\d*)");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private TopicSequences() {
    }

    /**
     * Offsets {@code [from, to)} of one partition: {@code to} is exclusive, like Kafka's end offsets, and
     * {@link Long#MAX_VALUE} means "up to the end offset when reading starts".
     */
    public record OffsetRange(long from, long to) {
        public OffsetRange {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("An offset range needs 0 <= from <= to, got " + from + "-" + to);
            }
        }
    }

    /**
     * Which records to read: everything ({@link #all()}), records since a point in time ({@link #since}), or
     * explicit offsets per partition ({@link #offsets}); in every case no further than the end offsets taken
     * when reading starts.
     *
     * @param since   read records with a timestamp at or after now minus this; null unless a time range
     * @param offsets partition to offsets; empty unless an offset range
     */
    public record Range(Duration since, Map<Integer, OffsetRange> offsets) {
        public Range {
            offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
            if (since != null && (since.isNegative() || since.isZero())) {
                throw new IllegalArgumentException("--since needs a positive duration, got " + since);
            }
            if (since != null && !offsets.isEmpty()) {
                throw new IllegalArgumentException("A range is either a time or offsets, not both");
            }
        }

        /** Every partition from its log start offset. */
        public static Range all() {
            return new Range(null, Map.of());
        }

        public static Range since(Duration ago) {
            return new Range(Objects.requireNonNull(ago, "ago"), Map.of());
        }

        public static Range offsets(Map<Integer, OffsetRange> offsets) {
            if (offsets.isEmpty()) {
                throw new IllegalArgumentException("An offset range names at least one partition");
            }
            return new Range(null, offsets);
        }

        /**
         * Parses {@code PARTITION:FROM-TO[,...]}, e.g. {@code 0:0-1000,1:250-}: TO is exclusive and may be left
         * out (up to the end offset).
         */
        public static Range parseOffsets(String text) {
            Map<Integer, OffsetRange> out = new TreeMap<>();
            for (String part : text.split(",")) {
                Matcher m = OFFSET_RANGE.matcher(part.strip());
                if (!m.matches()) {
                    throw new IllegalArgumentException("Invalid offset range '" + part.strip()
                            + "': expected PARTITION:FROM-TO (TO exclusive, may be empty), e.g. 0:0-1000,1:250-");
                }
                long from = Long.parseLong(m.group(2));
                long to = m.group(3).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(3));
                if (out.put(Integer.parseInt(m.group(1)), new OffsetRange(from, to)) != null) {
                    throw new IllegalArgumentException("Partition " + m.group(1) + " is named twice in '" + text + "'");
                }
            }
            return offsets(out);
        }

        /** Parses {@code 30s}, {@code 15m}, {@code 2h}, {@code 7d}, {@code 500ms} or an ISO-8601 {@code PT2H}. */
        public static Duration parseDuration(String text) {
            String t = text.strip().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE_DURATION.matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            try {
                return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("Invalid duration '" + text
                        + "': expected e.g. 30m, 2h, 7d, 500ms or PT2H", e);
            }
        }
    }

    /** One closed sequence: its key and its tokens as received (before any vocabulary lookup). */
    public record Sequence(String key, List<String> tokens) {
        public Sequence {
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * What a read found.
     *
     * @param source        the topic and the offsets actually read, e.g. {@code kafka:events[0:0-120,1:0-98]}
     * @param fingerprint   SHA-256 of the closed sequences (keys and tokens, in order): the same data gives the same
     *                      fingerprint
     * @param sequences     the closed sequences, in the order they were closed (partition, then offset)
     * @param records       records read in the range (committed ones; transaction markers are not records)
     * @param badRecords    records skipped because the topology would dead-letter them
     * @param badReasons    those per {@link BadRecordException#reason()}
     * @param openSequences keys whose last sequence was still open at the end of the range
     */
    public record Result(String source, String fingerprint, List<Sequence> sequences, long records, long badRecords,
                         Map<String, Long> badReasons, int openSequences) {
        public Result {
            sequences = List.copyOf(sequences);
            badReasons = Collections.unmodifiableMap(new TreeMap<>(badReasons));
        }

        /** The sequences' tokens alone. */
        public List<List<String>> tokens() {
            return sequences.stream().map(Sequence::tokens).toList();
        }

        /** Tokens over all closed sequences. */
        public long tokenCount() {
            return sequences.stream().mapToLong(s -> s.tokens().size()).sum();
        }
    }

    /**
     * Reads a range of {@code topic} from the cluster {@code config} names ({@code bootstrap.servers} and the
     * {@code kafka.*} client settings, {@code kafka.consumer.*} ones with the prefix removed).
     *
     * @param tokenizer splits {@code text} values into tokens (only its kind and lower-casing matter)
     * @param timeout   how long reading may take in all
     * @throws IllegalArgumentException if the topic or a named partition does not exist
     * @throws IllegalStateException    if the range cannot be read within {@code timeout}
     */
    public static Result read(SeqstreamConfig config, String topic, Range range, Vocabulary tokenizer,
                              Duration timeout) {
        EventParser parser = new EventParser(config.inputFormat(), tokenizer,
                config.integer(Setting.INPUT_MAX_VALUE_BYTES), config.integer(Setting.INPUT_MAX_TOKENS));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, OffsetRange> bounds = bounds(consumer, topic, range, timeout);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = fetch(consumer, bounds, deadline);
            return group(topic, bounds, records, parser);
        }
    }

    private static Properties consumerProperties(SeqstreamConfig config) {
        Properties props = new Properties();
        config.kafkaOverrides().forEach((key, value) -> {
            if (key.startsWith("consumer.")) {
                props.put(key.substring("consumer.".length()), value);
            } else if (ConsumerConfig.configNames().contains(key)) {
                props.put(key, value);
            }
        });
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.string(Setting.BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    /** The offsets to read per partition, fixed now: {@code to} is the end offset or the range's bound. */
    private static Map<TopicPartition, OffsetRange> bounds(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                                           Range range, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("Topic '" + topic + "' does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        if (!range.offsets().isEmpty()) {
            List<Integer> known = partitions.stream().map(TopicPartition::partition).toList();
            for (int p : range.offsets().keySet()) {
                if (!known.contains(p)) {
                    throw new IllegalArgumentException("Topic '" + topic + "' has no partition " + p
                            + " (partitions: " + known + ")");
                }
            }
            partitions.removeIf(tp -> !range.offsets().containsKey(tp.partition()));
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, OffsetAndTimestamp> byTime = Map.of();
        if (range.since() != null) {
            long from = Instant.now().minus(range.since()).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, from));
            byTime = consumer.offsetsForTimes(query, timeout);
        }
        Map<TopicPartition, OffsetRange> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            long first = begin.get(tp);
            long last = end.get(tp);
            long start;
            long stop = last;
            if (range.since() != null) {
                OffsetAndTimestamp found = byTime.get(tp);
                start = found == null ? last : found.offset();
            } else if (!range.offsets().isEmpty()) {
                OffsetRange wanted = range.offsets().get(tp.partition());
                start = wanted.from();
                if (start < first) {
                    log.warn("{}: offsets before {} are gone (retention); reading from {} instead of {}", tp, first,
                            first, start);
                    start = first;
                }
                stop = Math.min(last, wanted.to());
            } else {
                start = first;
            }
            out.put(tp, new OffsetRange(Math.min(start, stop), stop));
        }
        return out;
    }

    private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> fetch(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetRange> bounds, long deadline) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new LinkedHashMap<>();
        List<TopicPartition> pending = new ArrayList<>();
        bounds.forEach((tp, r) -> {
            out.put(tp, new ArrayList<>());
            if (r.from() < r.to()) {
                pending.add(tp);
            }
        });
        consumer.assign(pending);
        pending.forEach(tp -> consumer.seek(tp, bounds.get(tp).from()));
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out reading " + describe(bounds) + ": still reading "
                        + pending.stream().map(tp -> tp.partition() + " (at " + consumer.position(tp) + ")")
                        .collect(Collectors.joining(", ", "partitions ", "")));
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < bounds.get(tp).to()) {
                    out.get(tp).add(record);
                }
            }
            // With read_committed the position also moves past transaction markers and aborted records.
            pending.removeIf(tp -> consumer.position(tp) >= bounds.get(tp).to());
            consumer.pause(bounds.keySet().stream().filter(tp -> !pending.contains(tp)
                    && consumer.assignment().contains(tp)).toList());
        }
        return out;
    }

    private static Result group(String topic, Map<TopicPartition, OffsetRange> bounds,
                                Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records,
                                EventParser parser) {
        Map<String, List<String>> open = new LinkedHashMap<>();
        List<Sequence> closed = new ArrayList<>();
        Map<String, Long> badReasons = new TreeMap<>();
        long total = 0;
        long bad = 0;
        for (List<ConsumerRecord<byte[], byte[]>> partition : records.values()) {
            for (ConsumerRecord<byte[], byte[]> record : partition) {
                total++;
                String key;
                ParsedEvent event;
                try {
                    key = parser.parseKey(record.key());
                    event = parser.parseValue(record.value());
                } catch (BadRecordException e) {
                    bad++;
                    badReasons.merge(e.reason(), 1L, Long::sum);
                    if (bad <= LOGGED_BAD_RECORDS) {
                        log.warn("Skipping bad record {}-{}@{} ({}): {}", record.topic(), record.partition(),
                                record.offset(), e.reason(), e.getMessage());
                    } else {
                        log.debug("Skipping bad record {}-{}@{} ({}): {}", record.topic(), record.partition(),
                                record.offset(), e.reason(), e.getMessage());
                    }
                    continue;
                }
                List<String> tokens = open.computeIfAbsent(key, k -> new ArrayList<>());
                tokens.addAll(event.tokens());
                if (event.end()) {
                    closed.add(new Sequence(key, tokens));
                    open.remove(key);
                }
            }
        }
        String source = "kafka:" + topic + describe(bounds);
        if (bad > LOGGED_BAD_RECORDS) {
            log.warn("Skipped {} bad records in {} ({} logged above): {}", bad, source, LOGGED_BAD_RECORDS,
                    badReasons);
        }
        return new Result(source, fingerprint(closed), closed, total, bad, badReasons, open.size());
    }

    private static String describe(Map<TopicPartition, OffsetRange> bounds) {
        return bounds.entrySet().stream()
                .map(e -> e.getKey().partition() + ":" + e.getValue().from() + "-" + e.getValue().to())
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static String fingerprint(List<Sequence> sequences) {
        StringBuilder text = new StringBuilder();
        for (Sequence s : sequences) {
            text.append(s.key()).append('\t').append(String.join("\u001f", s.tokens())).append('\n');
        }
        return Sha256.of(text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
