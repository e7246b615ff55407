package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Padding never reaches the loss or the gradients. */
class MaskingTest {
    private static final int V = 7;
    private static final List<int[]> SEQUENCES = List.of(
            new int[] {0, 3, 4, 5, 6, 3, 2, 1},
            new int[] {0, 5, 1},
            new int[] {0, 4, 6, 3, 1});

    private static MultiLayerNetwork network() {
        // Double precision so that "equal" can mean 1e-10, not float rounding.
        return NetworkFactory.create(NetworkSpec.of(Cell.LSTM, V, 4, 5, 2).withDataType(DataType.DOUBLE).withSeed(3));
    }

    private static SequenceBatches data(List<int[]> sequences) {
        return new SequenceBatches(sequences, V, sequences.size(), DataType.DOUBLE);
    }

    @Test
    void shouldGivePaddedBatchTheTokenWeightedMeanOfEachSequenceAlone() {
        MultiLayerNetwork network = network();
        SequenceBatch padded = data(SEQUENCES).batch(new int[] {0, 1, 2});

        Evaluator.BatchScore together = Evaluator.score(network, padded, 1);
        double weightedSum = 0;
        long tokens = 0;
        for (int[] sequence : SEQUENCES) {
            SequenceBatch alone = data(List.of(sequence)).batch(new int[] {0});
            assertThat(alone.timeSteps()).isEqualTo(sequence.length - 1);
            Evaluator.BatchScore score = Evaluator.score(network, alone, 1);
            weightedSum += score.lossSum();
            tokens += score.tokens();
        }

        assertThat(together.tokens()).isEqualTo(tokens).isEqualTo(7 + 2 + 4);
        assertThat(together.lossSum() / together.tokens()).isCloseTo(weightedSum / tokens, within(1e-10));
        // DL4J's own score is the same masked sum divided by the number of sequences: what the trainer relies on
        // to turn scores into per-token training loss.
        network.setInput(padded.features());
        network.setLabels(padded.labels());
        network.setLayerMaskArrays(padded.featuresMask(), padded.labelsMask());
        network.computeGradientAndScore();
        assertThat(network.score() * padded.size()).isCloseTo(weightedSum, within(1e-9));
    }

    @Test
    void shouldIgnoreWhateverSitsAtPaddedPositions() {
        MultiLayerNetwork network = network();
        SequenceBatch padded = data(SEQUENCES).batch(new int[] {0, 1, 2});
        Gradients clean = gradients(network, padded.features(), padded.labels(), padded);

        // Row 1 is real at steps 0-1, row 2 at steps 0-3 (T = 7): fill their padding with tokens and targets.
        INDArray features = padded.features().dup();
        INDArray labels = padded.labels().dup();
        features.putScalar(new long[] {1, 0, 3}, 6);
        features.putScalar(new long[] {1, 0, 6}, 4);
        features.putScalar(new long[] {2, 0, 5}, 5);
        labels.putScalar(new long[] {1, 3, 2}, 1.0);
        labels.putScalar(new long[] {1, 6, 6}, 0.7);
        labels.putScalar(new long[] {2, 2, 4}, 1.0);
        assertThat(features).isNotEqualTo(padded.features());
        Gradients noisy = gradients(network, features, labels, padded);

        assertThat(noisy.score()).isCloseTo(clean.score(), within(1e-12));
        assertThat(noisy.gradient().equalsWithEps(clean.gradient(), 1e-12))
                .as("gradients with noise in the padding").isTrue();
        assertThat(clean.gradient().norm2Number().doubleValue()).isGreaterThan(0);
        INDArray realOutputs = network.output(features, false, padded.featuresMask(), padded.labelsMask());
        INDArray cleanOutputs = network.output(padded.features(), false, padded.featuresMask(), padded.labelsMask());
        assertThat(realOutputs.get(NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.interval(0, 4))
                .equalsWithEps(cleanOutputs.get(NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)),
                        1e-12)).isTrue();
    }

    private record Gradients(double score, INDArray gradient) {
    }

    private static Gradients gradients(MultiLayerNetwork network, INDArray features, INDArray labels,
                                       SequenceBatch masks) {
        network.setInput(features);
        network.setLabels(labels);
        network.setLayerMaskArrays(masks.featuresMask(), masks.labelsMask());
        network.computeGradientAndScore();
        return new Gradients(network.score(), network.gradient().gradient().dup());
    }
}
