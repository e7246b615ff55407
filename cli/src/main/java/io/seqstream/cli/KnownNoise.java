package io.seqstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.slf4j.Marker;

/**
 * Drops log lines that libraries print on every normal start and that say nothing a seqstream user can act on;
 * configured in {@code logback.xml}. Each entry names the logger and the start of the message, so nothing else
 * from that logger is lost.
 */
public final class KnownNoise extends TurboFilter {
    /** Logger name to message prefix. */
    static final Map<String, String> NOISE = Map.of(
            // Kafka Streams 4.3 builds internal configs without this setting even when the application sets it
            // (seqstream does, and has no global stores), and warns about each of them.
            "org.apache.kafka.streams.StreamsConfig",
            "Processing exception handler is not enabled for the GlobalThread",
            // Micrometer's Kafka binder re-registers a client's gauges when Kafka recreates their metric objects
            // (after a rebalance); the gauge already registered keeps reporting.
            "io.micrometer.core.instrument.MeterRegistry",
            "This Gauge has been already registered");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (format == null || logger == null) {
            return FilterReply.NEUTRAL;
        }
        String prefix = NOISE.get(logger.getName());
        return prefix != null && format.startsWith(prefix) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
