package io.seqstream.cli;

import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Inspects the model store. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List, show and verify stored models.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.ShowModel.class, ModelsCommand.VerifyModel.class})
final class ModelsCommand {
    @Option(names = "--store", paramLabel = "DIR", defaultValue = "./models", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Model store directory (default: ${DEFAULT-VALUE})")
    Path store;

    ModelStore store() {
        return ModelStore.local(store);
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
