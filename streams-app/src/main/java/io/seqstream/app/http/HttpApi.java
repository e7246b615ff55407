package io.seqstream.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.Readiness;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's HTTP API (JDK {@link HttpServer}):
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"live":true}} while the process can still do its work, else 503
 *       {@code {"live":false}}; never authenticated (a liveness probe carries no credentials).</li>
 *   <li>{@code GET /health/ready}: 200 or 503 with {@code {"ready":..,"reason":..}}.</li>
 *   <li>{@code GET /metrics}: Prometheus text.</li>
 *   <li>{@code GET /keys/{key}} (the key URL-encoded): a key's state summary, see {@link KeyQueries}.</li>
 *   <li>Extra routes given to the builder, by path prefix (e.g. the dashboard at {@code /}).</li>
 * </ul>
 * Everything but {@code /health/live} requires the configured {@link HttpAuth}: a missing or wrong credential is
 * answered 401 with {@code WWW-Authenticate} and {@code {"error":"unauthorized"}}. Requests are handled on a pool
 * of daemon threads, so a long-lived answer (a server-sent event stream) does not block the others.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String METRICS = "/metrics";
    /** Prefix of the per-key queries: {@code /keys/{key}}. */
    public static final String KEYS = "/keys/";
    static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpApi(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The API of a running scoring application on {@code http.port}, with {@code http.auth}, its readiness and
     * liveness, {@code registry}'s metrics, per-key queries of its served model's state, and {@code routes}.
     */
    public static HttpApi start(SeqstreamConfig config, ScoringApp app, PrometheusMeterRegistry registry,
                                Map<String, HttpHandler> routes) throws IOException {
        return builder().port(config.integer(Setting.HTTP_PORT)).auth(HttpAuth.from(config))
                .liveness(app::isLive).readiness(app::readiness).metrics(registry)
                .keys(KeyQueries.of(app, config)).routes(routes).start();
    }

    /** The port it listens on (the one bound when port 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Builds and starts an {@link HttpApi}; only the port is required, every part left out is not served. */
    public static final class Builder {
        private int port;
        private HttpAuth auth = HttpAuth.none();
        private BooleanSupplier liveness = () -> true;
        private Supplier<Readiness> readiness;
        private PrometheusMeterRegistry metrics;
        private KeyLookup keys;
        private final Map<String, HttpHandler> routes = new LinkedHashMap<>();

        private Builder() {
        }

        /** 0 picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder auth(HttpAuth auth) {
            this.auth = Objects.requireNonNull(auth);
            return this;
        }

        /** What {@code /health/live} answers; always live if not set. */
        public Builder liveness(BooleanSupplier liveness) {
            this.liveness = Objects.requireNonNull(liveness);
            return this;
        }

        public Builder readiness(Supplier<Readiness> readiness) {
            this.readiness = readiness;
            return this;
        }

        public Builder metrics(PrometheusMeterRegistry metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder keys(KeyLookup keys) {
            this.keys = keys;
            return this;
        }

        /** Extra handlers by path prefix (as {@link HttpServer#createContext}), behind the same authentication. */
        public Builder routes(Map<String, HttpHandler> routes) {
            this.routes.putAll(routes);
            return this;
        }

        public HttpApi start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext(LIVE, getOnly(exchange -> {
                boolean live = liveness.getAsBoolean();
                sendJson(exchange, live ? 200 : 503, Map.of("live", live));
            }));
            if (readiness != null) {
                // Open like liveness, because a kubelet's probe cannot carry a secret; without credentials it
                // answers only the status, the reason (model version, Kafka Streams state) needs them.
                server.createContext(READY, getOnly(exchange -> {
                    Readiness now = readiness.get();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("ready", now.ready());
                    if (!auth.required() || auth.permits(exchange.getRequestHeaders().getFirst("Authorization"))) {
                        body.put("reason", now.reason());
                    }
                    sendJson(exchange, now.ready() ? 200 : 503, body);
                }));
            }
            if (metrics != null) {
                server.createContext(METRICS, protect(getOnly(exchange ->
                        send(exchange, 200, PROMETHEUS, metrics.scrape().getBytes(StandardCharsets.UTF_8)))));
            }
            if (keys != null) {
                server.createContext(KEYS, protect(getOnly(this::key)));
            }
            routes.forEach((path, handler) -> server.createContext(path, protect(handler)));
            AtomicInteger threads = new AtomicInteger();
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "seqstream-http-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.start();
            log.info("HTTP API on port {} (auth: {}): {}", server.getAddress().getPort(), auth.scheme(),
                    paths());
            return new HttpApi(server, executor);
        }

        private String paths() {
            StringBuilder out = new StringBuilder(LIVE);
            if (readiness != null) {
                out.append(", ").append(READY);
            }
            if (metrics != null) {
                out.append(", ").append(METRICS);
            }
            if (keys != null) {
                out.append(", ").append(KEYS).append("{key}");
            }
            routes.keySet().forEach(path -> out.append(", ").append(path));
            return out.toString();
        }

        private void key(HttpExchange exchange) throws IOException {
            // getPath() decodes %XX (and leaves '+' alone, as a path should).
            String key = exchange.getRequestURI().getPath().substring(KEYS.length());
            if (key.isEmpty()) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", "no key: ask for /keys/{key}");
                body.put("key", key);
                sendJson(exchange, 400, body);
                return;
            }
            String forwardedBy = exchange.getRequestHeaders().getFirst(KeyQueries.FORWARDED_HEADER);
            KeyLookup.Answer answer = keys.query(key, exchange.getRequestHeaders().getFirst("Authorization"),
                    forwardedBy != null);
            send(exchange, answer.status(), JSON, answer.body());
        }

        private HttpHandler protect(HttpHandler handler) {
            if (!auth.required()) {
                return handler;
            }
            return exchange -> {
                if (auth.permits(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    handler.handle(exchange);
                } else {
                    exchange.getResponseHeaders().set("WWW-Authenticate", auth.challenge());
                    sendJson(exchange, 401, Map.of("error", "unauthorized"));
                }
            };
        }
    }

    /** Answers 405 to anything but GET and HEAD. */
    private static HttpHandler getOnly(HttpHandler handler) {
        return exchange -> {
            String method = exchange.getRequestMethod();
            if (method.equals("GET") || method.equals("HEAD")) {
                handler.handle(exchange);
            } else {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                sendJson(exchange, 405, Map.of("error", "method " + method + " not allowed"));
            }
        };
    }

    /** Sends {@code body} rendered as JSON and closes the exchange. */
    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, JSON, MAPPER.writeValueAsBytes(body));
    }

    /** Sends {@code body} with a content type and closes the exchange (no body for HEAD). */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
