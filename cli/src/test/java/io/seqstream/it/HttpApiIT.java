package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.app.config.Setting;
import io.seqstream.app.http.HttpApi;
import io.seqstream.kafka.KafkaFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of real {@code seqstream run} JVMs on the in-process broker: every metric the application promises
 * shows on {@code /metrics} after a short stream, and {@code /keys/{key}} answers every key from either of two
 * instances (forwarding to the one hosting it, with the caller's bearer token), while everything but liveness
 * requires the token.
 */
class HttpApiIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "it-token-" + System.nanoTime();

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldExposeEveryPromisedMetricOfARunningApplication() throws Exception {
        int port = freePort();
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("state"), Map.of(
                Setting.HTTP_PORT.key(), Integer.toString(port)));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 4);
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);

        try (ScoringProcess app = ScoringProcess.start(env.config, dir, "app")) {
            awaitReady(port, null, app);
            env.publishInterleaved(sessions, 0, Integer.MAX_VALUE);
            try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                env.send(producer, "blk-bad", "this is not json");
            }
            env.readScores(total, TIMEOUT);
            await("the dead letter counted").atMost(TIMEOUT).until(() ->
                    sum(get(port, HttpApi.METRICS, null).body(), "seqstream_dead_lettered_total") > 0);

            String metrics = get(port, HttpApi.METRICS, null).body();
            JsonNode ready = JSON.readTree(get(port, HttpApi.READY, null).body());

            assertThat(ready.get("ready").asBoolean()).as(ready.toString()).isTrue();
            assertThat(sum(metrics, "seqstream_events_scored_total")).isEqualTo(total);
            assertThat(sum(metrics, "seqstream_event_to_score_latency_seconds_count")).isEqualTo(total);
            assertThat(metrics).contains("seqstream_event_to_score_latency_seconds_bucket{");
            // RocksDB's estimate: at least the keys, at most one per put
            assertThat(sum(metrics, "seqstream_keys_in_state")).isBetween((double) sessions.size(), (double) total);
            assertThat(metrics).containsPattern("seqstream_model_active\\{model=\"hdfs-tiny@[^\"]+\",role=\"served\"} 1");
            assertThat(metrics).contains("seqstream_model_swaps_seconds_count{outcome=\"activated\"}",
                    "seqstream_model_swaps_seconds_count{outcome=\"rejected\"}");
            assertThat(sum(metrics, "seqstream_dead_lettered_total")).isEqualTo(1);
            assertThat(sum(metrics, "seqstream_step_seconds_count")).isPositive();
            assertThat(sum(metrics, "seqstream_batch_size_count")).isPositive();
            assertThat(metrics).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds",
                    "system_cpu_count");
            assertThat(metrics).containsPattern("(?m)^kafka_stream_thread_\\w+");
        }
    }

    @Test
    void shouldAnswerEveryKeyFromEitherInstanceWithTheTokenAndOnlyLivenessWithout() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Map<String, String> auth = Map.of(Setting.HTTP_AUTH.key(), "bearer", Setting.HTTP_AUTH_TOKEN.key(), TOKEN);
        ItEnvironment a = new ItEnvironment(kafka, dir.resolve("state-a"), with(auth, Setting.HTTP_PORT, portA));
        // same application id and topics as a, its own HTTP port and state directory
        var bConfig = a.config.with(Setting.HTTP_PORT, portB).with(Setting.STATE_DIR, dir.resolve("state-b"));
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 10);
        int total = ItEnvironment.count(sessions, 0, Integer.MAX_VALUE);
        String bearer = "Bearer " + TOKEN;

        try (ScoringProcess appA = ScoringProcess.start(a.config, dir, "app-a");
             ScoringProcess appB = ScoringProcess.start(bConfig, dir, "app-b")) {
            awaitReady(portA, bearer, appA);
            awaitReady(portB, bearer, appB);
            a.publishInterleaved(sessions, 0, Integer.MAX_VALUE);
            a.readScores(total, TIMEOUT);

            // every key from both instances: the same summary, served by the key's one host
            Map<String, String> hostOf = new HashMap<>();
            await("every key answered by both instances after the group settled").atMost(TIMEOUT)
                    .ignoreExceptions().untilAsserted(() -> {
                        hostOf.clear();
                        for (Map.Entry<String, List<String>> session : sessions.entrySet()) {
                            JsonNode fromA = key(portA, session.getKey(), bearer, 200);
                            JsonNode fromB = key(portB, session.getKey(), bearer, 200);
                            assertThat(fromA).isEqualTo(fromB);
                            assertThat(fromA.get("tokensSeen").asLong()).as(session.getKey())
                                    .isEqualTo(session.getValue().size());
                            hostOf.put(session.getKey(), fromA.get("servedBy").asText());
                        }
                    });
            Set<String> hosts = new HashSet<>(hostOf.values());
            assertThat(hosts).as("keys spread over both instances, each asked for the other's")
                    .containsExactlyInAnyOrder("localhost:" + portA, "localhost:" + portB);
            JsonNode one = key(portA, "blk-0", bearer, 200);
            assertThat(one.get("model").asText()).startsWith("hdfs-tiny@");
            assertThat(one.get("lastTopK")).hasSize(5);
            assertThat(one.get("anomalies").asLong()).isNotNegative();
            assertThat(one.get("meanSurprisal").asDouble()).isPositive();
            assertThat(one.get("lastSurprisal").asDouble()).isNotNegative();
            assertThat(one.get("firstEventTime").asText()).isNotEmpty();

            // a missing key: 404 with a JSON body, whichever instance is asked
            for (int port : new int[] {portA, portB}) {
                JsonNode missing = key(port, "no-such-key", bearer, 404);
                assertThat(missing.get("key").asText()).isEqualTo("no-such-key");
                assertThat(missing.get("error").asText()).isNotEmpty();
            }

            // without the token: only the probes, readiness without its reason
            for (int port : new int[] {portA, portB}) {
                assertThat(get(port, HttpApi.LIVE, null).statusCode()).isEqualTo(200);
                HttpResponse<String> probe = get(port, HttpApi.READY, null);
                assertThat(probe.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(probe.body()).has("reason")).isFalse();
                for (String path : List.of(HttpApi.METRICS, HttpApi.KEYS + "blk-0")) {
                    HttpResponse<String> refused = get(port, path, null);
                    assertThat(refused.statusCode()).as(path).isEqualTo(401);
                    assertThat(refused.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
                    assertThat(get(port, path, "Bearer wrong").statusCode()).as(path).isEqualTo(401);
                }
                assertThat(get(port, HttpApi.METRICS, bearer).statusCode()).isEqualTo(200);
            }
        }
    }

    private static Map<String, String> with(Map<String, String> base, Setting setting, Object value) {
        Map<String, String> out = new HashMap<>(base);
        out.put(setting.key(), String.valueOf(value));
        return out;
    }

    private JsonNode key(int port, String key, String authorization, int expectedStatus) throws Exception {
        HttpResponse<String> response = get(port, HttpApi.KEYS + URLEncoder.encode(key, StandardCharsets.UTF_8),
                authorization);
        assertThat(response.statusCode()).as("%s from port %d: %s", key, port, response.body())
                .isEqualTo(expectedStatus);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        return JSON.readTree(response.body());
    }

    private void awaitReady(int port, String authorization, ScoringProcess app) {
        try {
            await("instance on port " + port + " ready").atMost(TIMEOUT).ignoreExceptions()
                    .failFast("the application exited", () -> !app.isAlive())
                    .until(() -> get(port, HttpApi.READY, authorization).statusCode() == 200);
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + app.logTail(), e);
        }
    }

    private HttpResponse<String> get(int port, String path, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(15));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of every sample of a Prometheus metric (all label sets) in a scrape. */
    private static double sum(String scrape, String name) {
        double total = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
