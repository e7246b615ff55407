package io.seqstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaFixture.class)
class KafkaFixtureInjectionIT {

    private final KafkaFixture kafka;

    KafkaFixtureInjectionIT(KafkaFixture kafka) {
        this.kafka = kafka;
    }

    @Test
    void shouldInjectTheFixtureIntoConstructorsAndMethods(KafkaFixture injected) {
        assertThat(injected).isSameAs(kafka);
        assertThat(injected.bootstrapServers()).startsWith("localhost:");
    }

    @Test
    void shouldShareOneBrokerWithEveryOtherTestClass() {
        assertThat(SharedBrokerProbe.record(kafka.bootstrapServers())).containsExactly(kafka.bootstrapServers());
    }
}
