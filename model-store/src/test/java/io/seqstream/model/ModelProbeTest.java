package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelProbeTest {
    @TempDir
    Path dir;

    @Test
    void shouldRecordDeterministicProbeSequencesAtPublish() throws Exception {
        FileModelStore store = ModelStore.local(dir);

        ModelProbe first = store.publish("tiny", TinyDrafts.draft()).probe();
        ModelProbe again = store.publish("tiny", TinyDrafts.draft(TinyDrafts.network(TinyDrafts.VOCAB.size(), 99)))
                .probe();

        assertThat(first.seed()).isEqualTo(ModelProbe.SEED);
        assertThat(first.sequences()).hasSize(ModelProbe.SEQUENCES).allSatisfy(seq -> {
            assertThat(seq.tokens()).hasSize(ModelProbe.LENGTH).startsWith(Vocabulary.START_ID)
                    .allSatisfy(t -> assertThat(t).isBetween(0, TinyDrafts.VOCAB.size() - 1));
            assertThat(seq.probabilities()).hasSize(ModelProbe.LENGTH - 1)
                    .allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
            assertThat(seq.argmax()).hasSize(ModelProbe.LENGTH - 1);
        });
        assertThat(again.sequences()).extracting(ModelProbe.Sequence::tokens)
                .as("the same tokens for every network of one vocabulary size")
                .isEqualTo(first.sequences().stream().map(ModelProbe.Sequence::tokens).toList());
        assertThat(again.sequences().get(0).probabilities()).isNotEqualTo(first.sequences().get(0).probabilities());
        assertThat(store.manifest(ModelRef.parse("tiny@1")).probe()).isEqualTo(first);
    }

    @Test
    void shouldPassForAFreshlyPublishedModel() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());

        try (LoadedModel model = store.load(ModelRef.latest("tiny"))) {
            assertThatCode(() -> ModelProbe.check(model)).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldFailWhenTheWeightsChangedEvenWithMatchingChecksums() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", TinyDrafts.draft());
        // Swap in another network of the same shape and fix the manifest's checksum: only the probe can tell.
        Path version = store.versionDir("tiny", "1");
        MultiLayerNetwork other = TinyDrafts.network(TinyDrafts.VOCAB.size(), 12345);
        ModelSerializer.writeModel(other, version.resolve(ModelStore.NETWORK).toFile(), false);
        ObjectNode manifest = (ObjectNode) ModelStore.json().readTree(version.resolve(ModelStore.MANIFEST).toFile());
        ((ObjectNode) manifest.get("files")).put(ModelStore.NETWORK, Sha256.of(version.resolve(ModelStore.NETWORK)));
        ModelStore.json().writeValue(version.resolve(ModelStore.MANIFEST).toFile(), manifest);

        try (LoadedModel model = store.load(ModelRef.latest("tiny"))) {
            assertThatThrownBy(() -> ModelProbe.check(model))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining("tiny@1")
                    .hasMessageMatching("(?s).*probe mismatch at sequence \\d+ position \\d+: expected p=.*, got p=.*");
        }
    }

    @Test
    void shouldFailClearlyForAManifestWithoutProbe() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        ModelManifest published = store.publish("tiny", TinyDrafts.draft());
        ModelManifest withoutProbe = new ModelManifest(published.name(), published.version(), published.createdAt(),
                published.parentVersion(), published.architecture(), published.vocabulary(), published.trainingData(),
                published.metrics(), published.libraries(), published.files());

        try (LoadedModel loaded = store.load(ModelRef.latest("tiny"));
             LoadedModel model = new LoadedModel(withoutProbe, loaded.vocabulary(), loaded.newNetworkCopy())) {
            assertThatThrownBy(() -> ModelProbe.check(model))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining("records no probe outputs");
        }
    }

    @Test
    void shouldFailWhenARecordedProbabilityDiffersBeyondTheTolerance() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        ModelManifest published = store.publish("tiny", TinyDrafts.draft());
        ModelProbe.Sequence seq = published.probe().sequences().get(1);
        var probabilities = new java.util.ArrayList<>(seq.probabilities());
        probabilities.set(2, probabilities.get(2) + 3 * ModelProbe.TOLERANCE);
        ModelProbe nudged = new ModelProbe(published.probe().seed(), java.util.List.of(
                published.probe().sequences().get(0), new ModelProbe.Sequence(seq.tokens(), probabilities, seq.argmax()),
                published.probe().sequences().get(2)));

        try (LoadedModel model = store.load(ModelRef.latest("tiny"))) {
            assertThatThrownBy(() -> nudged.check(model.network(), model.label()))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining("probe mismatch at sequence 1 position 2");
            assertThatCode(() -> published.probe().check(model.network(), model.label()))
                    .doesNotThrowAnyException();
        }
    }
}
