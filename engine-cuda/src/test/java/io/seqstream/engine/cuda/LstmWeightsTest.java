package io.seqstream.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LstmWeightsTest {
    /** A random two-layer network: V10 E3 H4 L2. */
    static LstmWeights random(long seed) {
        Random r = new Random(seed);
        int v = 10;
        int e = 3;
        int h = 4;
        float[][] w = {floats(r, e * 4 * h), floats(r, h * 4 * h)};
        float[][] rw = {floats(r, h * 4 * h), floats(r, h * 4 * h)};
        float[][] b = {floats(r, 4 * h), floats(r, 4 * h)};
        return new LstmWeights(v, e, h, 2, floats(r, v * e), w, rw, b, floats(r, h * v), floats(r, v));
    }

    static float[] floats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    @Test
    void shouldRoundTripThroughItsFile(@TempDir Path dir) throws Exception {
        LstmWeights weights = random(1);
        weights.write(dir.resolve("w"));

        LstmWeights back = LstmWeights.read(dir.resolve("w"));

        assertThat(back.shape()).isEqualTo("V10 E3 H4 L2");
        assertThat(back.embeddings()).containsExactly(weights.embeddings());
        assertThat(back.inputWeights()[1]).containsExactly(weights.inputWeights()[1]);
        assertThat(back.recurrentWeights()[0]).containsExactly(weights.recurrentWeights()[0]);
        assertThat(back.biases()[1]).containsExactly(weights.biases()[1]);
        assertThat(back.outputWeights()).containsExactly(weights.outputWeights());
        assertThat(back.outputBias()).containsExactly(weights.outputBias());
        assertThat(back.flopsPerEvent()).isEqualTo(2L * (3 + 4) * 16 + 2L * (4 + 4) * 16 + 2L * 4 * 10);
    }

    @Test
    void shouldRefuseArraysOfTheWrongSizeAndFilesOfAnotherKind(@TempDir Path dir) throws Exception {
        LstmWeights w = random(1);
        assertThatThrownBy(() -> new LstmWeights(10, 3, 4, 2, new float[29], w.inputWeights(), w.recurrentWeights(),
                w.biases(), w.outputWeights(), w.outputBias())).hasMessageContaining("embeddings: expected 30 floats, got 29");
        Files.writeString(dir.resolve("x"), "not weights");
        assertThatThrownBy(() -> LstmWeights.read(dir.resolve("x"))).hasMessageContaining("not a seqstream LSTM weights file");
    }

    @Test
    void shouldRoundTripAReference(@TempDir Path dir) throws Exception {
        Reference ref = new Reference(new int[][] {{0, 5, 6}}, new float[][] {{0.25f, 0.5f}}, new int[][] {{3, 1}},
                new int[][][] {{{5, 1}, {6, 2}}}, new float[][][] {{{0.5f, 0.25f}, {0.5f, 0.1f}}});
        ref.write(dir.resolve("r"));

        Reference back = Reference.read(dir.resolve("r"));

        assertThat(back.keys()).isEqualTo(1);
        assertThat(back.steps()).isEqualTo(2);
        assertThat(back.topK()).isEqualTo(2);
        assertThat(back.tokens()[0]).containsExactly(0, 5, 6);
        assertThat(back.rank()[0]).containsExactly(3, 1);
        assertThat(back.topIds()[0][1]).containsExactly(6, 2);
        assertThat(back.topProbabilities()[0][1]).containsExactly(0.5f, 0.1f);
    }
}
