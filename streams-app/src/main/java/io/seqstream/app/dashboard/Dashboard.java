package io.seqstream.app.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.model.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: a page at {@code /} (HTML, JavaScript and CSS from this jar, uPlot from its webjar; nothing
 * from the network) that watches the scores of every instance through a {@link ScoreFeed}. It only supplies
 * handlers; the application's HTTP server mounts {@link #routes()} (and applies its authentication to them).
 *
 * <ul>
 *   <li>{@code /}: the page;
 *   <li>{@code /dashboard/assets/...}: its scripts and styles;
 *   <li>{@code /dashboard/events}: the feed as server-sent events ({@link EventStream});
 *   <li>{@code /dashboard/model}: the active model version with its training metrics, as JSON.
 * </ul>
 */
public final class Dashboard implements AutoCloseable {
    /**
     * The routes that carry no data (the page and its static assets). A browser cannot send a bearer token when it
     * navigates to a page, so with {@code http.auth=bearer} an HTTP server should serve these without
     * authentication; the page then sends the token on its own requests ({@code /dashboard/events},
     * {@code /dashboard/model}, {@code /keys/{key}}). The {@code /} handler answers only {@code /} and
     * {@code /index.html} (404 otherwise).
     */
    public static final Set<String> PUBLIC_ROUTES = Set.of("/", "/dashboard/assets/");
    /** Recent scores the feed keeps for a browser that connects. */
    public static final int RECENT_SCORES = 600;
    /** How long {@link #start} waits for the feed's partitions before it serves anyway. */
    static final Duration FEED_ASSIGNMENT_WAIT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    static final String ASSETS = "/dashboard/assets/";
    private static final String PAGE_RESOURCES = "/dashboard/";
    private static final String UPLOT_VERSION = "1.6.30";
    private static final String UPLOT_RESOURCES = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final Map<String, String> ASSET_FILES = Map.of(
            "app.js", PAGE_RESOURCES + "app.js",
            "app.css", PAGE_RESOURCES + "app.css",
            "uPlot.iife.min.js", UPLOT_RESOURCES + "uPlot.iife.min.js",
            "uPlot.min.css", UPLOT_RESOURCES + "uPlot.min.css");

    private final ScoreFeed feed;
    private final boolean ownsFeed;
    private final Supplier<ModelManifest> model;
    private final ObjectMapper mapper = new ObjectMapper();
    private final EventStream events;

    /**
     * A dashboard over {@code feed}.
     *
     * @param model the manifest of the version served now (read at every request, so swaps show)
     * @param ownsFeed whether {@link #close()} closes the feed too
     */
    public Dashboard(ScoreFeed feed, Supplier<ModelManifest> model, boolean ownsFeed) {
        this.feed = feed;
        this.ownsFeed = ownsFeed;
        this.model = model;
        this.events = new EventStream(feed, mapper);
    }

    /**
     * Starts a dashboard with a feed of its own on {@code scoresTopic}, showing the active version of
     * {@code served}.
     *
     * @param kafka Kafka client properties, as {@link ScoreFeed#start} takes them
     */
    public static Dashboard start(Map<String, ?> kafka, String scoresTopic, ActiveModel served) {
        ScoreFeed feed = ScoreFeed.start(kafka, scoresTopic, RECENT_SCORES);
        try {
            // Fix the feed's starting offsets before the application reports ready, so that a browser opened
            // once it is ready sees every score from then on.
            if (!feed.awaitAssigned(FEED_ASSIGNMENT_WAIT)) {
                log.warn("The dashboard's feed of {} has no partitions after {} s; it goes on trying", scoresTopic,
                        FEED_ASSIGNMENT_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Dashboard(feed, () -> served.current().model().manifest(), true);
    }

    /** Path (a context of the JDK's HTTP server, so a prefix) to handler. */
    public Map<String, HttpHandler> routes() {
        Map<String, HttpHandler> routes = new LinkedHashMap<>();
        routes.put("/", this::page);
        routes.put(ASSETS, this::asset);
        routes.put("/dashboard/events", events);
        routes.put("/dashboard/model", this::model);
        return routes;
    }

    public ScoreFeed feed() {
        return feed;
    }

    /** Browsers following the event stream now. */
    public int clients() {
        return events.clients();
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            sendJson(exchange, 404, Map.of("error", "not found", "path", path), mapper);
            return;
        }
        sendResource(exchange, PAGE_RESOURCES + "index.html");
    }

    private void asset(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring(ASSETS.length());
        String resource = ASSET_FILES.get(name);
        if (resource == null) {
            sendJson(exchange, 404, Map.of("error", "no such dashboard asset", "path",
                    exchange.getRequestURI().getPath()), mapper);
            return;
        }
        sendResource(exchange, resource);
    }

    private void model(HttpExchange exchange) throws IOException {
        ModelManifest m = model.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("label", m.label());
        body.put("name", m.name());
        body.put("version", m.version());
        body.put("createdAt", m.createdAt() == null ? null : m.createdAt().toString());
        body.put("parentVersion", m.parentVersion());
        body.put("architecture", m.architecture());
        body.put("vocabulary", m.vocabulary());
        body.put("trainingData", m.trainingData());
        body.put("metrics", m.metrics());
        body.put("libraries", m.libraries());
        sendJson(exchange, 200, body, mapper);
    }

    private void sendResource(HttpExchange exchange, String resource) throws IOException {
        byte[] body;
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("dashboard resource " + resource + " is missing from the classpath");
            }
            body = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("Content-Type", contentType(resource));
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        send(exchange, 200, body);
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "application/octet-stream";
    }

    static void sendJson(HttpExchange exchange, int status, Object body, ObjectMapper mapper) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, mapper.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }

    /** Disconnects every browser and, when it owns it, stops the feed. */
    @Override
    public void close() {
        events.close();
        if (ownsFeed) {
            feed.close();
        }
    }
}
