package io.seqstream.cli;

import io.seqstream.model.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seqstream} command line. */
@Command(name = "seqstream", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Per-key LSTM scoring of Kafka streams.",
        subcommands = {QuickstartCommand.class, BrokerCommand.class, RunCommand.class, TailCommand.class,
                TrainCommand.class, ScoreCommand.class, ModelsCommand.class, PublishCommand.class,
                RollbackCommand.class, SidecarCommand.class, EvalCommand.class, CommandLine.HelpCommand.class})
public final class SeqstreamCli {

    /** The command line with seqstream's error handling: exit 2 for bad usage, 1 for a failure. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SeqstreamCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e instanceof ModelException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException ? e.getMessage() : e.toString();
            commandLine.getErr().println(commandLine.getColorScheme().errorText("seqstream: " + message));
            if (!(e instanceof ModelException || e instanceof IllegalArgumentException)) {
                org.slf4j.LoggerFactory.getLogger(SeqstreamCli.class).debug("Command failed", e);
            }
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
