package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.model.ModelManifest;
import io.seqstream.model.NetworkShape;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NetworkFactoryTest {
    @ParameterizedTest
    @EnumSource(Cell.class)
    void shouldBuildATokenNetworkThatStepsLikeItRunsWholeSequences(Cell cell) {
        MultiLayerNetwork network = NetworkFactory.create(NetworkSpec.of(cell, 11, 4, 6, 2));

        assertThat(NetworkShape.of(network)).isEqualTo(new ModelManifest.Architecture(cell.label(), 11, 4, 6, 2));
        INDArray sequences = Nd4j.create(new float[][] {{0, 3, 7, 5}, {0, 9, 9, 2}});
        INDArray whole = network.output(sequences);
        assertThat(whole.shape()).containsExactly(2, 11, 4);
        network.rnnClearPreviousState();
        for (int t = 0; t < 4; t++) {
            INDArray step = network.rnnTimeStep(sequences.get(NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1)));
            assertThat(step.shape()).containsExactly(2, 11);
            assertThat(step.equalsWithEps(whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)),
                    1e-5)).as("step %d", t).isTrue();
        }
    }

    @Test
    void shouldConfigureClippingTbpttAndPrecision() {
        MultiLayerConfiguration plain = NetworkFactory.configuration(NetworkSpec.of(Cell.LSTM, 5, 2, 3, 1)
                .withClip(0));
        MultiLayerConfiguration tuned = NetworkFactory.configuration(NetworkSpec.of(Cell.LSTM, 5, 2, 3, 1)
                .withClip(2.5).withTbptt(30).withDataType(DataType.DOUBLE));

        assertThat(plain.getBackpropType()).isEqualTo(BackpropType.Standard);
        assertThat(plain.getDataType()).isEqualTo(DataType.FLOAT);
        var lstm = (org.deeplearning4j.nn.conf.layers.BaseLayer) tuned.getConf(1).getLayer();
        assertThat(lstm.getGradientNormalization()).isEqualTo(GradientNormalization.ClipL2PerParamType);
        assertThat(lstm.getGradientNormalizationThreshold()).isEqualTo(2.5);
        assertThat(((org.deeplearning4j.nn.conf.layers.BaseLayer) plain.getConf(1).getLayer())
                .getGradientNormalization()).isEqualTo(GradientNormalization.None);
        assertThat(tuned.getBackpropType()).isEqualTo(BackpropType.TruncatedBPTT);
        assertThat(tuned.getTbpttFwdLength()).isEqualTo(30);
        assertThat(tuned.getTbpttBackLength()).isEqualTo(30);
        assertThat(tuned.getDataType()).isEqualTo(DataType.DOUBLE);
    }

    @Test
    void shouldTrainInTruncatedSegmentsOnThreeDimensionalBatches() {
        MultiLayerNetwork network = NetworkFactory.create(NetworkSpec.of(Cell.LSTM, 5, 2, 3, 1).withTbptt(20));
        List<int[]> sequences = List.of(SequenceBatches.wrap(new Random(1).ints(49, 2, 5).toArray()),
                SequenceBatches.wrap(new int[] {3, 4}));
        SequenceBatch batch = new SequenceBatches(sequences, 5, 2, DataType.FLOAT).batch(new int[] {0, 1});
        assertThat(batch.timeSteps()).isEqualTo(50);

        network.fit(batch.features(), batch.labels(), batch.featuresMask(), batch.labelsMask());

        // 50 steps in segments of 20: three optimisation steps for one batch.
        assertThat(network.getIterationCount()).isEqualTo(3);
    }
}
