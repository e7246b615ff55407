package io.seqstream.training;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds token networks: {@code EmbeddingSequenceLayer(V→E)}, L recurrent layers of width H ({@code LSTM} or
 * {@code SimpleRnn}, tanh), and {@code RnnOutputLayer(MCXENT, softmax, H→V)}; trained with Adam and
 * per-parameter-type L2 gradient clipping. The result satisfies {@link io.seqstream.model.NetworkShape} and
 * steps with {@code rnnTimeStep} on {@code [B, 1]} float token ids.
 *
 * <p>Every layer is set to {@link RNNFormat#NCW} explicitly: left unset (no input type), DL4J M2.1's
 * {@code RnnOutputLayer} compares the wrong dimension of input and labels in backprop and rejects them.
 *
 * <p>Truncated BPTT only takes effect on 3-D input: feed features {@code [B, 1, T]} and labels
 * {@code [B, V, T]}, as {@link SequenceBatches} does; DL4J silently runs full BPTT on 2-D features.
 */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** An initialised network. */
    public static MultiLayerNetwork create(NetworkSpec spec) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration(spec));
        network.init();
        return network;
    }

    /** The configuration, trained with Adam at the spec's learning rate. */
    public static MultiLayerConfiguration configuration(NetworkSpec spec) {
        return configuration(spec, new Adam(spec.learningRate()));
    }

    /** The configuration with another updater (gradient checks need {@code NoOp}). */
    public static MultiLayerConfiguration configuration(NetworkSpec spec, IUpdater updater) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(spec.dataType())
                .weightInit(WeightInit.XAVIER)
                .updater(updater);
        if (spec.clip() > 0) {
            base.gradientNormalization(GradientNormalization.ClipL2PerParamType)
                    .gradientNormalizationThreshold(spec.clip());
        }
        NeuralNetConfiguration.ListBuilder list = base.list()
                .layer(new EmbeddingSequenceLayer.Builder()
                        .nIn(spec.vocabSize()).nOut(spec.embedding()).outputDataFormat(RNNFormat.NCW).build());
        for (int i = 0; i < spec.layers(); i++) {
            list.layer(recurrent(spec.cell(), i == 0 ? spec.embedding() : spec.hidden(), spec.hidden()));
        }
        list.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .dataFormat(RNNFormat.NCW)
                .nIn(spec.hidden())
                .nOut(spec.vocabSize())
                .build());
        if (spec.tbpttLength() > 0) {
            list.backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(spec.tbpttLength())
                    .tBPTTBackwardLength(spec.tbpttLength());
        }
        return list.build();
    }

    private static Layer recurrent(Cell cell, int nIn, int nOut) {
        return switch (cell) {
            case LSTM -> new LSTM.Builder().nIn(nIn).nOut(nOut).activation(Activation.TANH)
                    .dataFormat(RNNFormat.NCW).build();
            case SIMPLE -> new SimpleRnn.Builder().nIn(nIn).nOut(nOut).activation(Activation.TANH)
                    .dataFormat(RNNFormat.NCW).build();
        };
    }
}
