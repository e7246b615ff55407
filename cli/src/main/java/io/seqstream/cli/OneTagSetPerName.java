package io.seqstream.cli;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps, for each meter name, only the meters with the first set of tag keys registered under it. Kafka's clients
 * report some metrics under one name both per topic and per client (e.g.
 * {@code kafka.consumer.fetch.manager.records.consumed.total} with and without a {@code topic} tag); Prometheus
 * cannot expose both, so its registry refuses the second with a WARN on every start. This filter refuses it
 * quietly instead: the exposed series are the same.
 */
final class OneTagSetPerName implements MeterFilter {
    private final Map<String, Set<String>> tagKeys = new ConcurrentHashMap<>();

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        Set<String> keys = new TreeSet<>();
        for (Tag tag : id.getTagsAsIterable()) {
            keys.add(tag.getKey());
        }
        Set<String> first = tagKeys.computeIfAbsent(id.getName(), name -> keys);
        return first.equals(keys) ? MeterFilterReply.NEUTRAL : MeterFilterReply.DENY;
    }
}
