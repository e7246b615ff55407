package io.seqstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicReference<Readiness> readiness =
            new AtomicReference<>(Readiness.notReady("kafka streams REBALANCING"));
    /** What the key lookup was asked: key, authorization, forwarded. */
    private final List<List<Object>> lookups = new CopyOnWriteArrayList<>();
    private HttpApi api;

    private HttpApi start(HttpAuth auth) throws Exception {
        registry.counter("seqstream.events.scored").increment(3);
        api = HttpApi.builder().port(0).auth(auth).liveness(live::get).readiness(readiness::get).metrics(registry)
                .keys((key, authorization, forwarded) -> {
                    lookups.add(Arrays.asList(key, authorization, forwarded));
                    return new KeyLookup.Answer(key.equals("known") ? 200 : 404,
                            ("{\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
                })
                .routes(Map.of("/dash", exchange -> HttpApi.send(exchange, 200, "text/html",
                        "<html></html>".getBytes(StandardCharsets.UTF_8))))
                .start();
        return api;
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerLivenessAndReadinessWithJsonBodies() throws Exception {
        start(HttpAuth.none());

        HttpResponse<String> notReady = get(HttpApi.READY);
        readiness.set(Readiness.ready("serving hdfs-tiny@1"));
        HttpResponse<String> ready = get(HttpApi.READY);
        HttpResponse<String> alive = get(HttpApi.LIVE);
        live.set(false);
        HttpResponse<String> dead = get(HttpApi.LIVE);

        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(notReady.body()).get("ready").asBoolean()).isFalse();
        assertThat(JSON.readTree(notReady.body()).get("reason").asText()).isEqualTo("kafka streams REBALANCING");
        assertThat(notReady.headers().firstValue("Content-Type")).hasValue(HttpApi.JSON);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
        assertThat(alive.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(alive.body()).get("live").asBoolean()).isTrue();
        assertThat(dead.statusCode()).isEqualTo(503);
    }

    @Test
    void shouldServePrometheusTextAndRouteKeysUrlDecodedAndExtraRoutes() throws Exception {
        start(HttpAuth.none());

        HttpResponse<String> metrics = get(HttpApi.METRICS);
        HttpResponse<String> known = get("/keys/known");
        HttpResponse<String> slashed = get("/keys/blk%2F7%20a+b", KeyQueries.FORWARDED_HEADER, "other:1");
        HttpResponse<String> empty = get("/keys/");
        HttpResponse<String> dash = get("/dash");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + api.port() + HttpApi.METRICS))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("seqstream_events_scored_total 3.0");
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(known.statusCode()).isEqualTo(200);
        assertThat(slashed.statusCode()).isEqualTo(404);
        assertThat(lookups).containsExactly(Arrays.asList("known", null, false), Arrays.asList("blk/7 a+b", null, true));
        JsonNode noKey = JSON.readTree(empty.body());
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(noKey.has("error")).isTrue();
        assertThat(noKey.get("key").asText()).isEmpty();
        assertThat(dash.statusCode()).isEqualTo(200);
        assertThat(dash.body()).isEqualTo("<html></html>");
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void shouldRequireTheBearerTokenEverywhereButProbesAndPassItToTheKeyLookup() throws Exception {
        start(HttpAuth.bearer("t0ken"));

        for (String path : List.of(HttpApi.METRICS, "/keys/known", "/dash")) {
            HttpResponse<String> refused = get(path);
            HttpResponse<String> wrong = get(path, "Authorization", "Bearer t0kem");
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).as(path)
                    .hasValue("Bearer realm=\"seqstream\"");
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("unauthorized");
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
        }
        assertThat(lookups).as("refused before the lookup").isEmpty();

        assertThat(get(HttpApi.LIVE).statusCode()).isEqualTo(200);
        HttpResponse<String> probe = get(HttpApi.READY);
        JsonNode probeBody = JSON.readTree(probe.body());
        assertThat(probe.statusCode()).as("a kubelet's probe carries no token").isIn(200, 503);
        assertThat(probeBody.has("ready")).isTrue();
        assertThat(probeBody.has("reason")).as("the reason needs the token").isFalse();
        assertThat(JSON.readTree(get(HttpApi.READY, "Authorization", "Bearer t0ken").body()).has("reason")).isTrue();
        assertThat(get(HttpApi.METRICS, "Authorization", "Bearer t0ken").statusCode()).isEqualTo(200);
        assertThat(get("/dash", "Authorization", "Bearer t0ken").statusCode()).isEqualTo(200);
        assertThat(get("/keys/known", "Authorization", "Bearer t0ken").statusCode()).isEqualTo(200);
        assertThat(lookups).containsExactly(List.of("known", "Bearer t0ken", false));
    }
}
