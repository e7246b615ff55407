package io.seqstream.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Sha256;
import io.seqstream.schemas.v1.ModelAnnouncement;
import io.seqstream.sidecar.ModelAnnouncements;
import io.seqstream.testing.RandomModels;
import io.seqstream.testing.TestModels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * One integration test's own model store: {@code hdfs-tiny@1} (the trained test model) copied from the test store,
 * further versions made here (seeded random networks over v1's vocabulary), and the ways a stored version gets
 * damaged after it was published. Damage that a file checksum would catch is left as it is; damage meant to reach a
 * later check has its new checksum re-recorded in the manifest (which changes the manifest's SHA-256, so announce
 * it afterwards).
 */
final class TestStore {
    static final String NAME = TestModels.HDFS;
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final ModelStore store;

    private TestStore(Path dir) {
        this.dir = dir;
        this.store = ModelStore.local(dir);
    }

    /** A store under {@code dir} holding a copy of the trained {@code hdfs-tiny@1}. */
    static TestStore withTrainedVersion(Path dir) throws Exception {
        ModelStore.local(TestModels.storeDir()).download(ModelRef.of(NAME, "1"), dir, null);
        return new TestStore(dir);
    }

    /** Publishes the next version: a seeded random network with v1's vocabulary (same architecture as v1). */
    LoadedModel addRandomVersion(long seed) throws Exception {
        return RandomModels.withVocabulary(dir, NAME, TestModels.hdfs().vocabulary(), 8, 16, 1, seed);
    }

    Path file(String version, String file) {
        return dir.resolve(NAME).resolve(version).resolve(file);
    }

    /** Flips a byte in the middle of the network's file (its checksum no longer matches). */
    void flipByte(String version) throws IOException {
        byte[] bytes = Files.readAllBytes(file(version, "network.zip"));
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(file(version, "network.zip"), bytes);
    }

    /** Cuts the network's file in half and records the truncated file's checksum: only loading can tell. */
    void truncateWeightsRecorded(String version) throws IOException {
        byte[] bytes = Files.readAllBytes(file(version, "network.zip"));
        Files.write(file(version, "network.zip"), Arrays.copyOf(bytes, bytes.length / 2));
        rerecordChecksum(version, "network.zip");
    }

    /** Replaces the vocabulary by another one (a token short) and records its checksum. */
    void replaceVocabularyRecorded(String version) throws IOException {
        ObjectNode vocabulary = (ObjectNode) JSON.readTree(file(version, "vocab.json").toFile());
        ArrayNode tokens = (ArrayNode) vocabulary.get("tokens");
        tokens.remove(tokens.size() - 1);
        JSON.writeValue(file(version, "vocab.json").toFile(), vocabulary);
        rerecordChecksum(version, "vocab.json");
    }

    /** Other weights of the same shape, checksum recorded: the files verify and load, the probe must tell. */
    void shiftWeightsRecorded(String version) throws IOException {
        MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(file(version, "network.zip").toFile(),
                false);
        network.params().addi(0.25);
        ModelSerializer.writeModel(network, file(version, "network.zip").toFile(), false);
        rerecordChecksum(version, "network.zip");
    }

    /**
     * Adds a file of {@code bytes} random bytes to the version, listed with its checksum in the manifest, so that
     * downloading and verifying the version takes a moment.
     */
    void addPadding(String version, long bytes) throws IOException {
        Random random = new Random(bytes);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file(version, "padding.bin"))) {
            for (long written = 0; written < bytes; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
        rerecordChecksum(version, "padding.bin");
    }

    private void rerecordChecksum(String version, String name) throws IOException {
        Path manifestFile = file(version, "manifest.json");
        ObjectNode manifest = (ObjectNode) JSON.readTree(manifestFile.toFile());
        ((ObjectNode) manifest.get("files")).put(name, Sha256.of(file(version, name)));
        JSON.writerWithDefaultPrettyPrinter().writeValue(manifestFile.toFile(), manifest);
    }

    /** What {@code seqstream publish} would announce for the version as it is stored now (no gate). */
    ModelAnnouncement announcement(String version) throws Exception {
        return ModelAnnouncements.of(store, ModelRef.of(NAME, version), ModelAnnouncements.PUBLISH, false, "test");
    }

    /** Fills the served-models directory as the sidecar would: the version's files, then the pointer. */
    void activate(Path served, String version) throws Exception {
        ModelRef ref = ModelRef.of(NAME, version);
        String sha = store.manifestSha256(ref);
        store.download(ref, served, sha);
        new ModelPointer(NAME, version, sha).write(served);
    }

    /** The version the served-models directory's pointer names, or "none". */
    static String pointedVersion(Path served) throws IOException {
        return ModelPointer.read(served, NAME).map(ModelPointer::version).orElse("none");
    }
}
