package io.seqstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Finite differences against backprop, on the exact networks and padded, masked batches that training uses. */
class GradientCheckTest {
    private static DataType previousDefault;
    private static DataType previousFloatingPoint;

    @BeforeAll
    static void useDoublePrecision() {
        previousDefault = Nd4j.dataType();
        previousFloatingPoint = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(previousDefault, previousFloatingPoint);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void shouldMatchNumericalGradientsOnPaddedMaskedBatch(Cell cell) {
        // V=6, E=3, H=4, two recurrent layers; no clipping (it would change the gradient), no updater.
        NetworkSpec spec = new NetworkSpec(cell, 6, 3, 4, 2, 0.1, 0, 0, DataType.DOUBLE, 12345);
        MultiLayerNetwork network = new MultiLayerNetwork(NetworkFactory.configuration(spec, new NoOp()));
        network.init();
        SequenceBatches data = new SequenceBatches(List.of(
                new int[] {0, 3, 4, 5, 3, 2, 1},
                new int[] {0, 5, 1},
                new int[] {0, 4, 4, 3, 1}), 6, 3, DataType.DOUBLE);
        SequenceBatch batch = data.batch(new int[] {0, 1, 2});
        assertThat(batch.featuresMask().sumNumber().intValue()).isEqualTo(6 + 2 + 4).isLessThan(3 * 6);

        boolean passed = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(network)
                .input(batch.features())
                .labels(batch.labels())
                .inputMask(batch.featuresMask())
                .labelMask(batch.labelsMask())
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));

        assertThat(passed).as("gradient check of the %s network", cell.label()).isTrue();
    }
}
