package io.seqstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.sidecar.ModelAnnouncements;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Announces an earlier version as the active one again. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Announce an earlier version of a model as the active one (no gate).",
                "Without VERSION: the version that was active before the current one, from the announcements still"
                        + " on the models topic (compaction keeps them at least 7 days), else the newest stored"
                        + " version older than the current one."})
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name")
    String name;
    @Parameters(index = "1", paramLabel = "VERSION", arity = "0..1", description = "Version to make active")
    String version;

    @Override
    public Integer call() throws Exception {
        SeqstreamConfig config = options.resolve(Map.of());
        ModelStore store = Clients.store(config);
        ModelAnnouncements announcements = Clients.announcements(config, new SimpleMeterRegistry());
        announcements.ensureTopic();
        List<ModelAnnouncement> history = announcements.history(name);
        if (history.isEmpty()) {
            throw new IllegalStateException("No version of " + name + " is announced on " + announcements.topic()
                    + ": nothing to roll back (use `seqstream publish`)");
        }
        String current = history.get(history.size() - 1).getVersion();
        String target = version != null ? version : previous(history, current)
                .or(() -> olderStored(store, current))
                .orElseThrow(() -> new IllegalStateException("No version of " + name + " before " + current
                        + " to roll back to"));
        if (target.equals(current)) {
            throw new IllegalStateException(name + "@" + target + " is already the active version");
        }
        ModelRef ref = ModelRef.of(name, target);
        store.verify(ref);
        announcements.announce(ModelAnnouncements.of(store, ref, ModelAnnouncements.ROLLBACK, false, null));
        spec.commandLine().getOut().println("Rolled " + name + " back from version " + current + " to " + target
                + " on " + announcements.topic() + ".");
        return 0;
    }

    /** The newest announced version other than the current one. */
    static Optional<String> previous(List<ModelAnnouncement> history, String current) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (!history.get(i).getVersion().equals(current)) {
                return Optional.of(history.get(i).getVersion());
            }
        }
        return Optional.empty();
    }

    /** The newest stored version numbered below the current one. */
    private Optional<String> olderStored(ModelStore store, String current) {
        try {
            long currentNumber = Long.parseLong(current);
            return store.versions(name).stream().filter(v -> Long.parseLong(v) < currentNumber).reduce((a, b) -> b);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
