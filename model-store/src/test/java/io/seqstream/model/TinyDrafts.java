package io.seqstream.model;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Tiny real networks and drafts for the store tests (untrained: the store does not care about quality). */
final class TinyDrafts {
    static final Vocabulary VOCAB = Vocabulary.build(VocabularyKind.ID, false, List.of("a b c d e"), 1, 100);

    private TinyDrafts() {
    }

    static MultiLayerNetwork network(int vocabSize, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
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

    static MultiLayerNetwork network(int vocabSize) {
        return network(vocabSize, 7);
    }

    static ModelDraft draft(MultiLayerNetwork network) {
        return new ModelDraft(network, VOCAB,
                new ModelManifest.TrainingData("abc123", "inline", 1, 5), Map.of("validation_loss", 1.5), Map.of());
    }

    static ModelDraft draft() {
        return draft(network(VOCAB.size()));
    }
}
