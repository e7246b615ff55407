package io.seqstream.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The device engine against its host mirror (itself checked against DL4J in the benchmarks module). Runs only
 * where a CUDA device is; elsewhere (CI) it is skipped with the reason.
 */
class CudaLstmTest {
    @Test
    void shouldStepLikeItsHostMirror() {
        assumeTrue(Cuda.available(), () -> "no CUDA device: " + Cuda.unavailableReason());
        LstmWeights weights = LstmWeightsTest.random(3);
        int rows = 7;
        HostLstm host = new HostLstm(weights, 3);
        float[][][] h = new float[rows][weights.layers()][weights.hidden()];
        float[][][] c = new float[rows][weights.layers()][weights.hidden()];
        try (CudaLstm lstm = new CudaLstm(weights, 3, false)) {
            for (int i = 0; i < weights.layers() * rows * weights.hidden(); i++) {
                lstm.hidden().put(i, 0f);
                lstm.cells().put(i, 0f);
            }
            for (int step = 0; step < 5; step++) {
                HostLstm.Row[] expected = new HostLstm.Row[rows];
                for (int r = 0; r < rows; r++) {
                    int token = (r + step) % weights.vocab();
                    int observed = (3 * r + step + 1) % weights.vocab();
                    lstm.tokens().put(r, token);
                    lstm.observed().put(r, observed);
                    expected[r] = host.step(token, observed, h[r], c[r]);
                }
                lstm.step(rows);
                for (int r = 0; r < rows; r++) {
                    assertThat(lstm.probability().get(r)).isCloseTo(expected[r].probability(), within(1e-5f));
                    assertThat(lstm.rank().get(r)).isEqualTo(expected[r].rank());
                    for (int q = 0; q < 3; q++) {
                        assertThat(lstm.topIds().get(r * 3 + q)).isEqualTo(expected[r].topIds()[q]);
                    }
                    for (int l = 0; l < weights.layers(); l++) {
                        for (int j = 0; j < weights.hidden(); j++) {
                            assertThat(lstm.hidden().get(lstm.stateOffset(l, r, rows) + j))
                                    .isCloseTo(h[r][l][j], within(1e-5f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldSayWhyNoDeviceCanBeUsed() {
        assumeTrue(!Cuda.available(), "a CUDA device is present");
        assertThat(Cuda.unavailableReason()).isNotBlank();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CudaLstm(LstmWeightsTest.random(1), 3, false))
                .hasMessageStartingWith("No CUDA device: ");
    }
}
