package io.seqstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.testing.TestModels;
import io.seqstream.training.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return run(new TrainCommand(), args);
    }

    private int run(TrainCommand command, String... args) {
        return new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    /** The first {@code lines} HDFS training sessions in a file. */
    private Path hdfsSlice(int lines) throws IOException {
        List<String> sessions = TestModels.hdfsSessions("train", lines).stream().map(s -> String.join(" ", s))
                .toList();
        return Files.write(dir.resolve("hdfs-" + lines + ".txt"), sessions, StandardCharsets.UTF_8);
    }

    @Test
    void shouldTrainPublishAndPrintASummary() throws Exception {
        Path data = hdfsSlice(120);
        Path store = dir.resolve("models");

        int exit = run("--data", data.toString(), "--name", "cli", "--store", store.toString(),
                "--embedding", "4", "--hidden", "8", "--epochs", "2", "--top-k", "9", "--learning-rate", "0.02");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("Published cli version 1", "validation loss", "perplexity", "top-9 accuracy")
                .contains(store.resolve("cli").resolve("1").resolve("loss.png").toAbsolutePath().toString());
        assertThat(err.toString()).contains("epoch 1/2", "epoch 2/2", "tok/s", "validation loss");
        assertThat(ModelStore.local(store).versions("cli")).containsExactly("1");
    }

    @Test
    void shouldPrintNothingButTheSummaryWithNoProgress() throws Exception {
        Path data = hdfsSlice(60);

        int exit = run("--data", data.toString(), "--name", "quiet", "--store", dir.resolve("m").toString(),
                "--embedding", "4", "--hidden", "4", "--epochs", "1", "--no-progress");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).contains("Published quiet version 1");
    }

    @Test
    void shouldExitWithTwoOnBadUsage() throws Exception {
        Path data = Files.writeString(dir.resolve("d.txt"), "1 2\n3 4\n");

        assertThat(run("--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing the data", "--data");
        assertThat(run("--data", data.toString(), "--name", "x", "--cell", "gru")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown cell 'gru'");
        assertThat(run("--data", data.toString(), "--name", "x", "--hidden", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("hidden must be positive");
        assertThat(run("--data", dir.resolve("missing.txt").toString(), "--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("No such data file");
        assertThat(run("--data", data.toString(), "--name", "x", "--validation-fraction", "1.5")).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldExitWithOneAndAOneLineErrorWhenTrainingFails() throws Exception {
        Path data = Files.writeString(dir.resolve("one.txt"), "1 2 3\n");

        int exit = run("--data", data.toString(), "--name", "x", "--store", dir.resolve("m").toString(),
                "--no-progress");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("train: failed: ").contains("at least 3").hasLineCount(1);
    }

    @Test
    void shouldShowHelpAndDefaultToTheTrainingConfigDefaults() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: train", "--data", "--tbptt", "--no-progress", "./models");

        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs("--data", "x.txt", "--name", "m");
        assertThat(command.config()).isEqualTo(TrainingConfig.builder(Path.of("x.txt"), "m").build());
        assertThat(command.store).as("taken from the setting model.store").isNull();
    }

    @Test
    void shouldWantExactlyOneSourceAndRangesOnlyForATopic() throws Exception {
        Path data = Files.writeString(dir.resolve("d.txt"), "1 2\n3 4\n5 6\n");

        assertThat(run("--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("give --data FILE or --from-topic TOPIC");
        assertThat(run("--data", data.toString(), "--from-topic", "events", "--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("not both");
        assertThat(run("--data", data.toString(), "--since", "2h", "--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("select a range of --from-topic");
        assertThat(run("--from-topic", "e", "--since", "2h", "--offsets", "0:0-", "--name", "x")).isEqualTo(2);
        assertThat(run("--from-topic", "e", "--since", "two hours", "--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid duration 'two hours'");
        assertThat(run("--from-topic", "e", "--offsets", "0:10", "--name", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid offset range '0:10'");
        assertThat(run("--data", data.toString(), "--name", "x", "--require-warm-start")).isEqualTo(2);
        assertThat(err.toString()).contains("--require-warm-start needs --parent");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldWarmStartFromAParentWithItsArchitectureAndFailWhenAWarmStartIsRequiredButImpossible()
            throws Exception {
        Path data = hdfsSlice(120);
        Path store = dir.resolve("models");
        assertThat(run("--data", data.toString(), "--name", "p", "--store", store.toString(), "--embedding", "4",
                "--hidden", "8", "--epochs", "1", "--no-progress")).as(err.toString()).isZero();

        int warm = run("--data", data.toString(), "--name", "p", "--store", store.toString(), "--parent", "1",
                "--epochs", "1", "--require-warm-start", "--no-progress");
        int cold = run("--data", data.toString(), "--name", "p", "--store", store.toString(), "--parent", "1",
                "--hidden", "4", "--epochs", "1", "--require-warm-start", "--no-progress");

        assertThat(warm).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Published p version 2", "warm start from p@1");
        assertThat(ModelStore.local(store).manifest(ModelRef.of("p", "2")).architecture().hidden()).isEqualTo(8);
        assertThat(cold).isEqualTo(1);
        assertThat(err.toString()).contains("train: failed: Cannot warm-start from p@1: its architecture is");
        assertThat(ModelStore.local(store).versions("p")).containsExactly("1", "2");
        assertThat(run("--data", data.toString(), "--name", "p", "--store", store.toString(), "--parent", "7",
                "--no-progress")).isEqualTo(1);
        assertThat(err.toString()).contains("train: failed:", "p@7");
    }
}
