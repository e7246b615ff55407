package io.seqstream.app.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /dashboard/events}: the score feed as server-sent events, a long-lived chunked response per browser.
 * The first event, {@code hello}, carries the feed's snapshot (recent scores, per-second counts, totals); then
 * {@code scores} (an array, one per poll of the feed) and {@code second} (the counts of a finished second) as they
 * happen, and a comment every {@link #KEEPALIVE} so that proxies keep the connection and a vanished browser is
 * noticed.
 *
 * <p>Each browser has a thread of its own that writes, fed through a bounded queue: the feed only ever offers to
 * it. A browser that falls {@link #QUEUE} events behind is disconnected (its {@code EventSource} or fetch loop
 * reconnects and starts again from a fresh snapshot), so a slow or stalled client never holds up the feed or the
 * others. The handler returns at once, so it holds no thread of the HTTP server either.
 */
final class EventStream implements HttpHandler, AutoCloseable {
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    /** Events a browser may fall behind before it is disconnected. */
    static final int QUEUE = 512;
    /** Browsers served at once; one more gets a 503. */
    static final int MAX_CLIENTS = 32;

    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final Object END = new Object();

    private final ScoreFeed feed;
    private final ObjectMapper mapper;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService writers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "seqstream-dashboard-sse-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    EventStream(ScoreFeed feed, ObjectMapper mapper) {
        this.feed = feed;
        this.mapper = mapper;
    }

    /** Browsers connected now. */
    int clients() {
        return clients.size();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            Dashboard.sendJson(exchange, 405, Map.of("error", "method not allowed", "allowed", "GET"), mapper);
            return;
        }
        if (clients.size() >= MAX_CLIENTS) {
            Dashboard.sendJson(exchange, 503, Map.of("error", "too many dashboard clients", "limit", MAX_CLIENTS),
                    mapper);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0); // chunked, until either side closes
        Client client = new Client(exchange);
        clients.add(client);
        ScoreFeed.Snapshot snapshot = feed.subscribe(client);
        try {
            writers.execute(() -> client.pump(snapshot));
        } catch (RejectedExecutionException e) {
            client.finish(); // closing
        }
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.end();
        }
        writers.shutdown();
        try {
            if (!writers.awaitTermination(5, TimeUnit.SECONDS)) {
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writers.shutdownNow();
        }
    }

    /** One browser: the queue the feed offers to, drained by a writer thread. */
    private final class Client implements ScoreFeed.Listener {
        private final HttpExchange exchange;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE + 1);

        Client(HttpExchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void onScores(List<FeedScore> scores) {
            offer(scores);
        }

        @Override
        public void onSecond(ScoreFeed.SecondCount second) {
            offer(second);
        }

        private void offer(Object event) {
            if (queue.remainingCapacity() <= 1 || !queue.offer(event)) {
                log.info("Dashboard client {} fell {} events behind; disconnecting it", exchange.getRemoteAddress(),
                        QUEUE);
                end();
            }
        }

        /** Asks the writer to stop; never blocks (one slot is always kept for this). */
        void end() {
            feed.unsubscribe(this);
            queue.clear();
            queue.offer(END);
        }

        void pump(ScoreFeed.Snapshot snapshot) {
            try (OutputStream out = exchange.getResponseBody()) {
                Map<String, Object> hello = new LinkedHashMap<>();
                hello.put("topic", feed.topic());
                hello.put("total", snapshot.total());
                hello.put("anomalies", snapshot.anomalies());
                hello.put("recent", snapshot.recent());
                hello.put("history", snapshot.history());
                write(out, "hello", hello);
                while (true) {
                    Object event = queue.poll(KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
                    if (event == END) {
                        break;
                    }
                    if (event == null) {
                        out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } else {
                        write(out, event instanceof ScoreFeed.SecondCount ? "second" : "scores", event);
                    }
                }
            } catch (IOException e) {
                log.debug("Dashboard client {} went away: {}", exchange.getRemoteAddress(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                finish();
            }
        }

        void finish() {
            feed.unsubscribe(this);
            clients.remove(this);
            exchange.close();
        }

        private void write(OutputStream out, String name, Object data) throws IOException {
            byte[] json;
            try {
                json = mapper.writeValueAsBytes(data);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("dashboard event not serialisable", e);
            }
            out.write(("event: " + name + "\ndata: ").getBytes(StandardCharsets.UTF_8));
            out.write(json); // JSON without pretty-printing has no raw newlines
            out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
