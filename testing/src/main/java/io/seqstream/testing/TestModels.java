package io.seqstream.testing;

import io.seqstream.model.FileModelStore;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The tiny real models the tests use, kept in this module's {@code src/main/resources/models}: {@value #HDFS} is an LSTM
 * (embedding 8, hidden 16) trained by {@code seqstream train} on HDFS log-key sessions.
 */
public final class TestModels {
    public static final String HDFS = "hdfs-tiny";
    private static volatile LoadedModel hdfs;

    private TestModels() {
    }

    private static volatile Path storeDir;

    /**
     * A directory holding the test models: the resource folder itself when it is a directory, else (the
     * fixtures come as a jar) a copy extracted once per JVM into a temporary directory.
     */
    public static Path storeDir() {
        if (storeDir == null) {
            synchronized (TestModels.class) {
                if (storeDir == null) {
                    storeDir = locateStore();
                }
            }
        }
        return storeDir;
    }

    private static Path locateStore() {
        try {
            URI uri = TestModels.class.getResource("/models").toURI();
            if (!"jar".equals(uri.getScheme())) {
                return Path.of(uri);
            }
            Path target = Files.createTempDirectory("seqstream-test-models");
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of()); Stream<Path> files = Files.walk(jar.getPath("/models"))) {
                for (Path file : files.toList()) {
                    Path copy = target.resolve(jar.getPath("/models").relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(file, copy);
                    }
                }
            }
            return target;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract the test models", e);
        }
    }

    public static FileModelStore store() {
        return ModelStore.local(storeDir());
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
