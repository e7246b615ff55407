package io.seqstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code eval}: the benchmark evaluations; each subcommand replays one benchmark's labelled data. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Replay labelled benchmark data through the streaming path and score it with the benchmark's"
                + " own protocol.",
        subcommands = {EvalDeeplogCommand.class, EvalNabCommand.class})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
