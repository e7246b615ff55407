package io.seqstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.seqstream.engine.cuda.HostLstm;
import io.seqstream.engine.cuda.LstmWeights;
import io.seqstream.engine.cuda.Reference;
import io.seqstream.model.LoadedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the GPU check is checked against: the exported weights, stepped by the CUDA kernels' host mirror, reproduce
 * DL4J's own {@code rnnTimeStep} outputs, so the layout the device engine reads and the scoring it does are right
 * before any GPU time is spent.
 */
class CudaFixturesTest {
    @Test
    void shouldExportWeightsThatTheKernelsArithmeticStepsLikeDl4j(@TempDir Path dir) throws Exception {
        try (BenchModels models = BenchModels.publish(dir.resolve("models"), List.of(BenchModel.SMALL), 42)) {
            LoadedModel model = models.get(BenchModel.SMALL);
            LstmWeights weights = CudaFixtures.export(model.network(), BenchModel.SMALL);
            weights.write(dir.resolve("small.weights"));
            Reference reference = CudaFixtures.reference(model, new Random(7));
            reference.write(dir.resolve("small.reference"));

            LstmWeights read = LstmWeights.read(dir.resolve("small.weights"));
            Reference ref = Reference.read(dir.resolve("small.reference"));
            HostLstm host = new HostLstm(read, ref.topK());
            double worst = 0;
            for (int k = 0; k < ref.keys(); k++) {
                float[][] h = new float[read.layers()][read.hidden()];
                float[][] c = new float[read.layers()][read.hidden()];
                for (int t = 0; t < ref.steps(); t++) {
                    HostLstm.Row row = host.step(ref.tokens()[k][t], ref.tokens()[k][t + 1], h, c);
                    worst = Math.max(worst, Math.abs(row.probability() - ref.probability()[k][t]));
                    assertThat(row.topIds()).as("key %d step %d", k, t).containsExactly(ref.topIds()[k][t]);
                }
            }
            assertThat(worst).as("largest probability difference").isLessThan(1e-5);
            assertThat(ref.keys()).isEqualTo(CudaFixtures.KEYS);
        }
    }
}
