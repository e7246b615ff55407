package io.seqstream.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** Wrong values fail the render with a message that names the value and what to do; the chart lints clean. */
class ChartValidationTest {
    @Test
    void shouldLintWithoutWarnings() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("only the icon hint is left").allMatch(m -> m.startsWith("[INFO]"));
    }

    @Test
    void shouldRejectAnUnknownValue() {
        assertRejected("replicas: 3", "at '': additional properties 'replicas' not allowed");
        assertRejected("kafka: {bootstrap: kafka:9092}", "at '/kafka': additional properties 'bootstrap' not allowed");
    }

    @Test
    void shouldRejectAValueOutsideItsChoices() {
        assertRejected("http: {auth: {mode: token}}",
                "at '/http/auth/mode': value must be one of 'none', 'bearer', 'basic'");
        assertRejected("kafka: {sasl: {mechanism: SCRAM}}",
                "at '/kafka/sasl/mechanism': value must be one of 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'");
        assertRejected("model: {stateMigration: migrate}", "at '/model/stateMigration': value must be one of");
    }

    @Test
    void shouldRejectAValueOfTheWrongTypeOrRange() {
        assertRejected("replicaCount: three", "at '/replicaCount': got string, want integer");
        assertRejected("replicaCount: -1", "at '/replicaCount'");
        assertRejected("http: {port: 70000}", "at '/http/port'");
        assertRejected("kafka: {numStandbyReplicas: -1}", "at '/kafka/numStandbyReplicas'");
        assertRejected("persistence: {size: ten}", "at '/persistence/size'");
    }

    @Test
    void shouldRejectBootstrapServersWithoutAPort() {
        assertRejected("kafka: {bootstrapServers: kafka}", "at '/kafka/bootstrapServers': 'kafka' does not match pattern");
    }

    @Test
    void shouldRejectAuthWithoutCredentials() {
        assertRejected("http: {auth: {mode: bearer}}",
                "http.auth.mode=bearer needs a token: set http.auth.token or http.auth.existingSecret");
        assertRejected("http: {auth: {mode: basic, user: u}}", "http.auth.mode=basic needs a user and a password");
        assertRejected("kafka: {sasl: {enabled: true}}",
                "kafka.sasl.enabled=true needs credentials: set kafka.sasl.username and kafka.sasl.password,"
                        + " or kafka.sasl.existingSecret");
    }

    @Test
    void shouldRejectSettingsTheChartOwns() {
        assertRejected("settings: {state.dir: /data}", "settings.state.dir is set by the chart");
        assertRejected("settings: {kafka.linger.ms: 5}",
                "settings.kafka.linger.ms: Kafka properties go in kafka.config without the prefix (kafka.config.linger.ms)");
        assertRejected("kafka: {config: {group.instance.id: x}}", "kafka.config.group.instance.id is set by the chart");
        assertRejected("settings: {model.version: \"3\"}", "settings.model.version pins one version");
    }

    @Test
    void shouldRejectGpuNodesWithoutAGpuImage() {
        assertRejected("gpu: {enabled: true}", "gpu.enabled=true needs gpu.image.tag");
    }

    @Test
    void shouldRejectPemCertificatesDeclaredAsAnotherType() {
        assertRejected("kafka: {tls: {enabled: true, truststore: {type: JKS, pem: \"-----BEGIN CERTIFICATE-----\"}}}",
                "set kafka.tls.truststore.type=PEM");
    }

    private static void assertRejected(String values, String... expected) {
        assertThatThrownBy(() -> Chart.template(values).call()).as("values %s", values)
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(expected));
    }
}
