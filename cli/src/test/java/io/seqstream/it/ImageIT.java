package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.TestModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image, run without a container runtime: the build (pre-integration-test) makes a base image from
 * Debian's JRE packages ({@code src/test/image/debian-jre-base.sh}) and builds the image on it with Jib, exactly
 * as configured for users but for the base; this test unpacks its layers and runs its entrypoint under chroot as
 * its non-root user, with the root filesystem read-only and only the image's volumes writable. Skipped where that
 * is impossible (not root, no apt-get); fails where it is possible but the image was not built.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageIT {
    private static final Path IMAGE_TAR = Path.of("target", "image-test", "seqstream-image.tar");
    private static final Path BASE_LOG = Path.of("target", "image-test", "base.log");
    private static final String STATE = "/var/lib/seqstream/state";
    private static final String MODELS = "/var/lib/seqstream/models";

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path dir;

    private UnpackedImage image;

    @BeforeAll
    void unpackImage(@TempDir Path unpacked) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "ImageIT needs root (mount namespaces, chroot, a user switch); running as "
                        + System.getProperty("user.name"));
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) && Files.isExecutable(Path.of("/usr/bin/dpkg")),
                "ImageIT builds its base image from Debian packages and needs apt-get and dpkg");
        assumeTrue(canUnshareMounts(), "ImageIT runs the image in a mount namespace, and `unshare --mount true`"
                + " fails here (root without CAP_SYS_ADMIN, e.g. in an unprivileged container)");
        assertThat(IMAGE_TAR).as("the test image, built before the integration tests (mvn verify) on the base"
                + " from src/test/image/debian-jre-base.sh; base build log:\n%s", baseLog()).isRegularFile();
        image = UnpackedImage.unpack(IMAGE_TAR, unpacked);
    }

    @Test
    void shouldRunAsANonRootUserWithTheStateAndModelsOnVolumes() {
        assertThat(image.user).isEqualTo("10001:10001");
        assertThat(image.volumes).contains(STATE, MODELS, "/tmp");
        assertThat(image.env).containsEntry(Setting.STATE_DIR.environmentVariable(), STATE)
                .containsEntry(Setting.MODEL_STORE.environmentVariable(), MODELS + "/store");
        assertThat(image.cmd).as("the default command").containsExactly("run");
        assertThat(image.root.resolve(STATE.substring(1))).isDirectory();
        assertThat(image.root.resolve(MODELS.substring(1))).isDirectory();
    }

    @Test
    void shouldPrintTheVersion() throws Exception {
        UnpackedImage.Result result = image.run(List.of("--version"), Map.of(), volumes(), dir.resolve("version.log"),
                Duration.ofMinutes(1));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("seqstream \\d+\\.\\d+").contains("Kafka Streams")
                .contains("Java 17");
    }

    @Test
    void shouldFailToWriteOutsideItsVolumes() throws Exception {
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("unused-state"), Map.of());
        Map<String, String> settings = new HashMap<>(settingsAsEnvironment(env));
        settings.put(Setting.STATE_DIR.environmentVariable(), "/var/lib/seqstream/elsewhere");
        TestStore.withTrainedVersion(volumes().get(MODELS).resolve("store"));
        UnpackedImage.exec(Duration.ofSeconds(30), "chown", "-R", "10001:10001", dir.toString());

        // Permissions alone would let the user write there: only the read-only root filesystem refuses.
        Path parent = image.root.resolve("var/lib/seqstream");
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnpackedImage.Result result;
        try {
            result = image.run(null, settings, volumes(), dir.resolve("elsewhere.log"), Duration.ofMinutes(2));
        } finally {
            Files.setPosixFilePermissions(parent, permissions);
        }

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("/var/lib/seqstream/elsewhere");
        assertThat(parent.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void shouldScoreAStreamFromTheInProcessBrokerWithAReadOnlyRoot() throws Exception {
        Map<String, Path> volumes = volumes();
        // The model store on the models volume, as the image's SEQSTREAM_MODEL_STORE expects it.
        TestStore.withTrainedVersion(volumes.get(MODELS).resolve("store"));
        UnpackedImage.exec(Duration.ofSeconds(30), "chown", "-R", "10001:10001", dir.toString());
        ItEnvironment env = new ItEnvironment(kafka, dir.resolve("unused-state"), Map.of());
        Map<String, List<String>> sessions = ItEnvironment.sessions("dev_normal", 4);
        int events = ItEnvironment.count(sessions, 0, 12);
        Map<String, List<String>> scored = new LinkedHashMap<>();
        sessions.forEach((key, tokens) -> scored.put(key, tokens.subList(0, Math.min(12, tokens.size()))));

        int httpPort = freePort();
        Map<String, String> settings = new HashMap<>(settingsAsEnvironment(env));
        settings.put(Setting.HTTP_PORT.environmentVariable(), String.valueOf(httpPort));

        Process run = image.start(null, settings, volumes, dir.resolve("run.log"));
        try {
            env.publishInterleaved(sessions, 0, 12);
            List<Score> scores = env.readScores(events, Duration.ofMinutes(3));

            ScoreAssertions.assertExactlyOnceAndEqualToOffline(scores, scored, TestModels.hdfs());
            assertThat(scores).extracting(Score::getModel).containsOnly(TestModels.HDFS + "@1");
            assertThat(get(httpPort, "/health/ready").statusCode()).as("readiness, as a kubelet probes it")
                    .isEqualTo(200);
            assertThat(get(httpPort, "/metrics").body()).contains("seqstream_events_scored_total");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("image's `run` log:\n" + Files.readString(dir.resolve("run.log")), e);
        } finally {
            run.destroy();
            run.waitFor();
        }
        assertThat(volumes.get(STATE).resolve(env.config.string(Setting.APPLICATION_ID)))
                .as("Kafka Streams' state on the state volume").isDirectory();
        assertThat(volumes.get("/tmp").resolve("javacpp")).as("natives extracted under /tmp").isDirectory();
        assertThat(Files.getAttribute(volumes.get(STATE).resolve(env.config.string(Setting.APPLICATION_ID)),
                "unix:uid")).as("owner of what the application wrote").isEqualTo(10001);
    }

    /** Host directories for the image's volumes: state, models and /tmp (an emptyDir in Kubernetes). */
    private Map<String, Path> volumes() throws IOException {
        Map<String, Path> volumes = new LinkedHashMap<>();
        volumes.put(STATE, Files.createDirectories(dir.resolve("state")));
        volumes.put(MODELS, Files.createDirectories(dir.resolve("models")));
        volumes.put("/tmp", Files.createDirectories(dir.resolve("tmp")));
        return volumes;
    }

    /**
     * The environment's settings as {@code SEQSTREAM_*} variables, as a deployment sets them, but for the state
     * directory and the model store: the image's defaults (its volumes) serve. No HTTP API unless a test asks: the
     * host's network is shared.
     */
    private static Map<String, String> settingsAsEnvironment(ItEnvironment env) {
        Map<String, String> out = new HashMap<>();
        for (Setting s : Setting.values()) {
            String value = env.config.string(s);
            if (s != Setting.STATE_DIR && s != Setting.MODEL_STORE && !value.equals(s.defaultValue())) {
                out.put(s.environmentVariable(), value);
            }
        }
        out.put(Setting.HTTP_PORT.environmentVariable(), "0");
        out.put("JAVA_TOOL_OPTIONS", "-Xmx1g");
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String baseLog() {
        try {
            return Files.exists(BASE_LOG) ? Files.readString(BASE_LOG) : "(none: the base build did not run)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean canUnshareMounts() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("/usr/bin/unshare", "--mount", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
