package io.seqstream.cli;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.ScoringApp;
import io.seqstream.app.TopicAdmin;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.app.topology.Topics;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelStore;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the scoring application against a Kafka cluster until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Score the events topic of a Kafka cluster until stopped (Ctrl-C or SIGTERM).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--create-topics", paramLabel = "PARTITIONS",
            description = "Create missing topics with this many partitions (default: expect them to exist)")
    Integer createTopics;

    @Override
    public Integer call() throws Exception {
        SeqstreamConfig config = options.resolve(Map.of());
        if (createTopics != null) {
            TopicAdmin.ensureTopics(config.string(Setting.BOOTSTRAP_SERVERS), config.kafkaOverrides(),
                    Topics.from(config).names(), createTopics);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (LoadedModel model = ModelStore.local(config.modelStore()).load(config.modelRef());
             ScoringApp app = ScoringApp.start(config, model, registry);
             KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(app.streams())) {
            streamsMetrics.bindTo(registry);
            Thread hook = new Thread(app::close, "seqstream-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            int port = config.integer(Setting.METRICS_PORT);
            try (MetricsEndpoint endpoint = port > 0 ? MetricsEndpoint.start(port, registry, app::isHealthy) : null) {
                app.awaitTermination();
            }
            return app.fatalError() == null ? 0 : 1;
        }
    }
}
