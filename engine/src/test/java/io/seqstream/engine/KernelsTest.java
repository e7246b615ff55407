package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both kernel implementations against the formulas in double precision, on lengths with and without a tail
 * shorter than a vector, and on pre-activations far into the saturated ranges.
 */
class KernelsTest {
    private static final int[] LENGTHS = {1, 7, 8, 9, 31, 64, 133};

    static Stream<Kernels> kernels() {
        return Stream.of(new ScalarKernels(), Kernels.best());
    }

    @Test
    void shouldUseTheVectorApiUnderTheBuildsJvmFlags() {
        // The build's test JVMs start with --add-modules jdk.incubator.vector, as the launcher and the image do.
        assertThat(Kernels.vectorAvailable()).isTrue();
        assertThat(Kernels.best()).isInstanceOf(VectorKernels.class);
        assertThat(StepEngines.kernels()).startsWith("vector (");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void shouldComputeTheLstmCellAsTheFormulasSay(Kernels kernels) {
        Random random = new Random(1);
        for (int n : LENGTHS) {
            int at = 3;
            float[] gates = values(random, at + 4 * n, 30);
            float[] cell = values(random, n, 3);
            float[] before = cell.clone();
            float[] hidden = new float[n];
            kernels.lstmCell(gates, at, cell, hidden, n);
            for (int i = 0; i < n; i++) {
                double c = sigmoid(gates[at + n + i]) * before[i]
                        + sigmoid(gates[at + 3 * n + i]) * Math.tanh(gates[at + i]);
                assertThat(cell[i]).as("c[%d] of %d", i, n).isCloseTo((float) c, within(1e-6f));
                double h = sigmoid(gates[at + 2 * n + i]) * Math.tanh(c);
                assertThat(hidden[i]).as("h[%d] of %d", i, n).isCloseTo((float) h, within(1e-6f));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void shouldComputeTanh(Kernels kernels) {
        Random random = new Random(2);
        for (int n : LENGTHS) {
            float[] in = values(random, n + 2, 50);
            float[] out = new float[n];
            kernels.tanh(in, 2, out, n);
            for (int i = 0; i < n; i++) {
                assertThat(out[i]).as("tanh(%f)", in[2 + i]).isCloseTo((float) Math.tanh(in[2 + i]), within(1e-6f));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void shouldComputeEachRowsSoftmaxInPlace(Kernels kernels) {
        Random random = new Random(3);
        for (int cols : LENGTHS) {
            int rows = 3;
            int offset = 5;
            float[] values = values(random, offset + rows * cols + 4, 40);
            float[] original = values.clone();
            kernels.softmaxRows(values, offset, rows, cols);
            for (int r = 0; r < rows; r++) {
                int start = offset + r * cols;
                double normalizer = logSumExp(original, start, cols);
                for (int j = 0; j < cols; j++) {
                    double p = Math.exp(original[start + j] - normalizer);
                    assertThat(values[start + j]).as("row %d, column %d of %d", r, j, cols)
                            .isCloseTo((float) p, within(1e-6f));
                }
            }
            // Outside the rows nothing moved.
            for (int j = 0; j < offset; j++) {
                assertThat(values[j]).isEqualTo(original[j]);
            }
            for (int j = offset + rows * cols; j < values.length; j++) {
                assertThat(values[j]).isEqualTo(original[j]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void shouldComputeTheLogOfTheSoftmaxNormalizerWithoutOverflow(Kernels kernels) {
        Random random = new Random(5);
        for (int n : LENGTHS) {
            // logits far beyond exp's float range: only the maximum taken out first keeps the sum finite
            float[] values = values(random, n + 6, 40);
            for (int j = 0; j < values.length; j++) {
                values[j] += 200;
            }
            assertThat(kernels.logSumExp(values, 3, n)).as("log-sum-exp of %d", n)
                    .isCloseTo(logSumExp(values, 3, n), within(1e-5));
        }
    }

    /**
     * Against sorting: on rows with many ties (values from a few levels), rows whose maximum sits in any lane, and
     * k from 0 to more than a vector's lanes.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void shouldCountTheValuesAboveOneAndFindTheTopKWithTiesInIndexOrder(Kernels kernels) {
        Random random = new Random(7);
        for (int n : new int[] {1, 7, 8, 9, 31, 64, 133, 5000}) {
            for (int levels : new int[] {3, 50, 1_000_000}) {
                float[] values = new float[n + 5];
                for (int j = 0; j < values.length; j++) {
                    values[j] = random.nextInt(levels) / (float) levels;
                }
                float observed = values[2 + random.nextInt(n)];
                for (int k : new int[] {0, 1, 5, 8, 9, 20}) {
                    if (k > n) {
                        continue;
                    }
                    int[] ids = new int[k];
                    float[] top = new float[k];
                    int above = kernels.countAboveAndTopK(values, 2, n, observed, ids, top);

                    int wantAbove = 0;
                    Integer[] order = new Integer[n];
                    for (int j = 0; j < n; j++) {
                        order[j] = j;
                        if (values[2 + j] > observed) {
                            wantAbove++;
                        }
                    }
                    java.util.Arrays.sort(order, (a, b) -> values[2 + a] != values[2 + b]
                            ? Float.compare(values[2 + b], values[2 + a]) : Integer.compare(a, b));
                    String what = "n " + n + ", " + levels + " levels, k " + k;
                    assertThat(above).as(what).isEqualTo(wantAbove);
                    for (int i = 0; i < k; i++) {
                        assertThat(ids[i]).as("top %d id, %s", i, what).isEqualTo(order[i]);
                        assertThat(top[i]).as("top %d value, %s", i, what).isEqualTo(values[2 + order[i]]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void shouldAccumulateAVectorTimesARowMajorMatrix(Kernels kernels) {
        Random random = new Random(4);
        for (int rows : new int[] {1, 5, 33}) {
            for (int cols : LENGTHS) {
                float[] x = values(random, rows + 3, 1);
                float[] m = values(random, rows * cols, 1);
                float[] y = values(random, cols + 2, 1);
                float[] before = y.clone();
                kernels.accumulateVectorTimesMatrix(x, 3, m, rows, cols, y, 2);
                assertThat(y[0]).isEqualTo(before[0]);
                assertThat(y[1]).isEqualTo(before[1]);
                for (int j = 0; j < cols; j++) {
                    double want = before[2 + j];
                    for (int k = 0; k < rows; k++) {
                        want += (double) x[3 + k] * m[k * cols + j];
                    }
                    assertThat(y[2 + j]).as("y[%d], %d × %d", j, rows, cols).isCloseTo((float) want, within(1e-5f));
                }
            }
        }
    }

    private static float[] values(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** {@code log Σ e^v} over {@code n} values from {@code start}, in double, the maximum taken out first. */
    private static double logSumExp(float[] values, int start, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, values[start + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(values[start + j] - max);
        }
        return max + Math.log(sum);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
