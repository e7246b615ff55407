package io.seqstream.cli;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command that talks to Kafka shares; resolved into a {@link SeqstreamConfig}. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties file of settings (see README)")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster to use (setting bootstrap.servers)")
    String bootstrapServers;

    @Option(names = "--model", paramLabel = "NAME[@VERSION]", description = "Model to serve (default: latest version)")
    String model;

    @Option(names = "--store", paramLabel = "DIR", description = "Model store directory (setting model.store)")
    Path store;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. -D score.top-g=5 or -D kafka.security.protocol=SSL")
    Map<String, String> settings = new LinkedHashMap<>();

    SeqstreamConfig resolve(Map<String, String> defaults) throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>(defaults);
        overrides.putAll(settings);
        if (bootstrapServers != null) {
            overrides.put(Setting.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        }
        if (store != null) {
            overrides.put(Setting.MODEL_STORE.key(), store.toString());
        }
        if (model != null) {
            int at = model.indexOf('@');
            overrides.put(Setting.MODEL_NAME.key(), at < 0 ? model : model.substring(0, at));
            overrides.put(Setting.MODEL_VERSION.key(), at < 0 ? "" : model.substring(at + 1));
        }
        return SeqstreamConfig.load(configFile, System.getenv(), overrides);
    }
}
