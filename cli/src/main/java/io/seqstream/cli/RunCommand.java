package io.seqstream.cli;

import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.http.HttpApi;
import io.seqstream.app.config.Setting;
import io.seqstream.app.metrics.SeqstreamMetrics;
import io.seqstream.app.model.ServedModels;
import io.seqstream.app.topology.Topics;
import io.seqstream.model.ModelStore;
import io.seqstream.sidecar.Sidecar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the scoring application against a Kafka cluster until stopped. It serves the configured model from the
 * store, or, with {@code model.dir}, the version a sidecar activated there, swapping in every version the sidecar
 * activates later; with {@code --follow} it runs the sidecar's loop itself.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Score the events topic of a Kafka cluster until stopped (Ctrl-C or SIGTERM).")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** How long {@code run} waits for a sidecar to activate a first version in {@code model.dir}. */
    static final Duration SIDECAR_WAIT = Duration.ofSeconds(60);

    @Mixin
    ConfigOptions options;

    @Option(names = "--create-topics", paramLabel = "PARTITIONS",
            description = "Create missing topics with this many partitions (default: expect them to exist)")
    Integer createTopics;

    @Option(names = "--follow", description = "Follow the models topic in-process (no sidecar): verify and swap in"
            + " every announced version while the stream runs (setting model.follow)")
    boolean follow;

    @Override
    public Integer call() throws Exception {
        SeqstreamConfig config = options.resolve(follow ? Map.of(Setting.MODEL_FOLLOW.key(), "true") : Map.of());
        boolean following = config.bool(Setting.MODEL_FOLLOW);
        if (createTopics != null) {
            TopicAdmin.ensureTopics(config.string(Setting.BOOTSTRAP_SERVERS), config.kafkaOverrides(),
                    Topics.from(config).names(), createTopics);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new OneTagSetPerName());
        ModelStore store = Clients.store(config);
        AutoCloseable jvmMetrics = SeqstreamMetrics.bindJvmMetrics(registry);
        Path dir = config.modelDir();
        if (following && dir == null) {
            dir = Path.of(".seqstream", "served").toAbsolutePath();
        }
        List<AutoCloseable> opened = new ArrayList<>(List.of(jvmMetrics));
        try {
            if (following) {
                Sidecar sidecar = Sidecar.start(Clients.kafka(config), config.string(Setting.MODELS_TOPIC),
                        config.modelRef().name(), store, dir, config.integer(Setting.SIDECAR_KEEP_VERSIONS), registry);
                opened.add(sidecar);
                sidecar.awaitCaughtUp(SIDECAR_WAIT);
            }
            ServedModels models = ServedModels.open(config, store, dir, following ? Duration.ZERO : SIDECAR_WAIT);
            opened.add(0, models);
            ScoringApp app = ScoringApp.start(config, models.served(), models.shadow(), registry);
            opened.add(0, app);
            models.startWatching(new SeqstreamMetrics(registry),
                    Duration.ofMillis(config.longValue(Setting.MODEL_WATCH_MS)));
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(app.streams());
            streamsMetrics.bindTo(registry);
            opened.add(0, streamsMetrics);
            Runtime.getRuntime().addShutdownHook(new Thread(app::close, "seqstream-shutdown"));
            try (HttpApi api = config.integer(Setting.HTTP_PORT) > 0
                    ? HttpApi.start(config, app, registry, httpRoutes(config, app, registry)) : null) {
                app.awaitTermination();
            }
            return app.fatalError() == null ? 0 : 1;
        } finally {
            for (AutoCloseable resource : opened) {
                try {
                    resource.close();
                } catch (Exception e) {
                    log.warn("Closing {} failed: {}", resource, e.toString());
                }
            }
        }
    }

    /** Routes served beside the HTTP API's own (health, metrics, keys), by path prefix. */
    private static Map<String, HttpHandler> httpRoutes(SeqstreamConfig config, ScoringApp app,
                                                       PrometheusMeterRegistry registry) {
        return Map.of();
    }
}
