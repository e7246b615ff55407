package io.seqstream.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeepLogSessionsTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadOneSessionPerLineSkippingBlankLines() throws Exception {
        Path file = Files.writeString(dir.resolve("sessions"), "5 5 22 11\n\n  9 26\t26 \n4\n");

        assertThat(DeepLogSessions.read(file)).containsExactly(
                List.of("5", "5", "22", "11"), List.of("9", "26", "26"), List.of("4"));
        assertThat(DeepLogSessions.read(file, 2)).hasSize(2);
    }

    @Test
    void shouldReadTheSharedHdfsFiles() throws Exception {
        Path train = Path.of("..", "..", "shared", "data", "hdfs", "train");

        List<List<String>> sessions = DeepLogSessions.read(train);

        assertThat(sessions).hasSize(3398);
        assertThat(sessions.stream().mapToInt(List::size).sum()).isEqualTo(66_381);
    }
}
