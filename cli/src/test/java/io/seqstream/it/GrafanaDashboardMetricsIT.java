package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.sidecar.ModelAnnouncements;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Helm chart's Grafana dashboards query is one that seqstream really exposes: the application and
 * its sidecar run as the chart runs them (two processes sharing a served-models directory, each with its own
 * /metrics), a short stream with a malformed record flows, a damaged version is announced and refused, and then
 * both /metrics pages are scraped and compared with the PromQL of {@code helm/seqstream/dashboards/*.json}.
 */
class GrafanaDashboardMetricsIT {
    private static final Path DASHBOARDS = Path.of("..", "helm", "seqstream", "dashboards");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String NAME = TestStore.NAME;
    /** PromQL words that are neither metrics nor functions. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool", "inf", "nan");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][\\w:]*");

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    @Test
    void shouldExposeEveryMetricTheGrafanaDashboardQueries() throws Exception {
        Set<String> queried = queriedMetrics();
        assertThat(queried).as("metrics found in the dashboards' queries").contains(
                "seqstream_events_scored_total", "seqstream_event_to_score_latency_seconds_bucket",
                "seqstream_keys_in_state", "seqstream_model_active", "seqstream_sidecar_rejections_total");

        TestStore store = TestStore.withTrainedVersion(dir.resolve("store"));
        store.addRandomVersion(2).close();
        store.flipByte("2"); // refused by the sidecar with reason checksum
        Path served = dir.resolve("served");
        String modelsTopic = kafka.uniqueName("models");
        int appPort = freePort();
        int sidecarPort = freePort();
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.MODEL_STORE.key(), store.dir.toString(),
                Setting.MODEL_DIR.key(), served.toString(),
                Setting.MODELS_TOPIC.key(), modelsTopic,
                Setting.MODEL_WATCH_MS.key(), "100",
                Setting.HTTP_PORT.key(), String.valueOf(appPort)));
        // abnormal HDFS sessions, so that anomalies are counted too
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_abnormal", 8);
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);

        // t-0: v1 published; the sidecar activates it into the served directory; the application serves it
        ItEnvironment.CliResult published = env.cli(dir, "publish", NAME, "1");
        assertThat(published.exitCode()).as(published.err()).isZero();
        try (ScoringProcess sidecar = ScoringProcess.startSidecar(env.config, dir, "sidecar", sidecarPort)) {
            await("v1 activated by the sidecar").atMost(TIMEOUT)
                    .until(() -> TestStore.pointedVersion(served).equals("1"));
            try (ScoringProcess app = ScoringProcess.start(env.config, dir, "app")) {
                // t-1: a short stream of abnormal sessions, with one malformed record among them
                env.publishInterleaved(sessions, 0, Integer.MAX_VALUE);
                try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                    env.send(producer, "blk-bad", "not json");
                    producer.flush();
                }
                assertThat(env.readScores(total, TIMEOUT)).as("app log:\n%s", app.logTail()).hasSize(total);
                await("the application's dead letter and anomalies counted").atMost(TIMEOUT)
                        .until(() -> scrape(appPort).contains("seqstream_dead_lettered_total")
                                && scrape(appPort).contains("seqstream_anomalies_total"));

                // t-2: a damaged v2 announced: the sidecar refuses it, v1 stays
                new ModelAnnouncements(Map.of("bootstrap.servers", kafka.bootstrapServers()), modelsTopic,
                        new SimpleMeterRegistry()).announce(store.announcement("2"));
                await("the sidecar's rejection counted").atMost(TIMEOUT)
                        .until(() -> scrape(sidecarPort).contains("seqstream_sidecar_rejections_total"));

                Set<String> exposed = new TreeSet<>(exposedMetrics(scrape(appPort)));
                exposed.addAll(exposedMetrics(scrape(sidecarPort)));
                Set<String> missing = new TreeSet<>(queried);
                missing.removeAll(exposed);
                assertThat(missing).as("metrics the dashboards query that neither the application nor the sidecar"
                        + " exposes (exposed: %s)", exposed).isEmpty();
                assertThat(app.isAlive()).as(app.logTail()).isTrue();
                assertThat(sidecar.isAlive()).as(sidecar.logTail()).isTrue();
            }
        }
    }

    /** Metric names in every PromQL expression and templating query of the dashboards. */
    static Set<String> queriedMetrics() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> names = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(DASHBOARDS)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("dashboards in %s", DASHBOARDS.toAbsolutePath()).isNotEmpty();
        for (Path file : files) {
            JsonNode dashboard = json.readTree(file.toFile());
            for (JsonNode expr : dashboard.findValues("expr")) {
                names.addAll(metricNames(expr.asText()));
            }
            for (JsonNode variable : dashboard.at("/templating/list")) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                if (variable.path("type").asText().equals("query")) {
                    names.addAll(metricNames(text));
                }
            }
        }
        return names;
    }

    /** Metric names in one PromQL expression (or a Grafana {@code label_values(metric, label)} query). */
    static Set<String> metricNames(String promql) {
        String expr = promql
                .replaceAll("label_values\\(([^,]+),\\s*\\w+\\)", "$1") // keep the metric, drop the label
                .replaceAll("\\$\\{?\\w+}?", "") // Grafana variables
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
                .replaceAll("\\{[^}]*}", " ") // label matchers
                .replaceAll("\\[[^]]*]", " ") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " "); // label lists
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(expr);
        while (m.find()) {
            String word = m.group();
            boolean function = expr.substring(m.end()).stripLeading().startsWith("(");
            if (!function && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /** Sample names of a Prometheus text page. */
    static Set<String> exposedMetrics(String page) {
        Set<String> names = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                names.add((end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end)).trim());
            }
        }
        return names;
    }

    /** The /metrics page on {@code port}, or "" while nothing answers there yet. */
    private static String scrape(int port) throws InterruptedException {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
