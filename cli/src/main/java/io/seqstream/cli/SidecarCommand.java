package io.seqstream.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seqstream.app.Readiness;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.http.HttpApi;
import io.seqstream.app.http.HttpAuth;
import io.seqstream.app.config.Setting;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.sidecar.Sidecar;
import io.seqstream.sidecar.SidecarStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the sidecar: follows the models topic and keeps the served-models directory on the active version. */
@Command(name = "sidecar", mixinStandardHelpOptions = true,
        description = {"Follow the models topic (topic.models) for one model and keep the served-models directory"
                + " (model.dir) on the announced version: download it from model.store, verify every checksum and"
                + " the manifest's SHA-256, load it, run the probe, then replace the `current` pointer. Runs until"
                + " Ctrl-C or SIGTERM.",
                "A refused version is logged, counted and shown by `seqstream sidecar status`; the active version"
                        + " stays."},
        subcommands = SidecarCommand.Status.class)
final class SidecarCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;
    @Option(names = "--dir", paramLabel = "DIR", description = "Served-models directory (setting model.dir)")
    Path dir;
    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "Serve /metrics, /health/live and /health/ready on this port (with http.auth, as the"
                    + " application's HTTP API); 0 = off (default; the application beside it usually holds"
                    + " http.port)")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        SeqstreamConfig config = options.resolve(Map.of());
        if (dir != null) {
            config = config.with(Setting.MODEL_DIR, dir);
        }
        String name = config.modelRef().name();
        Path served = requireDir(config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new OneTagSetPerName());
        ModelAnnouncements announcements = Clients.announcements(config, registry);
        try {
            announcements.ensureTopic();
        } catch (KafkaException e) {
            LoggerFactory.getLogger(SidecarCommand.class).warn("Could not create {}: {}", announcements.topic(),
                    e.getMessage());
        }
        Sidecar sidecar = Sidecar.start(Clients.kafka(config), announcements.topic(), name, Clients.store(config),
                served, config.integer(Setting.SIDECAR_KEEP_VERSIONS), registry);
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "seqstream-sidecar-shutdown"));
        try (HttpApi endpoint = metricsPort > 0 ? HttpApi.builder().port(metricsPort).auth(HttpAuth.from(config))
                .liveness(sidecar::isRunning).readiness(() -> sidecar.isRunning() ? Readiness.ready("following")
                        : Readiness.notReady("stopped")).metrics(registry).start() : null) {
            while (!sidecar.awaitTermination(Duration.ofSeconds(1))) {
                // until closed by the shutdown hook, or failed
            }
        }
        return sidecar.failure() == null ? 0 : 1;
    }

    static Path requireDir(SeqstreamConfig config) {
        String dir = config.string(Setting.MODEL_DIR);
        if (dir.isEmpty()) {
            throw new IllegalArgumentException("No served-models directory: set model.dir (or --dir DIR)");
        }
        return Path.of(dir);
    }

    /** Prints what the sidecar last did. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print the sidecar's status file: the active version, the last announcement seen, the"
                    + " versions kept and recent rejections with their reasons. Exit 1 when there is none.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @Option(names = "--dir", paramLabel = "DIR", description = "Served-models directory (setting model.dir)")
        Path dir;
        @Option(names = "--json", description = "Print the status file as it is")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            SeqstreamConfig config = options.resolve(Map.of());
            if (dir != null) {
                config = config.with(Setting.MODEL_DIR, dir);
            }
            String name = config.modelRef().name();
            Path served = requireDir(config);
            Optional<SidecarStatus> status = SidecarStatus.read(served, name);
            if (status.isEmpty()) {
                throw new IllegalStateException("No sidecar status for " + name + " in " + served
                        + " (has `seqstream sidecar` run there?)");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(status.get().toJson());
            } else {
                print(status.get(), out);
            }
            return 0;
        }

        private static void print(SidecarStatus s, PrintWriter out) {
            out.println("Model:             " + s.model());
            out.println("Active version:    " + (s.activeVersion() == null ? "none"
                    : s.activeVersion() + " (manifest " + s.activeManifestSha256() + ", since " + s.activatedAt() + ")"));
            SidecarStatus.Seen seen = s.lastAnnouncement();
            out.println("Last announcement: " + (seen == null ? "none" : seen.version() + " (" + seen.action()
                    + ", offset " + seen.offset() + ", seen " + seen.seenAt() + ")"));
            out.println("Kept versions:     " + (s.kept().isEmpty() ? "none" : String.join(", ", s.kept())));
            if (s.rejections().isEmpty()) {
                out.println("Rejections:        none");
            } else {
                out.println("Rejections (oldest first):");
                for (SidecarStatus.Rejection r : s.rejections()) {
                    out.println("  " + r.at() + "  version " + r.version() + "  " + r.reason() + ": " + r.message());
                }
            }
        }
    }
}
