package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FileModelStoreTest {

    @TempDir
    Path dir;

    @Test
    void shouldPublishNumberedVersionsWithParentsAndChecksums() throws Exception {
        FileModelStore store = ModelStore.local(dir);

        ModelManifest first = store.publish("tiny", TinyDrafts.draft());
        ModelManifest second = store.publish("tiny", TinyDrafts.draft());

        assertThat(first.version()).isEqualTo("1");
        assertThat(first.parentVersion()).isNull();
        assertThat(second.version()).isEqualTo("2");
        assertThat(second.parentVersion()).isEqualTo("1");
        assertThat(store.versions("tiny")).containsExactly("1", "2");
        assertThat(store.names()).containsExactly("tiny");
        assertThat(second.files()).containsOnlyKeys(ModelStore.NETWORK, ModelStore.VOCABULARY);
        assertThat(second.files().get(ModelStore.NETWORK))
                .isEqualTo(Sha256.of(store.versionDir("tiny", "2").resolve(ModelStore.NETWORK)));
        assertThat(second.architecture()).isEqualTo(new ModelManifest.Architecture("lstm", TinyDrafts.VOCAB.size(), 4, 5, 1));
        assertThat(second.libraries()).containsKeys("deeplearning4j", "java");
        assertThat(second.metrics()).containsEntry("validation_loss", 1.5);
        try (var staging = Files.list(dir.resolve("tiny"))) {
            assertThat(staging.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
        }
    }

    @Test
    void shouldLoadTheLatestVersionWithTheSameOutputs() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        MultiLayerNetwork network = TinyDrafts.network(TinyDrafts.VOCAB.size());
        store.publish("tiny", TinyDrafts.draft(network));

        try (LoadedModel model = store.load(ModelRef.latest("tiny"))) {
            INDArray input = Nd4j.createFromArray(new float[][][] {{{0, 3, 4, 5}}});
            assertThat(model.network().output(input)).isEqualTo(network.output(input));
            assertThat(model.vocabulary()).isEqualTo(TinyDrafts.VOCAB);
            assertThat(model.label()).isEqualTo("tiny@1");
        }
    }

    @Test
    void shouldRefuseACorruptFileNamingIt() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());
        Path vocab = store.versionDir("tiny", "1").resolve(ModelStore.VOCABULARY);
        Files.writeString(vocab, Files.readString(vocab).replace("\"a\"", "\"z\""));

        assertThatThrownBy(() -> store.load(ModelRef.parse("tiny@1")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining(vocab.toString());
    }

    @Test
    void shouldRefuseAnIncompleteVersionNamingTheMissingFile() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());
        Path network = store.versionDir("tiny", "1").resolve(ModelStore.NETWORK);
        Files.delete(network);

        assertThatThrownBy(() -> store.verify(ModelRef.parse("tiny@1")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("incomplete")
                .hasMessageContaining(network.toString());
    }

    @Test
    void shouldRefuseAVersionWithoutManifest() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        Files.createDirectories(store.versionDir("tiny", "1"));
        Files.write(store.versionDir("tiny", "1").resolve(ModelStore.NETWORK), "x".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.load(ModelRef.latest("tiny")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(ModelStore.MANIFEST);
    }

    @Test
    void shouldSayWhichVersionsExistWhenOneIsMissing() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());

        assertThatThrownBy(() -> store.load(ModelRef.parse("tiny@9")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("versions: 1");
        assertThatThrownBy(() -> store.load(ModelRef.latest("other")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("models: tiny");
        assertThatThrownBy(() -> ModelStore.local(dir.resolve("empty")).load(ModelRef.latest("x")))
                .hasMessageContaining("the store is empty");
    }

    @Test
    void shouldRefuseANetworkThatDoesNotFitTheVocabulary() {
        FileModelStore store = ModelStore.local(dir);

        assertThatThrownBy(() -> store.publish("tiny", TinyDrafts.draft(TinyDrafts.network(TinyDrafts.VOCAB.size() + 1))))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("outputs");
    }

    @Test
    void shouldKeepExtraFilesUnderChecksum() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        Path plot = Files.writeString(dir.resolve("plot.txt"), "a plot");

        ModelManifest manifest = store.publish("tiny", new ModelDraft(TinyDrafts.network(TinyDrafts.VOCAB.size()), TinyDrafts.VOCAB, null,
                Map.of(), Map.of("loss.png", plot)));

        assertThat(manifest.files()).containsKey("loss.png");
        Files.writeString(store.versionDir("tiny", "1").resolve("loss.png"), "changed");
        assertThatThrownBy(() -> store.verify(ModelRef.latest("tiny"))).hasMessageContaining("loss.png");
    }

    @Test
    void shouldNameVersionsByUriAndHashTheStoredManifest() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());

        assertThat(store.uri()).isEqualTo("file://" + dir.toAbsolutePath());
        assertThat(store.versionUri(ModelRef.latest("tiny"))).isEqualTo("file://" + dir.toAbsolutePath() + "/tiny/1");
        assertThat(store.manifestSha256(ModelRef.latest("tiny")))
                .isEqualTo(Sha256.of(store.versionDir("tiny", "1").resolve(ModelStore.MANIFEST)))
                .matches("[0-9a-f]{64}");
    }

    @Test
    void shouldRecordTheDraftsParentVersionInsteadOfTheLatest() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());
        store.publish("tiny", TinyDrafts.draft());

        ModelManifest third = store.publish("tiny", TinyDrafts.draft().withParentVersion("1"));

        assertThat(third.version()).isEqualTo("3");
        assertThat(third.parentVersion()).isEqualTo("1");
        assertThat(store.manifest(ModelRef.parse("tiny@3")).parentVersion()).isEqualTo("1");
        assertThatThrownBy(() -> store.publish("tiny", TinyDrafts.draft().withParentVersion("9")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("parent version 9");
        assertThat(store.versions("tiny")).containsExactly("1", "2", "3");
    }

    @Test
    void shouldReadAManifestWrittenBeforeProbesExisted() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        ModelManifest published = store.publish("tiny", TinyDrafts.draft());
        Path file = store.versionDir("tiny", "1").resolve(ModelStore.MANIFEST);
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) ModelStore.json().readTree(file.toFile());
        assertThat(json.has("probe")).isTrue();
        json.remove("probe");
        ModelStore.json().writeValue(file.toFile(), json);

        ModelManifest old = store.verify(ModelRef.latest("tiny"));

        assertThat(old.probe()).isNull();
        assertThat(old.files()).isEqualTo(published.files());
        assertThat(published.probe()).isNotNull();
    }

    @Test
    void shouldDownloadAVerifiedCopyAndReuseIt() throws Exception {
        FileModelStore store = ModelStore.local(dir.resolve("store"));
        store.publish("tiny", TinyDrafts.draft());
        String sha = store.manifestSha256(ModelRef.latest("tiny"));
        Path served = dir.resolve("served");

        Path copy = store.download(ModelRef.latest("tiny"), served, sha);

        assertThat(copy).isEqualTo(served.resolve("tiny").resolve("1"));
        assertThat(Sha256.of(copy.resolve(ModelStore.MANIFEST))).isEqualTo(sha);
        assertThat(ModelStore.local(served).verify(ModelRef.latest("tiny")).label()).isEqualTo("tiny@1");
        long modified = Files.getLastModifiedTime(copy.resolve(ModelStore.NETWORK)).toMillis();
        Files.setLastModifiedTime(copy.resolve(ModelStore.NETWORK), java.nio.file.attribute.FileTime.fromMillis(1000));
        assertThat(store.download(ModelRef.parse("tiny@1"), served, sha)).isEqualTo(copy);
        assertThat(Files.getLastModifiedTime(copy.resolve(ModelStore.NETWORK)).toMillis())
                .as("the sound copy is reused, not rewritten (was %d)", modified).isEqualTo(1000);
        try (var entries = Files.list(served.resolve("tiny"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("1");
        }
    }

    @Test
    void shouldReplaceACorruptLeftoverWhenDownloading() throws Exception {
        FileModelStore store = ModelStore.local(dir.resolve("store"));
        store.publish("tiny", TinyDrafts.draft());
        Path served = dir.resolve("served");
        Path copy = store.download(ModelRef.latest("tiny"), served, null);
        Files.write(copy.resolve(ModelStore.NETWORK), new byte[] {1, 2, 3});
        Files.delete(copy.resolve(ModelStore.VOCABULARY));

        assertThat(store.download(ModelRef.latest("tiny"), served, null)).isEqualTo(copy);

        assertThat(ModelStore.local(served).verify(ModelRef.latest("tiny")).label()).isEqualTo("tiny@1");
        try (var entries = Files.list(served.resolve("tiny"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("1");
        }
    }

    @Test
    void shouldRefuseToDownloadAnUnexpectedManifestOrACorruptFile() throws Exception {
        FileModelStore store = ModelStore.local(dir.resolve("store"));
        store.publish("tiny", TinyDrafts.draft());
        Path served = dir.resolve("served");

        assertThatThrownBy(() -> store.download(ModelRef.latest("tiny"), served, "00".repeat(32)))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(ModelStore.MANIFEST)
                .hasMessageContaining("00".repeat(32));
        Path network = store.versionDir("tiny", "1").resolve(ModelStore.NETWORK);
        Files.write(network, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> store.download(ModelRef.latest("tiny"), served, null))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining(network.toString());
        assertThat(served.resolve("tiny").resolve("1")).doesNotExist();
        try (var entries = Files.list(served.resolve("tiny"))) {
            assertThat(entries).as("no staging directory is left behind").isEmpty();
        }
    }
}
