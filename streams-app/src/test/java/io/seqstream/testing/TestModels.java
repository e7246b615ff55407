package io.seqstream.testing;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The tiny real models the tests use, kept in {@code src/test/resources/models}: {@value #HDFS} is an LSTM
 * (embedding 8, hidden 16) trained by {@code seqstream train} on HDFS log-key sessions.
 */
public final class TestModels {
    public static final String HDFS = "hdfs-tiny";
    private static volatile LoadedModel hdfs;

    private TestModels() {
    }

    public static Path storeDir() {
        try {
            return Path.of(TestModels.class.getResource("/models").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelStore store() {
        return new ModelStore(storeDir());
    }

    /** The tiny HDFS model, loaded once per JVM and shared (tests must not mutate its network). */
    public static LoadedModel hdfs() {
        if (hdfs == null) {
            synchronized (TestModels.class) {
                if (hdfs == null) {
                    try {
                        hdfs = store().load(ModelRef.latest(HDFS));
                    } catch (ModelException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return hdfs;
    }

    /** Real HDFS sessions from the shared data, one list of keys per session. */
    public static java.util.List<java.util.List<String>> hdfsSessions(String file, int count) {
        Path path = Path.of("..", "..", "shared", "data", "hdfs", file);
        try (var lines = java.nio.file.Files.lines(path)) {
            return lines.filter(l -> !l.isBlank()).limit(count)
                    .map(l -> java.util.List.of(l.trim().split("\\s+"))).toList();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("Test data missing: " + path.toAbsolutePath(), e);
        }
    }
}
