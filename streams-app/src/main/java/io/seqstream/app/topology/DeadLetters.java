package io.seqstream.app.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers a dead-lettered record carries, beside its original key, value, timestamp and headers. */
public final class DeadLetters {
    public static final String REASON = "seqstream.dlq.reason";
    public static final String DETAIL = "seqstream.dlq.detail";
    public static final String SOURCE_TOPIC = "seqstream.dlq.topic";
    public static final String SOURCE_PARTITION = "seqstream.dlq.partition";
    public static final String SOURCE_OFFSET = "seqstream.dlq.offset";

    private DeadLetters() {
    }

    /** The original record, unchanged, with the reason and its source added as headers. */
    public static Record<byte[], byte[]> of(Record<byte[], byte[]> original, RecordMetadata source, String reason,
                                            String detail) {
        Headers headers = new RecordHeaders(original.headers().toArray());
        headers.add(REASON, utf8(reason));
        headers.add(DETAIL, utf8(detail));
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        return new Record<>(original.key(), original.value(), original.timestamp(), headers);
    }

    /** The last value of a header as text, or null. */
    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
