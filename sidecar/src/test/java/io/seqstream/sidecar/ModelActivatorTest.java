package io.seqstream.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.testing.RandomModels;
import io.seqstream.training.Cell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The activation pipeline against real stores and real (tiny, random) networks; no broker. */
class ModelActivatorTest {
    private static final String NAME = "tiny";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storeDir;
    @TempDir
    Path served;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ModelStore store;
    private ModelActivator activator;

    @BeforeEach
    void publishTwoVersions() throws Exception {
        publish();
        publish();
        store = ModelStore.local(storeDir);
        activator = new ModelActivator(store, served, NAME, 2, registry);
    }

    private void publish() throws Exception {
        try (LoadedModel ignored = RandomModels.create(storeDir, NAME, Cell.LSTM, 12, 4, 8, 1)) {
            // published into storeDir; only the files matter here
        }
    }

    private ModelAnnouncement announce(String version) throws Exception {
        return ModelAnnouncements.of(store, ModelRef.of(NAME, version), ModelAnnouncements.PUBLISH, false, "test");
    }

    private ModelActivator.Outcome activate(String version) throws Exception {
        return activator.activate(announce(version), -1);
    }

    private Path stored(String version, String file) {
        return storeDir.resolve(NAME).resolve(version).resolve(file);
    }

    /** Records a file's new checksum in the stored manifest, so only a later check can catch the change. */
    private void rerecordChecksum(String version, String file) throws IOException {
        ObjectNode manifest = (ObjectNode) JSON.readTree(stored(version, "manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).put(file, sha256(Files.readAllBytes(stored(version, file))));
        JSON.writerWithDefaultPrettyPrinter().writeValue(stored(version, "manifest.json").toFile(), manifest);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private double rejections(RejectionReason reason) {
        var counter = registry.find(SidecarMetrics.REJECTIONS).tag(SidecarMetrics.TAG_REASON, reason.tag()).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Asserts version 2 was refused for {@code reason} while version 1 stays active. */
    private void assertRejectedKeepingVersionOne(RejectionReason reason) throws Exception {
        assertThat(ModelPointer.read(served, NAME).orElseThrow().version()).isEqualTo("1");
        SidecarStatus status = SidecarStatus.read(served, NAME).orElseThrow();
        assertThat(status.activeVersion()).isEqualTo("1");
        assertThat(status.lastAnnouncement().version()).isEqualTo("2");
        assertThat(status.rejections()).last().satisfies(r -> {
            assertThat(r.version()).isEqualTo("2");
            assertThat(r.reason()).isEqualTo(reason.tag());
            assertThat(r.message()).isNotBlank();
        });
        assertThat(rejections(reason)).isEqualTo(1.0);
        assertThat(registry.find(SidecarMetrics.REJECTIONS).counters()).hasSize(1);
        assertThat(served.resolve(NAME).resolve("2")).doesNotExist();
        try (LoadedModel active = ModelStore.local(served).load(ModelRef.of(NAME, "1"))) {
            assertThat(active.label()).isEqualTo(NAME + "@1");
        }
    }

    @Test
    void shouldActivateAGoodVersion() throws Exception {
        assertThat(activate("1")).isEqualTo(ModelActivator.Outcome.ACTIVE);

        ModelPointer pointer = ModelPointer.read(served, NAME).orElseThrow();
        assertThat(pointer.version()).isEqualTo("1");
        assertThat(pointer.manifestSha256()).isEqualTo(store.manifestSha256(ModelRef.of(NAME, "1")));
        SidecarStatus status = SidecarStatus.read(served, NAME).orElseThrow();
        assertThat(status.activeVersion()).isEqualTo("1");
        assertThat(status.kept()).containsExactly("1");
        assertThat(status.rejections()).isEmpty();
        assertThat(registry.get(SidecarMetrics.ACTIVATIONS).counter().count()).isEqualTo(1.0);
        assertThat(Files.list(served.resolve(NAME)).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("1", ModelPointer.FILE, SidecarStatus.FILE);
    }

    @Test
    void shouldTreatAReplayedAnnouncementOfTheActiveVersionAsDone() throws Exception {
        activate("1");

        assertThat(activate("1")).isEqualTo(ModelActivator.Outcome.ACTIVE);

        assertThat(registry.get(SidecarMetrics.ACTIVATIONS).counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldRejectABadChecksum() throws Exception {
        activate("1");
        byte[] network = Files.readAllBytes(stored("2", "network.zip"));
        network[network.length / 2] ^= 0x55;
        Files.write(stored("2", "network.zip"), network);

        assertThat(activate("2")).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.CHECKSUM);
    }

    @Test
    void shouldRejectTruncatedWeights() throws Exception {
        activate("1");
        byte[] network = Files.readAllBytes(stored("2", "network.zip"));
        Files.write(stored("2", "network.zip"), java.util.Arrays.copyOf(network, network.length / 2));

        assertThat(activate("2")).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.CHECKSUM);
    }

    @Test
    void shouldRejectTruncatedWeightsWhoseChecksumWasRecordedWhenTheyCannotBeLoaded() throws Exception {
        activate("1");
        byte[] network = Files.readAllBytes(stored("2", "network.zip"));
        Files.write(stored("2", "network.zip"), java.util.Arrays.copyOf(network, network.length / 2));
        rerecordChecksum("2", "network.zip");

        assertThat(activate("2")).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.LOAD);
    }

    @Test
    void shouldRejectAWrongVocabulary() throws Exception {
        activate("1");
        ObjectNode vocabulary = (ObjectNode) JSON.readTree(stored("2", "vocab.json").toFile());
        var tokens = (com.fasterxml.jackson.databind.node.ArrayNode) vocabulary.get("tokens");
        tokens.remove(tokens.size() - 1);
        JSON.writeValue(stored("2", "vocab.json").toFile(), vocabulary);
        rerecordChecksum("2", "vocab.json");

        assertThat(activate("2")).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.VOCABULARY);
    }

    @Test
    void shouldRejectAProbeMismatch() throws Exception {
        activate("1");
        MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(stored("2", "network.zip").toFile(), false);
        network.params().addi(0.25); // same shape, other outputs
        ModelSerializer.writeModel(network, stored("2", "network.zip").toFile(), false);
        rerecordChecksum("2", "network.zip");

        assertThat(activate("2")).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.PROBE);
    }

    @Test
    void shouldRejectAManifestThatIsNotTheAnnouncedOne() throws Exception {
        activate("1");
        ModelAnnouncement announcement = announce("2");
        announcement.setManifestSha256("0".repeat(64));

        assertThat(activator.activate(announcement, -1)).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertRejectedKeepingVersionOne(RejectionReason.MANIFEST_SHA);
    }

    @Test
    void shouldRejectAVersionTheStoreDoesNotHave() throws Exception {
        activate("1");
        ModelAnnouncement announcement = announce("2");
        announcement.setVersion("9");

        assertThat(activator.activate(announcement, -1)).isEqualTo(ModelActivator.Outcome.REJECTED);

        assertThat(ModelPointer.read(served, NAME).orElseThrow().version()).isEqualTo("1");
        assertThat(rejections(RejectionReason.NOT_FOUND)).isEqualTo(1.0);
    }

    @Test
    void shouldNotRetryAVersionAlreadyRejected() throws Exception {
        activate("1");
        ModelAnnouncement announcement = announce("2");
        announcement.setManifestSha256("0".repeat(64));
        activator.activate(announcement, -1);

        assertThat(new ModelActivator(store, served, NAME, 2, registry).activate(announcement, -1))
                .isEqualTo(ModelActivator.Outcome.REJECTED);

        assertThat(rejections(RejectionReason.MANIFEST_SHA)).isEqualTo(1.0);
    }

    @Test
    void shouldKeepTheLastNActivatedVersionsAndRollBackToAKeptOne() throws Exception {
        publish();
        activate("1");
        activate("2");
        activate("3");

        assertThat(activator.versionsOnDisk()).containsExactly("2", "3");
        assertThat(SidecarStatus.read(served, NAME).orElseThrow().kept()).containsExactly("3", "2");

        assertThat(activator.activate(ModelAnnouncements.of(store, ModelRef.of(NAME, "2"),
                ModelAnnouncements.ROLLBACK, false, null), -1)).isEqualTo(ModelActivator.Outcome.ACTIVE);

        assertThat(ModelPointer.read(served, NAME).orElseThrow().version()).isEqualTo("2");
        assertThat(activator.versionsOnDisk()).containsExactly("2", "3");
        assertThat(SidecarStatus.read(served, NAME).orElseThrow().kept()).containsExactly("2", "3");
    }

    @Test
    void shouldResumeAfterACrashMidDownload() throws Exception {
        activate("1");
        // crash while version 2 was being staged: a half-written staging directory is all that is left
        Path staging = served.resolve(NAME).resolve(".staging-crashed");
        Files.createDirectories(staging);
        byte[] network = Files.readAllBytes(stored("2", "network.zip"));
        Files.write(staging.resolve("network.zip"), java.util.Arrays.copyOf(network, network.length / 3));

        ModelActivator restarted = new ModelActivator(store, served, NAME, 2, registry);
        assertThat(restarted.activate(announce("2"), -1)).isEqualTo(ModelActivator.Outcome.ACTIVE);

        assertThat(ModelPointer.read(served, NAME).orElseThrow().version()).isEqualTo("2");
        assertThat(staging).doesNotExist();
        assertThat(registry.find(SidecarMetrics.REJECTIONS).counters()).isEmpty();
    }

    @Test
    void shouldResumeAfterACrashBetweenPointerAndStatus() throws Exception {
        activate("1");
        // crash right after the pointer was replaced: the version and pointer are there, the status is stale
        store.download(ModelRef.of(NAME, "2"), served, store.manifestSha256(ModelRef.of(NAME, "2")));
        new ModelPointer(NAME, "2", store.manifestSha256(ModelRef.of(NAME, "2"))).write(served);

        assertThat(new ModelActivator(store, served, NAME, 2, registry).activate(announce("2"), -1))
                .isEqualTo(ModelActivator.Outcome.ACTIVE);

        SidecarStatus status = SidecarStatus.read(served, NAME).orElseThrow();
        assertThat(status.activeVersion()).isEqualTo("2");
        assertThat(status.kept()).containsExactly("2", "1");
    }

    @Test
    void shouldIgnoreAnnouncementsOfOtherModels() throws Exception {
        ModelAnnouncement other = announce("1");
        other.setName("other");

        assertThat(activator.activate(other, -1)).isEqualTo(ModelActivator.Outcome.IGNORED);
        assertThat(ModelPointer.read(served, NAME)).isEmpty();
        assertThat(List.of(served.toFile().list())).isEmpty();
    }
}
