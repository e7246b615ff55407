package io.seqstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Going down on an unreachable cluster; coming back up is shown with a real broker in cli's {@code BrokerOutageIT}. */
class KafkaConnectivityTest {

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
