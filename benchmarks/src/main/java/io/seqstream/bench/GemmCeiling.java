package io.seqstream.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's compute ceiling for this workload: float32 GEMM GFLOP/s through ND4J (OpenBLAS
 * {@code sgemm}), multiplying into a preallocated {@code 'f'}-order output (the fast path, see FINDINGS),
 * with ND4J's default threads (one per core). Measured on a square 1024 product and on the shapes a batched
 * LSTM step at B=256 and B=1024 runs; the ceiling is the best of them. The benchmark measures it before and
 * after the stepping phases and keeps the better figure per shape, so a moment of load from elsewhere on a
 * shared machine does not lower the ceiling (and flatter every engine's percentage of it).
 */
final class GemmCeiling {
    /** {@code C[m×n] = A[m×k] · B[k×n]}. */
    record Shape(String name, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape("square1024", 1024, 1024, 1024),
            new Shape("large_l0_b256", 256, 4 * 256, 64 + 256),
            new Shape("large_l1_b256", 256, 4 * 256, 256 + 256),
            new Shape("large_out_b256", 256, 5000, 256),
            new Shape("large_l1_b1024", 1024, 4 * 256, 256 + 256));

    /** @param gflops per shape, in {@link #SHAPES} order */
    record Result(double bestGflops, String bestShape, Map<String, Double> gflops, int threads) {
        /** Per shape the better of two measurements: a ceiling is what the machine can do, not its worst moment. */
        Result max(Result other) {
            Map<String, Double> best = new LinkedHashMap<>(gflops);
            other.gflops().forEach((shape, g) -> best.merge(shape, g, Math::max));
            return of(best, threads);
        }

        static Result of(Map<String, Double> gflops, int threads) {
            String best = null;
            for (Map.Entry<String, Double> e : gflops.entrySet()) {
                if (best == null || e.getValue() > gflops.get(best)) {
                    best = e.getKey();
                }
            }
            return new Result(gflops.get(best), best, gflops, threads);
        }
    }

    private GemmCeiling() {
    }

    /** Spends about {@code perShape} on each shape; each shape's figure is its best of five timed slices. */
    static Result measure(Duration perShape) {
        Map<String, Double> gflops = new LinkedHashMap<>();
        for (Shape shape : SHAPES) {
            gflops.put(shape.name(), measure(shape, perShape));
        }
        return Result.of(gflops, Nd4j.getEnvironment().maxMasterThreads());
    }

    static double measure(Shape shape, Duration budget) {
        INDArray a = Nd4j.rand(DataType.FLOAT, 'f', shape.m(), shape.k());
        INDArray b = Nd4j.rand(DataType.FLOAT, 'f', shape.k(), shape.n());
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {shape.m(), shape.n()}, 'f');
        try {
            for (int i = 0; i < 3; i++) {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            }
            long slice = Math.max(1, budget.toNanos() / 5);
            double best = 0;
            for (int s = 0; s < 5; s++) {
                long calls = 0;
                long start = System.nanoTime();
                long elapsed;
                do {
                    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                    calls++;
                    elapsed = System.nanoTime() - start;
                } while (elapsed < slice);
                best = Math.max(best, calls * shape.flops() / elapsed); // flops per ns = GFLOP/s
            }
            return best;
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }
}
