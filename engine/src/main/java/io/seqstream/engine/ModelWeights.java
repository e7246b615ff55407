package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.Vocabulary;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J token network's parameters copied out once into plain row-major float arrays, for engines that step
 * the network themselves. Immutable after construction and safe to share between threads.
 *
 * <p>DL4J's LSTM gate blocks, in order along the 4H axis: block input (tanh), forget, output, input gate.
 */
final class ModelWeights {
    final String label;
    final ModelManifest.Architecture architecture;
    final Vocabulary vocabulary;
    final boolean lstm;
    final int vocab;
    final int embedding;
    final int hidden;
    final int layers;
    /** [V][E] row-major. */
    final float[] embeddings;
    /** Per layer: input weights [nIn][G] row-major, G = 4H for LSTM, H for a simple RNN. */
    final float[][] inputWeights;
    /** Per layer: recurrent weights [H][G] row-major. */
    final float[][] recurrentWeights;
    /** Per layer: bias [G]. */
    final float[][] biases;
    /** [H][V] row-major. */
    final float[] outputWeights;
    /** [V]. */
    final float[] outputBias;

    ModelWeights(LoadedModel model) {
        ModelManifest.Architecture arch = model.manifest().architecture();
        MultiLayerNetwork network = model.network();
        this.label = model.label();
        this.architecture = arch;
        this.vocabulary = model.vocabulary();
        this.lstm = "lstm".equals(arch.cell());
        this.vocab = arch.vocabSize();
        this.embedding = arch.embedding();
        this.hidden = arch.hidden();
        this.layers = arch.layers();
        this.embeddings = rowMajor(network.getLayer(0).getParam("W"));
        this.inputWeights = new float[layers][];
        this.recurrentWeights = new float[layers][];
        this.biases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            Layer layer = network.getLayer(l + 1);
            inputWeights[l] = rowMajor(layer.getParam("W"));
            recurrentWeights[l] = rowMajor(layer.getParam("RW"));
            biases[l] = rowMajor(layer.getParam("b"));
        }
        Layer output = network.getLayer(layers + 1);
        this.outputWeights = rowMajor(output.getParam("W"));
        this.outputBias = rowMajor(output.getParam("b"));
    }

    int gates() {
        return lstm ? 4 * hidden : hidden;
    }

    int inputSize(int layer) {
        return layer == 0 ? embedding : hidden;
    }

    private static float[] rowMajor(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
