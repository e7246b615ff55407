package io.seqstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flap rule with scripted answers, and a real unreachable address; a real outage is cli's {@code BrokerOutageIT}. */
class KafkaConnectivityTest {
    private final java.util.ArrayDeque<Boolean> answers = new java.util.ArrayDeque<>();
    private final KafkaConnectivity scripted = new KafkaConnectivity("broker:9092", () -> {
        if (!answers.removeFirst()) {
            throw new java.util.concurrent.ExecutionException(
                    new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment"));
        }
        return null;
    }, () -> { }, 2);

    @Test
    void shouldStayReadyThroughOneSlowAnswerAndGoDownAfterTwoInARow() {
        answers.addAll(java.util.List.of(true, false, true, false));
        for (int i = 0; i < 4; i++) {
            scripted.check();
            assertThat(scripted.reachable()).as("after check %d", i + 1).isTrue();
        }

        answers.addAll(java.util.List.of(false));
        scripted.check();
        assertThat(scripted.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("kafka at broker:9092 unreachable since ")
                .endsWith("(TimeoutException: Timed out waiting for a node assignment)"));
    }

    @Test
    void shouldBeReachableAgainAfterTheFirstAnswer() {
        answers.addAll(java.util.List.of(false, false, false, true));
        for (int i = 0; i < 3; i++) {
            scripted.check();
        }
        assertThat(scripted.reachable()).isFalse();

        scripted.check();
        assertThat(scripted.reachable()).isTrue();
        assertThat(scripted.problem()).isEmpty();
    }

    @Test
    void shouldReportAClusterThatDoesNotAnswerAfterTwoFailedChecks() throws Exception {
        String bootstrap = "localhost:" + ClusterCheckTest.closedPort();
        try (KafkaConnectivity connectivity = KafkaConnectivity.start(Map.of("bootstrap.servers", bootstrap),
                Duration.ofMillis(100), Duration.ofMillis(300), 2)) {
            assertThat(connectivity.reachable()).as("reachable until checks say otherwise").isTrue();

            await("unreachable").atMost(Duration.ofSeconds(10)).until(() -> !connectivity.reachable());
            assertThat(connectivity.problem()).hasValueSatisfying(problem -> assertThat(problem)
                    .startsWith("kafka at " + bootstrap + " unreachable since ")
                    .contains("TimeoutException"));
        }
    }
}
