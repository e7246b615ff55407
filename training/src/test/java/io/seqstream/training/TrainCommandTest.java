package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.model.ModelStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void shouldTrainPublishAndPrintASummary() throws Exception {
        Path data = TestData.hdfsSlice(dir, 120);
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
        Path data = TestData.hdfsSlice(dir, 60);

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
        assertThat(err.toString()).contains("Missing required option", "--data");
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
        assertThat(command.store).isEqualTo(Path.of("./models"));
    }
}
