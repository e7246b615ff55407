package io.seqstream.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.model.ActiveModel;
import io.seqstream.app.topology.ScoringTopology;
import io.seqstream.engine.KeyState;
import io.seqstream.engine.StateMigrator.ModelIdentity;
import io.seqstream.model.Vocabulary;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code GET /keys/{key}}: finds the instance that hosts the key through Kafka Streams' key metadata on the
 * sequence-state store, reads the key's state there if that is this instance, and otherwise forwards the request
 * over HTTP to the host's {@code application.server} ({@code http.advertised-address}), passing the caller's
 * {@code Authorization} header on.
 *
 * <p>Answers: 200 with a {@link KeySummary}; 404 {@code {"error":..,"key":..}} when no instance holds the key;
 * 503 {@code {"error":..,"key":..}} while the key's host is unknown or its store is not queryable (a rebalance, a
 * restore); 502 when the hosting instance cannot be reached. Thread-safe.
 */
public final class KeyQueries implements KeyLookup {
    private static final Logger log = LoggerFactory.getLogger(KeyQueries.class);
    /** Set on a forwarded request: its receiver answers from its own store and never forwards it again. */
    public static final String FORWARDED_HEADER = "X-Seqstream-Forwarded";
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaStreams streams;
    private final String store;
    private final HostInfo self;
    private final Function<String, Optional<Vocabulary>> vocabularies;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param store the queried store (key: sequence id, value: {@link KeyState})
     * @param self this instance's {@code application.server}, or null when it has none (then only local keys are
     *             found)
     * @param vocabularies the vocabulary of a model version label, to turn top-k ids into tokens
     */
    public KeyQueries(KafkaStreams streams, String store, HostInfo self,
                      Function<String, Optional<Vocabulary>> vocabularies, HttpClient http) {
        this.streams = streams;
        this.store = store;
        this.self = self;
        this.vocabularies = vocabularies;
        this.http = http;
    }

    /** Queries of the served model's sequence-state store of {@code app}. */
    public static KeyQueries of(ScoringApp app, SeqstreamConfig config) {
        ActiveModel models = app.models();
        HostInfo self = config.httpAdvertisedAddress().map(HostInfo::buildFromEndpoint).orElse(null);
        return new KeyQueries(app.streams(), ScoringTopology.STATE_STORE, self,
                label -> models.identity(label).map(ModelIdentity::vocabulary),
                HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build());
    }

    @Override
    public Answer query(String key, String authorization, boolean forwarded) {
        if (self == null) {
            return local(key, allLocalPartitions());
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (IllegalStateException | InvalidStateStoreException e) {
            return error(503, "kafka streams is not running: " + e.getMessage(), key);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return error(503, "the key's host is not known yet (rebalancing); retry", key);
        }
        HostInfo host = metadata.activeHost();
        if (host.equals(self)) {
            return local(key, StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<String, KeyState>keyValueStore()).withPartition(metadata.partition()));
        }
        if (forwarded) {
            return error(503, "forwarded here, but the key's host is " + host.host() + ":" + host.port()
                    + " (rebalancing); retry", key);
        }
        return forward(key, host, authorization);
    }

    private StoreQueryParameters<ReadOnlyKeyValueStore<String, KeyState>> allLocalPartitions() {
        return StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore());
    }

    private Answer local(String key, StoreQueryParameters<ReadOnlyKeyValueStore<String, KeyState>> parameters) {
        KeyState state;
        try {
            state = streams.store(parameters).get(key);
        } catch (InvalidStateStoreException e) {
            return error(503, "the key's state is not queryable now (" + e.getMessage() + "); retry", key);
        }
        if (state == null) {
            return error(404, "no state for this key", key);
        }
        return new Answer(200, write(summarize(key, state)));
    }

    /** The summary of one key's state. */
    KeySummary summarize(String key, KeyState state) {
        List<String> top = new ArrayList<>();
        int[] ids = state.lastTopTokens();
        Optional<Vocabulary> vocabulary = ids.length == 0 ? Optional.empty() : vocabularies.apply(state.model());
        vocabulary.ifPresent(v -> {
            for (int id : ids) {
                top.add(v.token(id));
            }
        });
        return new KeySummary(key, state.model(), state.tokens(), state.meanSurprisal(), state.lastSurprisal(),
                state.surprisalMax(), state.anomalies(), top, Instant.ofEpochMilli(state.firstEventTime()).toString(),
                Instant.ofEpochMilli(state.lastEventTime()).toString(),
                self == null ? "" : self.host() + ":" + self.port());
    }

    private Answer forward(String key, HostInfo host, String authorization) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + HttpApi.KEYS
                + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT).GET()
                .header(FORWARDED_HEADER, self.host() + ":" + self.port());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            log.debug("Forwarding /keys/{} to {} failed", key, uri, e);
            return error(502, "the key's host " + host.host() + ":" + host.port() + " did not answer: " + e, key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "interrupted while asking " + host.host() + ":" + host.port(), key);
        }
    }

    private Answer error(int status, String message, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("key", key);
        return new Answer(status, write(body));
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot render " + value + " as JSON", e);
        }
    }
}
