package io.seqstream.app.dashboard;

import static io.seqstream.app.dashboard.ScoreFeedIT.score;
import static io.seqstream.app.dashboard.ScoreFeedIT.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.app.http.HttpApi;
import io.seqstream.app.http.HttpAuth;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.ModelManifest;
import io.seqstream.schemas.AvroSingleObject;
import io.seqstream.schemas.SchemaJson;
import io.seqstream.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's routes mounted on the application's {@link HttpApi}, over a {@link ScoreFeed} of the in-process
 * broker: the page and its assets, the model JSON, and the event stream as a browser reads it.
 */
class DashboardRoutesIT {
    @RegisterExtension
    static final KafkaFixture kafka = ScoreFeedIT.kafka;

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void shouldServeThePageItsAssetsAndTheActiveModel() throws Exception {
        ModelManifest manifest = TestModels.hdfs().manifest();
        try (Dashboard dashboard = new Dashboard(ScoreFeed.start(ScoreFeedIT.props(), ScoreFeedIT.topic(), 10),
                () -> manifest, true);
             HttpApi api = HttpApi.builder().port(0).routes(dashboard.routes()).start()) {
            HttpResponse<String> page = get(api, "/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/html"));
            assertThat(page.body()).contains("id=\"key-streams\"", "/dashboard/assets/uPlot.iife.min.js")
                    .as("nothing from the network").doesNotContain("http://", "https://");

            for (String asset : List.of("app.js", "app.css", "uPlot.iife.min.js", "uPlot.min.css")) {
                HttpResponse<String> response = get(api, "/dashboard/assets/" + asset, null);
                assertThat(response.statusCode()).as(asset).isEqualTo(200);
                assertThat(response.body()).as(asset).isNotBlank();
            }
            assertThat(get(api, "/dashboard/assets/uPlot.iife.min.js", null).body()).contains("uPlot");
            assertThat(get(api, "/dashboard/assets/../../etc/passwd", null).statusCode()).isEqualTo(404);
            assertThat(get(api, "/nothing-here", null).statusCode()).isEqualTo(404);

            HttpResponse<String> model = get(api, "/dashboard/model", null);
            assertThat(model.statusCode()).isEqualTo(200);
            JsonNode json = mapper.readTree(model.body());
            assertThat(json.get("label").asText()).isEqualTo(manifest.label());
            assertThat(json.get("version").asText()).isEqualTo(manifest.version());
            assertThat(json.get("architecture").get("hidden").asInt()).isEqualTo(manifest.architecture().hidden());
            assertThat(manifest.metrics()).as("the tiny model has training metrics to show").isNotEmpty();
            manifest.metrics().forEach((name, value) ->
                    assertThat(json.get("metrics").get(name).asDouble()).as(name).isEqualTo(value));
        }
    }

    @Test
    void shouldStreamASnapshotThenScoresAndSecondsAsServerSentEvents() throws Exception {
        String topic = ScoreFeedIT.topic();
        try (Dashboard dashboard = new Dashboard(ScoreFeed.start(ScoreFeedIT.props(), topic, 10),
                () -> TestModels.hdfs().manifest(), true);
             HttpApi api = HttpApi.builder().port(0).auth(HttpAuth.bearer("s3cret")).routes(dashboard.routes())
                     .openPaths(Dashboard.PUBLIC_ROUTES).start();
             KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            assertThat(dashboard.feed().awaitAssigned(WAIT)).isTrue();
            send(producer, topic, 0, "blk-0", SchemaJson.writeBytes(score("blk-0", 1, "E5", false, 0.9)));
            producer.flush();
            await("first score read").atMost(WAIT).until(() -> dashboard.feed().total() == 1);

            assertThat(get(api, "/dashboard/events", null).statusCode()).as("behind the API's auth").isEqualTo(401);
            assertThat(get(api, "/dashboard/model", null).statusCode()).as("behind the API's auth").isEqualTo(401);
            assertThat(get(api, "/", null).statusCode()).as("the page opens without a token").isEqualTo(200);
            HttpResponse<Stream<String>> events = http.send(request(api, "/dashboard/events", "s3cret").build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/event-stream"));
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> events.body().forEach(lines::add), "sse-reader");
            reader.setDaemon(true);
            reader.start();
            try {
                Map.Entry<String, JsonNode> hello = nextEvent(lines);
                assertThat(hello.getKey()).isEqualTo("hello");
                assertThat(hello.getValue().get("topic").asText()).isEqualTo(topic);
                assertThat(hello.getValue().get("total").asLong()).isEqualTo(1);
                assertThat(hello.getValue().get("recent").get(0).get("key").asText()).isEqualTo("blk-0");

                send(producer, topic, 1, "blk-1", AvroSingleObject.encode(score("blk-1", 1, "E9", true, 0.001)));
                producer.flush();
                Map.Entry<String, JsonNode> event = nextEvent(lines);
                while (!event.getKey().equals("scores")) {
                    assertThat(event.getKey()).isEqualTo("second");
                    event = nextEvent(lines);
                }
                JsonNode scored = event.getValue().get(0);
                assertThat(scored.get("key").asText()).isEqualTo("blk-1");
                assertThat(scored.get("anomaly").asBoolean()).isTrue();
                assertThat(scored.get("surprisal").asDouble()).isGreaterThan(6.9);
                assertThat(scored.get("top").get(0).get("token").asText()).isEqualTo("E5");

                Map.Entry<String, JsonNode> second = nextEvent(lines);
                assertThat(second.getKey()).isEqualTo("second");
                assertThat(second.getValue().has("scores")).isTrue();
                await("one browser connected").atMost(WAIT).until(() -> dashboard.clients() == 1);
            } finally {
                reader.interrupt();
            }
        }
    }

    @Test
    void shouldLetGoOfABrowserThatWentAwayAndReadOn() throws Exception {
        String topic = ScoreFeedIT.topic();
        try (Dashboard dashboard = new Dashboard(ScoreFeed.start(ScoreFeedIT.props(), topic, 10),
                () -> TestModels.hdfs().manifest(), true);
             HttpApi api = HttpApi.builder().port(0).routes(dashboard.routes()).start();
             KafkaProducer<byte[], byte[]> producer = kafka.producer(null)) {
            assertThat(dashboard.feed().awaitAssigned(WAIT)).isTrue();
            HttpResponse<java.io.InputStream> events = http.send(request(api, "/dashboard/events", null).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.statusCode()).isEqualTo(200);
            await("one browser connected").atMost(WAIT).until(() -> dashboard.clients() == 1);
            events.body().close(); // the browser's tab closes

            // Writes to the closed connection fail, and the stream lets go of it; the feed reads on regardless.
            for (int i = 1; i <= 5; i++) {
                send(producer, topic, 0, "blk", SchemaJson.writeBytes(score("blk", i, "E5", false, 0.9)));
                producer.flush();
                long sent = i;
                await("score " + i + " read").atMost(WAIT).until(() -> dashboard.feed().total() == sent);
            }
            await("the closed browser let go of").atMost(WAIT).until(() -> dashboard.clients() == 0);
            await("every score read").atMost(WAIT).until(() -> dashboard.feed().total() == 5);
        }
    }

    /** The next server-sent event (name and JSON data), skipping comments; fails after {@link #WAIT}. */
    private Map.Entry<String, JsonNode> nextEvent(BlockingQueue<String> lines) throws Exception {
        String name = "message";
        StringBuilder data = new StringBuilder();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(line).as("an event within " + WAIT).isNotNull();
            if (line.isEmpty()) {
                if (data.length() > 0) {
                    return Map.entry(name, mapper.readTree(data.toString()));
                }
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).trim());
            }
        }
    }

    private HttpResponse<String> get(HttpApi api, String path, String token) throws Exception {
        return http.send(request(api, path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(HttpApi api, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
                .timeout(Duration.ofSeconds(30));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }
}
