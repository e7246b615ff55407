package io.seqstream.cli;

import picocli.CommandLine.Command;

/** {@code seqstream eval}: benchmark protocols that replay labelled data and score seqstream's anomaly output. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score anomaly output with a public benchmark's own protocol.",
        subcommands = {EvalNabCommand.class})
final class EvalCommand {
}
