package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HdfsWorkloadTest {
    private static final List<String> NORMAL = List.of("5", "22", "11", "9", "26");
    private static final List<String> ABNORMAL = List.of("5", "22", "7");

    @Test
    void shouldReplayEverySessionInOrderUnderItsOwnKeyAndEndIt() {
        HdfsWorkload workload = new HdfsWorkload(List.of(NORMAL), List.of(ABNORMAL), 10);
        Workload.Events events = workload.events(1);
        Map<String, List<String>> byKey = new HashMap<>();
        Set<String> ended = new HashSet<>();
        int open = 0;
        int maxOpen = 0;

        for (int i = 0; i < 20_000; i++) {
            Workload.Event e = events.next();
            String json = new String(e.value(), StandardCharsets.UTF_8);
            assertThat(ended).as("no event after a key's end").doesNotContain(e.key());
            if (!byKey.containsKey(e.key())) {
                open++;
            }
            maxOpen = Math.max(maxOpen, open);
            String token = json.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
            byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(token);
            assertThat(json.contains("\"end\":true")).isEqualTo(e.ends());
            if (e.ends()) {
                ended.add(e.key());
                open--;
                assertThat(byKey.get(e.key())).isIn(NORMAL, ABNORMAL);
            }
        }

        assertThat(maxOpen).isEqualTo(10);
        long abnormal = ended.stream().filter(k -> byKey.get(k).equals(ABNORMAL)).count();
        assertThat((double) abnormal / ended.size()).isCloseTo(HdfsWorkload.ABNORMAL_SHARE, within(0.015));
    }

    @Test
    void shouldGiveTheSameEventsForTheSameSeedAndOtherKeysForAnother() {
        HdfsWorkload workload = new HdfsWorkload(List.of(NORMAL, List.of("1", "2")), List.of(ABNORMAL), 5);
        Workload.Events a = workload.events(7);
        Workload.Events b = workload.events(7);
        Workload.Events other = workload.events(8);
        Set<String> keysA = new HashSet<>();
        Set<String> keysOther = new HashSet<>();

        for (int i = 0; i < 1_000; i++) {
            Workload.Event ea = a.next();
            Workload.Event eb = b.next();
            assertThat(ea.key()).isEqualTo(eb.key());
            assertThat(ea.value()).isEqualTo(eb.value());
            keysA.add(ea.key());
            keysOther.add(other.next().key());
        }

        assertThat(keysA).doesNotContainAnyElementsOf(keysOther);
    }

    @Test
    void shouldRefuseNoSessionsOrNoneOpen() {
        assertThatThrownBy(() -> new HdfsWorkload(List.of(), List.of(ABNORMAL), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HdfsWorkload(List.of(NORMAL), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
