package io.seqstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The chart rendered by Helm's own library for its defaults and for each variant users pick, object by object. */
class SeqstreamChartTest {
    private static final String FULLNAME = "scoring-seqstream";
    private static final String HEADLESS = "scoring-seqstream-headless";
    /** What the image (cli's Jib build) sets in its environment; each would beat the settings file. */
    private static final Map<String, String> IMAGE_ENVIRONMENT = Map.of(
            "SEQSTREAM_STATE_DIR", "/var/lib/seqstream/state",
            "SEQSTREAM_MODEL_STORE", "/var/lib/seqstream/models/store");

    @Test
    void shouldRenderDefaultsAsAStatefulSetWithAStateVolumePerPodAndTheSidecar() {
        Chart.Rendered r = Chart.render();

        assertThat(r.objects()).extracting(o -> o.path("kind").asText() + "/" + o.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("StatefulSet/" + FULLNAME, "Service/" + FULLNAME, "Service/" + HEADLESS,
                        "ConfigMap/" + FULLNAME + "-config", "ServiceAccount/" + FULLNAME,
                        "PodDisruptionBudget/" + FULLNAME);
        JsonNode sts = r.statefulSet();
        assertThat(sts.at("/spec/serviceName").asText()).isEqualTo(HEADLESS);
        assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(3);
        JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
        assertThat(claim.at("/metadata/name").asText()).isEqualTo("state");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("10Gi");
        assertThat(claim.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteOnce");

        JsonNode app = r.container("streams-app");
        JsonNode sidecar = r.container("sidecar");
        assertThat(app.path("image").asText()).isEqualTo("seqstream/seqstream:0.1.0-SNAPSHOT");
        assertThat(sidecar.path("image").asText()).isEqualTo(app.path("image").asText());
        assertThat(strings(app.path("args"))).startsWith("run", "--config", "/etc/seqstream/seqstream.properties");
        assertThat(strings(sidecar.path("args"))).startsWith("sidecar", "--config", "/etc/seqstream/seqstream.properties",
                "--metrics-port", "9401");
        assertThat(mountPath(app, "state")).isEqualTo("/var/lib/seqstream/state");
        assertThat(mountPath(app, "models")).isEqualTo(mountPath(sidecar, "models"))
                .isEqualTo("/var/lib/seqstream/models");
        assertThat(mount(app, "models").path("readOnly").asBoolean()).as("the app only reads served models").isTrue();
        assertThat(mount(sidecar, "models").path("readOnly").asBoolean()).isFalse();
        assertThat(mountPath(app, "tmp")).isEqualTo("/tmp");
        assertThat(volume(sts, "models").has("emptyDir")).isTrue();
        assertThat(volume(sts, "tmp").has("emptyDir")).isTrue();
        assertThat(volume(sts, "config").at("/configMap/name").asText()).isEqualTo(FULLNAME + "-config");
        assertThat(env(app, "JAVA_TOOL_OPTIONS").path("value").asText())
                .contains("-Djava.io.tmpdir=/tmp", "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp");
    }

    @Test
    void shouldRunNonRootWithAReadOnlyRootFilesystem() {
        Chart.Rendered r = Chart.render();

        JsonNode pod = r.statefulSet().at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/fsGroup").asInt()).isEqualTo(10001);
        assertThat(pod.at("/automountServiceAccountToken").asBoolean()).isFalse();
        for (JsonNode c : pod.path("containers")) {
            assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(c.path("name").asText()).isTrue();
            assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
            assertThat(strings(c.at("/securityContext/capabilities/drop"))).containsExactly("ALL");
            // every path the process writes is a volume: state, models, /tmp
            assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/tmp");
        }
    }

    @Test
    void shouldGiveEachPodItsIdentityForStaticMembershipAndPerKeyQueries() {
        Chart.Rendered r = Chart.render();

        JsonNode app = r.container("streams-app");
        Map<String, String> perPod = dArguments(app);
        assertThat(perPod).containsEntry("kafka.group.instance.id", "$(POD_NAME)")
                .containsEntry("http.advertised-address",
                        "$(POD_NAME)." + HEADLESS + ".$(POD_NAMESPACE).svc.cluster.local:9400");
        assertThat(env(app, "POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(env(app, "POD_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText())
                .isEqualTo("metadata.namespace");
        // the sidecar has no consumer group: no per-pod identity there
        assertThat(dArguments(r.container("sidecar"))).doesNotContainKey("kafka.group.instance.id");

        JsonNode headless = r.get("Service", HEADLESS);
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(headless.at("/spec/selector")).isEqualTo(r.statefulSet().at("/spec/selector/matchLabels"));
        JsonNode http = r.get("Service", FULLNAME);
        assertThat(http.at("/spec/ports/0/port").asInt()).isEqualTo(9400);
        assertThat(http.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(app.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(app.at("/ports/0/containerPort").asInt()).isEqualTo(9400);
    }

    @Test
    void shouldWriteOnlySettingsThatSeqstreamAccepts() throws Exception {
        for (String values : List.of("", """
                kafka:
                  sasl: {enabled: true, username: u, password: p}
                  tls: {enabled: true, truststore: {pem: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"}}
                  config: {max.poll.records: 500}
                gpu: {enabled: true, image: {tag: cuda}}
                sidecar: {enabled: false}
                http: {auth: {mode: bearer, token: t0k3n}}
                settings: {score.top-g: 5, state.ttl.ms: 3600000}
                """, "http: {auth: {mode: basic, existingSecret: api}}")) {
            Chart.Rendered r = Chart.render(values);
            for (JsonNode container : r.statefulSet().at("/spec/template/spec/containers")) {
                SeqstreamConfig config = resolve(r, container);
                assertThat(config.modelDir().toString()).isEqualTo("/var/lib/seqstream/models");
                assertThat(config.modelStoreUri()).as("model.store, not the image's default")
                        .isEqualTo("s3://seqstream-models/models");
                assertThat(config.string(Setting.HTTP_AUTH)).isEqualTo(r.settings().getProperty("http.auth"));
                assertThat(config.kafkaOverrides()).containsEntry("num.standby.replicas", "1");
            }
            SeqstreamConfig app = resolve(r, r.container("streams-app"));
            assertThat(app.stateDir().toString()).isEqualTo("/var/lib/seqstream/state");
            assertThat(app.integer(Setting.HTTP_PORT)).isEqualTo(9400);
            assertThat(app.kafkaOverrides()).containsEntry("group.instance.id", "scoring-seqstream-0");
            assertThat(app.string(Setting.HTTP_ADVERTISED_ADDRESS))
                    .isEqualTo("scoring-seqstream-0.scoring-seqstream-headless.streams.svc.cluster.local:9400");
        }
    }

    /**
     * What seqstream resolves in a container, the way it does at start-up: the mounted settings file, then its
     * SEQSTREAM_* environment (values from Secrets stand in as "from-secret"), then its -D arguments with the
     * downward API's values filled in. Fails the way seqstream would on an unknown or invalid setting.
     */
    private static SeqstreamConfig resolve(Chart.Rendered r, JsonNode container) throws Exception {
        Path file = Files.createTempFile("seqstream-", ".properties");
        file.toFile().deleteOnExit();
        Files.writeString(file, r.get("ConfigMap", FULLNAME + "-config").at("/data/seqstream.properties").asText());
        // the image's own SEQSTREAM_* defaults first: the container's environment overrides them
        Map<String, String> environment = new LinkedHashMap<>(IMAGE_ENVIRONMENT);
        for (JsonNode e : container.path("env")) {
            environment.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : "from-secret");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        dArguments(container).forEach((k, v) -> overrides.put(k,
                v.replace("$(POD_NAME)", "scoring-seqstream-0").replace("$(POD_NAMESPACE)", "streams")));
        try {
            return SeqstreamConfig.load(file, environment, overrides);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("seqstream refuses the settings of container " + container.path("name").asText()
                    + ": " + e.getMessage(), e);
        }
    }

    @Test
    void shouldWriteWholeNumbersAsWrittenNotInExponentForm() {
        Chart.Rendered r = Chart.render("""
                settings: {state.ttl.ms: 3600000, score.top-g: 5}
                kafka: {sessionTimeoutMs: 1200000, config: {max.poll.records: 500, linger.ms: 5}}
                """);

        Properties settings = r.settings();
        assertThat(settings).containsEntry("state.ttl.ms", "3600000").containsEntry("score.top-g", "5")
                .containsEntry("kafka.session.timeout.ms", "1200000").containsEntry("kafka.max.poll.records", "500")
                .containsEntry("kafka.linger.ms", "5");
    }

    @Test
    void shouldRollPodsOnConfigurationChangesButNeverPinAModelVersion() {
        String base = checksum(Chart.render());

        assertThat(checksum(Chart.render())).as("same values, same checksum").isEqualTo(base);
        assertThat(checksum(Chart.render("settings: {score.top-g: 5}"))).isNotEqualTo(base);
        assertThat(checksum(Chart.render("kafka: {numStandbyReplicas: 2}"))).isNotEqualTo(base);
        assertThat(checksum(Chart.render("http: {auth: {mode: bearer, token: a}}")))
                .isNotEqualTo(checksum(Chart.render("http: {auth: {mode: bearer, token: b}}")));
        assertThat(checksum(Chart.render("replicaCount: 5"))).as("scaling is no configuration change")
                .isEqualTo(base);
        // the version to serve is whatever the sidecar activated: nothing in the pod template names one
        Chart.Rendered r = Chart.render();
        assertThat(r.settings()).doesNotContainKey(Setting.MODEL_VERSION.key())
                .containsEntry(Setting.MODEL_DIR.key(), "/var/lib/seqstream/models");
    }

    @Test
    void shouldSetStandbyReplicasFromValues() {
        assertThat(Chart.render("kafka: {numStandbyReplicas: 2}").settings())
                .containsEntry("kafka.num.standby.replicas", "2");
        assertThat(dArguments(Chart.render("kafka: {staticMembership: false}").container("streams-app")))
                .doesNotContainKey("kafka.group.instance.id");
    }

    @Test
    void shouldScheduleOnGpuNodesWithTheGpuImage() {
        Chart.Rendered r = Chart.render("""
                gpu: {enabled: true, image: {tag: 0.1.0-gpu}}
                nodeSelector: {pool: scoring}
                tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
                """);

        JsonNode app = r.container("streams-app");
        assertThat(app.path("image").asText()).isEqualTo("seqstream/seqstream:0.1.0-gpu");
        assertThat(r.container("sidecar").path("image").asText()).as("the sidecar verifies on the CPU")
                .isEqualTo("seqstream/seqstream:0.1.0-SNAPSHOT");
        assertThat(app.at("/resources/limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(app.at("/resources/limits/memory").asText()).isEqualTo("4Gi");
        assertThat(r.container("sidecar").at("/resources/limits").has("nvidia.com/gpu")).isFalse();
        JsonNode pod = r.statefulSet().at("/spec/template/spec");
        assertThat(pod.at("/nodeSelector/pool").asText()).isEqualTo("scoring");
        assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.present").asText()).isEqualTo("true");
        assertThat(pod.path("tolerations").findValuesAsText("key")).containsExactly("dedicated", "nvidia.com/gpu");
        assertThat(r.settings()).containsEntry("engine", "nd4j");

        JsonNode custom = Chart.render("gpu: {enabled: true, image: {repository: my/gpu, tag: cuda12}, count: 2}")
                .container("streams-app");
        assertThat(custom.path("image").asText()).isEqualTo("my/gpu:cuda12");
        assertThat(custom.at("/resources/limits").path("nvidia.com/gpu").asInt()).isEqualTo(2);
        JsonNode cpu = Chart.render().statefulSet().at("/spec/template/spec");
        assertThat(cpu.has("nodeSelector")).isFalse();
        assertThat(Chart.render().container("streams-app").at("/resources/limits").has("nvidia.com/gpu")).isFalse();
    }

    @Test
    void shouldScrapeApplicationAndSidecarThroughTheHeadlessService() {
        Chart.Rendered r = Chart.render("""
                serviceMonitor: {enabled: true, labels: {release: prometheus}, interval: 15s}
                """);

        JsonNode monitor = r.get("ServiceMonitor", FULLNAME);
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(monitor.at("/spec/endpoints").findValuesAsText("port")).containsExactly("http", "sidecar-metrics");
        assertThat(monitor.at("/spec/endpoints").findValuesAsText("path")).containsOnly("/metrics");
        assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
        Map<String, String> selector = asStringMap(monitor.at("/spec/selector/matchLabels"));
        assertThat(asStringMap(r.get("Service", HEADLESS).at("/metadata/labels"))).containsAllEntriesOf(selector);
        assertThat(asStringMap(r.get("Service", FULLNAME).at("/metadata/labels")))
                .as("only one Service is scraped, or every pod would be scraped twice")
                .doesNotContainEntry("seqstream.io/metrics", "true");
        assertThat(r.get("Service", HEADLESS).at("/spec/ports").findValuesAsText("name"))
                .containsExactly("http", "sidecar-metrics");
        assertThat(r.container("sidecar").at("/ports/0/containerPort").asInt()).isEqualTo(9401);

        JsonNode secured = Chart.render("""
                serviceMonitor: {enabled: true}
                http: {auth: {mode: bearer, token: s3cr3t}}
                """).get("ServiceMonitor", FULLNAME);
        for (JsonNode endpoint : secured.at("/spec/endpoints")) {
            assertThat(endpoint.at("/authorization/credentials/name").asText()).isEqualTo(FULLNAME + "-http-auth");
            assertThat(endpoint.at("/authorization/credentials/key").asText()).isEqualTo("token");
        }
    }

    @Test
    void shouldProbeLivenessAndReadiness() {
        JsonNode app = Chart.render().container("streams-app");

        assertThat(app.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(app.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        assertThat(app.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(app.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(Chart.render().container("sidecar").at("/livenessProbe/httpGet/path").asText())
                .isEqualTo("/health/live");
    }

    @Test
    void shouldKeepTheHttpTokenInASecretPassedAsEnvironment() {
        Chart.Rendered r = Chart.render("http: {auth: {mode: bearer, token: s3cr3t-t0k3n}}");

        assertThat(r.settings()).containsEntry("http.auth", "bearer").doesNotContainKey("http.auth.token");
        JsonNode secret = r.get("Secret", FULLNAME + "-http-auth");
        assertThat(decode(secret, "token")).isEqualTo("s3cr3t-t0k3n");
        String variable = Setting.HTTP_AUTH_TOKEN.environmentVariable();
        assertThat(variable).isEqualTo("SEQSTREAM_HTTP_AUTH_TOKEN");
        for (String container : List.of("streams-app", "sidecar")) {
            JsonNode ref = env(r.container(container), variable).at("/valueFrom/secretKeyRef");
            assertThat(ref.path("name").asText()).as(container).isEqualTo(FULLNAME + "-http-auth");
            assertThat(ref.path("key").asText()).isEqualTo("token");
        }
        assertThat(r.manifest()).as("the token appears nowhere in clear").doesNotContain("s3cr3t-t0k3n");

        Chart.Rendered basic = Chart.render("http: {auth: {mode: basic, user: ops, password: pw}}");
        assertThat(decode(basic.get("Secret", FULLNAME + "-http-auth"), "user")).isEqualTo("ops");
        assertThat(env(basic.container("streams-app"), Setting.HTTP_AUTH_PASSWORD.environmentVariable())
                .at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
        assertThat(env(basic.container("streams-app"), Setting.HTTP_AUTH_USER.environmentVariable())
                .at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("user");
    }

    @Test
    void shouldAuthenticateToKafkaWithSaslOverTlsFromChartSecrets() {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n";
        Chart.Rendered r = Chart.render("""
                kafka:
                  bootstrapServers: broker-0.kafka:9093,broker-1.kafka:9093
                  sasl: {enabled: true, mechanism: SCRAM-SHA-256, username: scorer, password: "p@ss w0rd"}
                  tls:
                    enabled: true
                    truststore:
                      pem: |
                """ + pem.lines().map(l -> "          " + l + "\n").reduce("", String::concat));

        Properties settings = r.settings();
        assertThat(settings).containsEntry("bootstrap.servers", "broker-0.kafka:9093,broker-1.kafka:9093")
                .containsEntry("kafka.security.protocol", "SASL_SSL")
                .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("kafka.ssl.truststore.type", "PEM")
                .containsEntry("kafka.ssl.truststore.location", "/etc/seqstream/kafka-tls/ca.crt")
                .containsEntry("kafka.ssl.endpoint.identification.algorithm", "https")
                .doesNotContainKey("kafka.sasl.jaas.config");
        JsonNode sasl = r.get("Secret", FULLNAME + "-kafka-sasl");
        assertThat(decode(sasl, "username")).isEqualTo("scorer");
        assertThat(decode(sasl, "password")).isEqualTo("p@ss w0rd");
        assertThat(decode(r.get("Secret", FULLNAME + "-kafka-tls"), "ca.crt")).isEqualTo(pem);
        assertThat(r.manifest()).doesNotContain("p@ss w0rd");
        for (String container : List.of("streams-app", "sidecar")) {
            JsonNode c = r.container(container);
            assertThat(dArguments(c)).as(container).containsEntry("kafka.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required"
                            + " username=\"$(KAFKA_SASL_USERNAME)\" password=\"$(KAFKA_SASL_PASSWORD)\";");
            assertThat(env(c, "KAFKA_SASL_USERNAME").at("/valueFrom/secretKeyRef/name").asText())
                    .isEqualTo(FULLNAME + "-kafka-sasl");
            assertThat(env(c, "KAFKA_SASL_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
            assertThat(mountPath(c, "kafka-tls")).isEqualTo("/etc/seqstream/kafka-tls");
        }
        assertThat(volume(r.statefulSet(), "kafka-tls").at("/secret/secretName").asText())
                .isEqualTo(FULLNAME + "-kafka-tls");

        Chart.Rendered plain = Chart.render("kafka: {sasl: {enabled: true, mechanism: PLAIN, username: u, password: p}}");
        assertThat(plain.settings()).containsEntry("kafka.security.protocol", "SASL_PLAINTEXT");
        assertThat(dArguments(plain.container("streams-app")).get("kafka.sasl.jaas.config"))
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
        assertThat(Chart.render("kafka: {tls: {enabled: true}}").settings())
                .as("TLS with the JVM's trust store").containsEntry("kafka.security.protocol", "SSL")
                .doesNotContainKey("kafka.ssl.truststore.location");
    }

    @Test
    void shouldReferenceExistingSecretsWithoutCreatingAny() {
        Chart.Rendered r = Chart.render("""
                kafka:
                  sasl: {enabled: true, existingSecret: kafka-user, usernameKey: user, passwordKey: pass}
                  tls:
                    enabled: true
                    truststore: {type: PKCS12, existingSecret: kafka-ca, key: truststore.p12, passwordKey: store-pass}
                http: {auth: {mode: bearer, existingSecret: api-token, tokenKey: value}}
                model: {credentials: {existingSecret: s3-creds}}
                """);

        assertThat(r.ofKind("Secret")).isEmpty();
        JsonNode app = r.container("streams-app");
        assertThat(secretRef(env(app, "KAFKA_SASL_USERNAME"))).isEqualTo("kafka-user/user");
        assertThat(env(app, "KAFKA_SASL_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("pass");
        assertThat(secretRef(env(app, "KAFKA_TLS_TRUSTSTORE_PASSWORD"))).isEqualTo("kafka-ca/store-pass");
        assertThat(dArguments(app)).containsEntry("kafka.ssl.truststore.password", "$(KAFKA_TLS_TRUSTSTORE_PASSWORD)");
        assertThat(r.settings()).containsEntry("kafka.ssl.truststore.type", "PKCS12")
                .containsEntry("kafka.ssl.truststore.location", "/etc/seqstream/kafka-tls/truststore.p12");
        assertThat(volume(r.statefulSet(), "kafka-tls").at("/secret/secretName").asText()).isEqualTo("kafka-ca");
        assertThat(secretRef(env(app, "SEQSTREAM_HTTP_AUTH_TOKEN"))).isEqualTo("api-token/value");
        JsonNode sidecar = r.container("sidecar");
        assertThat(env(sidecar, "AWS_ACCESS_KEY_ID").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("s3-creds");
        assertThat(env(sidecar, "AWS_SECRET_ACCESS_KEY").at("/valueFrom/secretKeyRef/key").asText())
                .isEqualTo("AWS_SECRET_ACCESS_KEY");
        assertThat(app.path("env").findValuesAsText("name")).as("only the sidecar reads the model store")
                .doesNotContain("AWS_ACCESS_KEY_ID");
    }

    @Test
    void shouldFollowTheModelsTopicInProcessWithoutTheSidecar() {
        Chart.Rendered r = Chart.render("sidecar: {enabled: false}\nmodel: {credentials: {existingSecret: s3}}");

        assertThat(r.statefulSet().at("/spec/template/spec/containers")).hasSize(1);
        assertThat(r.statefulSet().at("/spec/template/spec/containers/0/name").asText()).isEqualTo("streams-app");
        assertThat(r.settings()).containsEntry("model.follow", "true");
        JsonNode app = r.container("streams-app");
        assertThat(mount(app, "models").path("readOnly").asBoolean()).as("the app writes served models itself").isFalse();
        assertThat(env(app, "AWS_ACCESS_KEY_ID").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("s3");
        assertThat(r.get("Service", HEADLESS).at("/spec/ports").findValuesAsText("name")).containsExactly("http");
    }

    @Test
    void shouldMountExtraVolumesForALocalModelStore() throws Exception {
        Chart.Rendered r = Chart.render("""
                model: {store: /mnt/models}
                extraVolumes: [{name: store, persistentVolumeClaim: {claimName: model-store}}]
                sidecar: {extraVolumeMounts: [{name: store, mountPath: /mnt/models, readOnly: true}]}
                extraVolumeMounts: [{name: store, mountPath: /mnt/models, readOnly: true}]
                """);

        assertThat(volume(r.statefulSet(), "store").at("/persistentVolumeClaim/claimName").asText())
                .isEqualTo("model-store");
        assertThat(mountPath(r.container("sidecar"), "store")).isEqualTo("/mnt/models");
        assertThat(mountPath(r.container("streams-app"), "store")).isEqualTo("/mnt/models");
        assertThat(resolve(r, r.container("sidecar")).modelStoreUri()).isEqualTo("/mnt/models");
    }

    @Test
    void shouldKeepStateInAnEmptyDirWithoutPersistence() {
        JsonNode sts = Chart.render("persistence: {enabled: false}").statefulSet();

        assertThat(sts.at("/spec").has("volumeClaimTemplates")).isFalse();
        assertThat(volume(sts, "state").has("emptyDir")).isTrue();
        JsonNode sized = Chart.render("persistence: {size: 50Gi, storageClass: fast-ssd}").statefulSet();
        assertThat(sized.at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText()).isEqualTo("50Gi");
        assertThat(sized.at("/spec/volumeClaimTemplates/0/spec/storageClassName").asText()).isEqualTo("fast-ssd");
    }

    @Test
    void shouldBoundVoluntaryDisruptions() {
        JsonNode pdb = Chart.render().get("PodDisruptionBudget", FULLNAME);

        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(pdb.at("/spec/selector/matchLabels"))
                .isEqualTo(Chart.render().statefulSet().at("/spec/selector/matchLabels"));
        assertThat(Chart.render("podDisruptionBudget: {enabled: false}").ofKind("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void shouldShipTheGrafanaDashboardForGrafanasSidecar() throws Exception {
        Chart.Rendered r = Chart.render("grafanaDashboard: {enabled: true, annotations: {grafana_folder: Streams}}");

        JsonNode map = r.get("ConfigMap", FULLNAME + "-dashboard");
        assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(map.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Streams");
        JsonNode shipped = Chart.JSON.readTree(map.at("/data/seqstream.json").asText());
        JsonNode file = Chart.JSON.readTree(Files.readString(Chart.DIR.resolve("dashboards/seqstream.json")));
        assertThat(shipped).isEqualTo(file);
        assertThat(shipped.path("uid").asText()).isEqualTo("seqstream");
        assertThat(Chart.render().has("ConfigMap", FULLNAME + "-dashboard")).isFalse();
    }

    @Test
    void shouldTestTheReadinessOfEveryPodWithHelmTest() {
        Chart.Rendered r = Chart.renderWithHooks("replicaCount: 2\nhttp: {auth: {mode: bearer, token: t}}");

        JsonNode pod = r.get("Pod", FULLNAME + "-test-ready");
        assertThat(pod.at("/metadata/annotations").path("test.seqstream.io/hook").asText())
                .as("helm.sh/hook, renamed for rendering").isEqualTo("test");
        assertThat(Chart.render().has("Pod", FULLNAME + "-test-ready")).as("a hook, not part of the release").isFalse();
        String script = pod.at("/spec/containers/0/command/2").asText();
        assertThat(script).contains(
                "http://" + FULLNAME + "-$i." + HEADLESS + ".streams.svc.cluster.local:9400/health/ready",
                "$(seq 0 1)", "http://" + FULLNAME + ".streams.svc.cluster.local:9400/health/ready",
                "Authorization: Bearer ${HTTP_AUTH_TOKEN}");
        assertThat(env(pod.at("/spec/containers/0"), "HTTP_AUTH_TOKEN").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo(FULLNAME + "-http-auth");
        assertThat(pod.at("/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    }

    @Test
    void shouldHonourNamesImagesAndCommonLabels() {
        Chart.Rendered r = Chart.render("""
                fullnameOverride: scorer
                image: {registry: registry.example.com, repository: team/seqstream, tag: "1.2.3"}
                commonLabels: {team: streams}
                """);

        JsonNode sts = r.get("StatefulSet", "scorer");
        assertThat(sts.at("/spec/serviceName").asText()).isEqualTo("scorer-headless");
        assertThat(sts.at("/spec/template/spec/containers/0/image").asText())
                .isEqualTo("registry.example.com/team/seqstream:1.2.3");
        for (JsonNode o : r.objects()) {
            assertThat(o.at("/metadata/labels/team").asText()).as(o.path("kind").asText()).isEqualTo("streams");
            assertThat(o.at("/metadata/namespace").asText()).isEqualTo(Chart.NAMESPACE);
        }
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(Chart.render("image: {digest: " + digest + "}").container("streams-app").path("image").asText())
                .isEqualTo("seqstream/seqstream@" + digest);
    }

    @Test
    void shouldPrintHowToReachTheServiceAndWarnAboutUnsafeValues() {
        String notes = Chart.installDryRun("");
        assertThat(notes).contains("kubectl -n streams port-forward svc/scoring-seqstream 9400:9400",
                "helm test scoring -n streams", "WARNING: http.auth=none");

        String secured = Chart.installDryRun("""
                http: {auth: {mode: bearer, token: t}}
                persistence: {enabled: false}
                kafka: {numStandbyReplicas: 0, sasl: {enabled: true, mechanism: PLAIN, username: u, password: p}}
                """);
        assertThat(secured).doesNotContain("WARNING: http.auth=none")
                .contains("WARNING: persistence.enabled=false", "WARNING: kafka.numStandbyReplicas=0",
                        "WARNING: kafka.sasl without kafka.tls: credentials (PLAIN: in clear text)");
    }

    private static String checksum(Chart.Rendered r) {
        String sum = r.statefulSet().at("/spec/template/metadata/annotations").path("checksum/config").asText();
        assertThat(sum).matches("[0-9a-f]{64}");
        return sum;
    }

    /** The {@code -D key=value} pairs of a container's arguments. */
    static Map<String, String> dArguments(JsonNode container) {
        List<String> args = strings(container.path("args"));
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("-D")) {
                String pair = args.get(i + 1);
                int eq = pair.indexOf('=');
                out.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("No env " + name + " in container " + container.path("name").asText() + ": "
                + container.path("env").findValuesAsText("name"));
    }

    /** "secret/key" of an environment variable taken from a Secret. */
    private static String secretRef(JsonNode env) {
        JsonNode ref = env.at("/valueFrom/secretKeyRef");
        return ref.path("name").asText() + "/" + ref.path("key").asText();
    }

    private static JsonNode mount(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m;
            }
        }
        throw new AssertionError("No mount of " + volume + " in " + container.path("name").asText());
    }

    private static String mountPath(JsonNode container, String volume) {
        return mount(container, volume).path("mountPath").asText();
    }

    private static JsonNode volume(JsonNode statefulSet, String name) {
        for (JsonNode v : statefulSet.at("/spec/template/spec/volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("No volume " + name);
    }

    private static String decode(JsonNode secret, String key) {
        return new String(Base64.getDecoder().decode(secret.at("/data").path(key).asText()), StandardCharsets.UTF_8);
    }

    private static Map<String, String> asMap(Properties props) {
        Map<String, String> out = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
        return out;
    }

    private static Map<String, String> asStringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
