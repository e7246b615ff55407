package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class FileModelStoreTest {
    private static final Vocabulary VOCAB = Vocabulary.build(VocabularyKind.ID, false, List.of("a b c d e"), 1, 100);

    @TempDir
    Path dir;

    private static MultiLayerNetwork tinyNetwork(int vocabSize) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocabSize).nOut(4).build())
                .layer(new LSTM.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nIn(5).nOut(vocabSize).build())
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static ModelDraft draft(MultiLayerNetwork network) {
        return new ModelDraft(network, VOCAB,
                new ModelManifest.TrainingData("abc123", "inline", 1, 5), Map.of("validation_loss", 1.5), Map.of());
    }

    @Test
    void shouldPublishNumberedVersionsWithParentsAndChecksums() throws Exception {
        FileModelStore store = ModelStore.local(dir);

        ModelManifest first = store.publish("tiny", draft(tinyNetwork(VOCAB.size())));
        ModelManifest second = store.publish("tiny", draft(tinyNetwork(VOCAB.size())));

        assertThat(first.version()).isEqualTo("1");
        assertThat(first.parentVersion()).isNull();
        assertThat(second.version()).isEqualTo("2");
        assertThat(second.parentVersion()).isEqualTo("1");
        assertThat(store.versions("tiny")).containsExactly("1", "2");
        assertThat(store.names()).containsExactly("tiny");
        assertThat(second.files()).containsOnlyKeys(ModelStore.NETWORK, ModelStore.VOCABULARY);
        assertThat(second.files().get(ModelStore.NETWORK))
                .isEqualTo(Sha256.of(store.versionDir("tiny", "2").resolve(ModelStore.NETWORK)));
        assertThat(second.architecture()).isEqualTo(new ModelManifest.Architecture("lstm", VOCAB.size(), 4, 5, 1));
        assertThat(second.libraries()).containsKeys("deeplearning4j", "java");
        assertThat(second.metrics()).containsEntry("validation_loss", 1.5);
        try (var staging = Files.list(dir.resolve("tiny"))) {
            assertThat(staging.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
        }
    }

    @Test
    void shouldLoadTheLatestVersionWithTheSameOutputs() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        MultiLayerNetwork network = tinyNetwork(VOCAB.size());
        store.publish("tiny", draft(network));

        try (LoadedModel model = store.load(ModelRef.latest("tiny"))) {
            INDArray input = Nd4j.createFromArray(new float[][][] {{{0, 3, 4, 5}}});
            assertThat(model.network().output(input)).isEqualTo(network.output(input));
            assertThat(model.vocabulary()).isEqualTo(VOCAB);
            assertThat(model.label()).isEqualTo("tiny@1");
        }
    }

    @Test
    void shouldRefuseACorruptFileNamingIt() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        store.publish("tiny", draft(tinyNetwork(VOCAB.size())));
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
        store.publish("tiny", draft(tinyNetwork(VOCAB.size())));
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
        store.publish("tiny", draft(tinyNetwork(VOCAB.size())));

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

        assertThatThrownBy(() -> store.publish("tiny", draft(tinyNetwork(VOCAB.size() + 1))))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("outputs");
    }

    @Test
    void shouldKeepExtraFilesUnderChecksum() throws Exception {
        FileModelStore store = ModelStore.local(dir);
        Path plot = Files.writeString(dir.resolve("plot.txt"), "a plot");

        ModelManifest manifest = store.publish("tiny", new ModelDraft(tinyNetwork(VOCAB.size()), VOCAB, null,
                Map.of(), Map.of("loss.png", plot)));

        assertThat(manifest.files()).containsKey("loss.png");
        Files.writeString(store.versionDir("tiny", "1").resolve("loss.png"), "changed");
        assertThatThrownBy(() -> store.verify(ModelRef.latest("tiny"))).hasMessageContaining("loss.png");
    }
}
