package io.seqstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.sidecar.ModelAnnouncements;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Inspects the model store; without a subcommand, lists every stored version and marks the active one, as the
 * models topic announces it, when the cluster is reachable.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List stored models with their versions, marking the active one (from the models topic).",
                "Subcommands list, show and verify inspect the store only."},
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.ShowModel.class, ModelsCommand.VerifyModel.class})
final class ModelsCommand implements Callable<Integer> {
    /** How long `models` waits for the cluster before listing without the active versions. */
    static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--store", paramLabel = "DIR", defaultValue = "./models", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Model store directory (default: ${DEFAULT-VALUE})")
    Path store;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file of settings (see README)")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster whose models topic says which versions are active (setting bootstrap.servers)")
    String bootstrapServers;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any setting, e.g. -D topic.models=models")
    Map<String, String> settings = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    ModelStore store() {
        return ModelStore.local(store);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            overrides.put(Setting.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        }
        overrides.putIfAbsent(SeqstreamConfig.KAFKA_PREFIX + "default.api.timeout.ms",
                Long.toString(TOPIC_TIMEOUT.toMillis()));
        overrides.putIfAbsent(SeqstreamConfig.KAFKA_PREFIX + "request.timeout.ms",
                Long.toString(TOPIC_TIMEOUT.toMillis()));
        SeqstreamConfig config = SeqstreamConfig.load(configFile, System.getenv(), overrides);
        PrintWriter out = spec.commandLine().getOut();
        ModelStore models = store();
        List<String> names = models.names();
        if (names.isEmpty()) {
            out.println("No models in " + store + ". Train one with `seqstream train`.");
            return 0;
        }
        ModelAnnouncements announcements = Clients.announcements(config, new SimpleMeterRegistry());
        String unknown = null;
        out.printf("%-24s %-8s %-20s %-8s%n", "MODEL", "VERSION", "CREATED", "ACTIVE");
        for (String name : names) {
            Optional<ModelAnnouncement> active = Optional.empty();
            if (unknown == null) {
                try {
                    active = announcements.latest(name);
                } catch (KafkaException e) {
                    unknown = e.getMessage();
                }
            }
            for (ModelManifest m : models.manifests(name)) {
                boolean isActive = active.isPresent() && active.get().getVersion().equals(m.version());
                out.printf(Locale.ROOT, "%-24s %-8s %-20s %-8s%n", name, m.version(),
                        m.createdAt() == null ? "?" : m.createdAt().toString().substring(0, 19),
                        isActive ? "* (" + active.get().getAction() + ")" : "");
            }
        }
        if (unknown != null) {
            out.println("Active versions unknown: the models topic " + announcements.topic() + " could not be read ("
                    + unknown + ")");
        }
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every version of every model.")
    static final class ListModels implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ModelStore store = parent.store();
            List<String> names = store.names();
            if (names.isEmpty()) {
                out.println("No models in " + store.uri() + ". Train one with `seqstream train`.");
                return 0;
            }
            out.printf("%-24s %-8s %-20s %-28s %10s %10s%n", "MODEL", "VERSION", "CREATED", "ARCHITECTURE",
                    "VAL LOSS", "PERPLEXITY");
            for (String name : names) {
                for (ModelManifest m : store.manifests(name)) {
                    ModelManifest.Architecture a = m.architecture();
                    out.printf(Locale.ROOT, "%-24s %-8s %-20s %-28s %10s %10s%n", name, m.version(),
                            m.createdAt() == null ? "?" : m.createdAt().toString().substring(0, 19),
                            a.cell() + " V" + a.vocabSize() + " E" + a.embedding() + " H" + a.hidden() + "x" + a.layers(),
                            metric(m, "validation_loss"), metric(m, "validation_perplexity"));
                }
            }
            return 0;
        }

        private static String metric(ModelManifest m, String name) {
            Double v = m.metrics().get(name);
            return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
        }
    }

    /** A subcommand about one model version. */
    abstract static class OneVersion implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME[@VERSION]", description = "Model, latest version if none is given")
        String model;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a version's manifest.")
    static final class ShowModel extends OneVersion {
        @Override
        public Integer call() throws ModelException {
            ModelManifest manifest = parent.store().manifest(ModelRef.parse(model));
            spec.commandLine().getOut().println(ModelStore.toJson(manifest));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check every file's checksum and that the network loads and fits its vocabulary.")
    static final class VerifyModel extends OneVersion {
        @Override
        public Integer call() throws ModelException {
            try (var loaded = parent.store().load(ModelRef.parse(model))) {
                spec.commandLine().getOut().println("OK " + loaded.label() + ": " + loaded.manifest().files().size()
                        + " files verified, network " + loaded.manifest().architecture());
            }
            return 0;
        }
    }
}
