package io.seqstream.engine.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The GPU check, run where a CUDA device is: parity of {@link CudaLstm} with reference outputs computed by DL4J on
 * the CPU (TF32 off, then on), the stepping bench (events/s for batches of keys whose h and c are gathered from
 * and scattered back to a host-side per-key store every step, as the streaming application does, and with the
 * state resident on the device), and the device's measured fp32 SGEMM ceiling. Prints what it does as it goes
 * and ends with one JSON line. Every stage reports its failure and the run goes on to the next.
 *
 * <pre>java -cp ... io.seqstream.engine.cuda.CudaCheck DIR [--quick]</pre>
 * DIR holds {@code <model>.weights} and {@code <model>.reference} for models {@code small} and {@code large}
 * (written by {@code seqstream bench}'s {@code CudaFixtures}).
 */
public final class CudaCheck {
    static final int TOP_K = 5;
    static final double PARITY_TOLERANCE = 1e-4;

    private final Path dir;
    private final boolean quick;
    private final Map<String, Object> result = new LinkedHashMap<>();

    private CudaCheck(Path dir, boolean quick) {
        this.dir = dir;
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CudaCheck DIR [--quick]");
            System.exit(2);
        }
        CudaCheck check = new CudaCheck(Path.of(args[0]), Arrays.asList(args).contains("--quick"));
        System.exit(check.run());
    }

    private int run() {
        boolean hostOk = true;
        for (String model : List.of("small", "large")) {
            try {
                hostOk &= hostParity(model);
            } catch (Throwable e) {
                hostOk = false;
                fail("host_parity_" + model, e);
            }
        }
        String reason = Cuda.unavailableReason();
        if (reason != null) {
            System.out.println("No CUDA device: " + reason);
            result.put("cuda", false);
            result.put("reason", reason);
            System.out.println(Json.of(result));
            return hostOk ? 3 : 1;
        }
        result.put("cuda", true);
        String device = Cuda.describeDevice();
        System.out.println("Device: " + device);
        result.put("device", device);
        boolean parityOk = true;
        for (String model : List.of("small", "large")) {
            for (boolean tf32 : new boolean[] {false, true}) {
                try {
                    parityOk &= parity(model, tf32) || tf32;
                } catch (Throwable e) {
                    parityOk = false;
                    fail("parity_" + model + (tf32 ? "_tf32" : ""), e);
                }
            }
        }
        try {
            result.put("gemm_tflops", gemmCeiling());
        } catch (Throwable e) {
            fail("gemm", e);
        }
        int[] large = quick ? new int[] {1024, 4096} : new int[] {1024, 4096, 16384, 65536};
        int[] small = quick ? new int[] {1024} : new int[] {1024, 4096};
        bench("large", large);
        bench("small", small);
        result.put("parity_ok", parityOk);
        System.out.println(Json.of(result));
        return parityOk ? 0 : 1;
    }

    private void fail(String stage, Throwable e) {
        System.out.println("FAILED " + stage + ": " + e);
        e.printStackTrace(System.out);
        result.put(stage + "_error", String.valueOf(e));
    }

    /** Steps the reference's keys together, one step at a time, and compares every output. */
    private boolean parity(String model, boolean tf32) throws Exception {
        LstmWeights weights = LstmWeights.read(dir.resolve(model + ".weights"));
        Reference ref = Reference.read(dir.resolve(model + ".reference"));
        int r = ref.keys();
        int L = weights.layers();
        int H = weights.hidden();
        double maxProb = 0;
        double maxTop = 0;
        int rankMismatches = 0;
        int topMismatches = 0;
        long started = System.nanoTime();
        try (CudaLstm lstm = new CudaLstm(weights, ref.topK(), tf32)) {
            FloatBuffer h = lstm.hidden();
            FloatBuffer c = lstm.cells();
            for (int i = 0; i < L * r * H; i++) {
                h.put(i, 0f);
                c.put(i, 0f);
            }
            for (int t = 0; t < ref.steps(); t++) {
                for (int k = 0; k < r; k++) {
                    lstm.tokens().put(k, ref.tokens()[k][t]);
                    lstm.observed().put(k, ref.tokens()[k][t + 1]);
                }
                lstm.step(r);
                for (int k = 0; k < r; k++) {
                    maxProb = Math.max(maxProb, Math.abs(lstm.probability().get(k) - ref.probability()[k][t]));
                    if (lstm.rank().get(k) != ref.rank()[k][t]) {
                        rankMismatches++;
                    }
                    for (int q = 0; q < ref.topK(); q++) {
                        maxTop = Math.max(maxTop, Math.abs(lstm.topProbabilities().get(k * ref.topK() + q)
                                - ref.topProbabilities()[k][t][q]));
                        if (lstm.topIds().get(k * ref.topK() + q) != ref.topIds()[k][t][q]) {
                            topMismatches++;
                        }
                    }
                }
            }
        }
        boolean ok = maxProb <= PARITY_TOLERANCE && maxTop <= PARITY_TOLERANCE;
        String key = "parity_" + model + (tf32 ? "_tf32" : "");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("max_abs_probability_diff", maxProb);
        p.put("max_abs_top_probability_diff", maxTop);
        p.put("rank_mismatches", rankMismatches);
        p.put("top_id_mismatches", topMismatches);
        p.put("events", (long) r * ref.steps());
        p.put("within_1e-4", ok);
        result.put(key, p);
        System.out.printf(Locale.ROOT, "Parity %s (%s, TF32 %s): %d keys x %d steps, max |dp| %.3g, max |dp top-%d| %.3g,"
                        + " rank mismatches %d, top-id mismatches %d, %s (%.1f s)%n", model, weights.shape(),
                tf32 ? "on" : "off", r, ref.steps(), maxProb, ref.topK(), maxTop, rankMismatches, topMismatches,
                ok ? "within 1e-4" : "NOT within 1e-4", (System.nanoTime() - started) / 1e9);
        return ok;
    }

    /**
     * The kernels' arithmetic in plain Java ({@link HostLstm}) against the reference: checks the weights' layout
     * and the scoring's definitions anywhere, before any GPU time is spent.
     */
    private boolean hostParity(String model) throws Exception {
        LstmWeights weights = LstmWeights.read(dir.resolve(model + ".weights"));
        Reference ref = Reference.read(dir.resolve(model + ".reference"));
        HostLstm host = new HostLstm(weights, ref.topK());
        double maxProb = 0;
        int rankMismatches = 0;
        int topMismatches = 0;
        int keys = Math.min(ref.keys(), quick ? 4 : ref.keys());
        for (int k = 0; k < keys; k++) {
            float[][] h = new float[weights.layers()][weights.hidden()];
            float[][] c = new float[weights.layers()][weights.hidden()];
            for (int t = 0; t < ref.steps(); t++) {
                HostLstm.Row row = host.step(ref.tokens()[k][t], ref.tokens()[k][t + 1], h, c);
                maxProb = Math.max(maxProb, Math.abs(row.probability() - ref.probability()[k][t]));
                rankMismatches += row.rank() == ref.rank()[k][t] ? 0 : 1;
                for (int q = 0; q < ref.topK(); q++) {
                    maxProb = Math.max(maxProb, Math.abs(row.topProbabilities()[q] - ref.topProbabilities()[k][t][q]));
                    topMismatches += row.topIds()[q] == ref.topIds()[k][t][q] ? 0 : 1;
                }
            }
        }
        boolean ok = maxProb <= PARITY_TOLERANCE;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("max_abs_probability_diff", maxProb);
        p.put("rank_mismatches", rankMismatches);
        p.put("top_id_mismatches", topMismatches);
        p.put("within_1e-4", ok);
        result.put("host_parity_" + model, p);
        System.out.printf(Locale.ROOT, "Host parity %s (%s): %d keys x %d steps, max |dp| %.3g, rank mismatches %d,"
                        + " top-id mismatches %d: %s%n", model, weights.shape(), keys, ref.steps(), maxProb,
                rankMismatches, topMismatches, ok ? "the layout and the scoring agree with DL4J" : "MISMATCH");
        return ok;
    }

    /** fp32 SGEMM throughput, 4096 cubed, TF32 off: the ceiling the engine's GEMMs are measured against. */
    private static double gemmCeiling() {
        int n = 4096;
        long bytes = 4L * n * n;
        Pointer a = new Pointer();
        Pointer b = new Pointer();
        Pointer c = new Pointer();
        Cuda.check(cudaMalloc(a, bytes), "cudaMalloc");
        Cuda.check(cudaMalloc(b, bytes), "cudaMalloc");
        Cuda.check(cudaMalloc(c, bytes), "cudaMalloc");
        cublasContext blas = new cublasContext();
        Cuda.checkBlas(cublasCreate_v2(blas), "cublasCreate");
        Cuda.checkBlas(cublasSetMathMode(blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        FloatPointer one = new FloatPointer(1f);
        FloatPointer zero = new FloatPointer(0f);
        FloatPointer fa = new FloatPointer(a);
        FloatPointer fb = new FloatPointer(b);
        FloatPointer fc = new FloatPointer(c);
        try {
            for (int i = 0; i < 3; i++) {
                cublasSgemm_v2(blas, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, one, fa, n, fb, n, zero, fc, n);
            }
            cudaDeviceSynchronize();
            int reps = 20;
            long started = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                Cuda.checkBlas(cublasSgemm_v2(blas, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, one, fa, n, fb, n, zero, fc, n),
                        "cublasSgemm");
            }
            Cuda.check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
            double seconds = (System.nanoTime() - started) / 1e9;
            double tflops = 2.0 * n * n * n * reps / seconds / 1e12;
            System.out.printf(Locale.ROOT, "SGEMM %d^3, fp32 (TF32 off): %.1f TFLOP/s%n", n, tflops);
            return tflops;
        } finally {
            cublasDestroy_v2(blas);
            cudaFree(a);
            cudaFree(b);
            cudaFree(c);
        }
    }

    private void bench(String model, int[] batches) {
        Map<String, Object> rows = new LinkedHashMap<>();
        result.put("bench_" + model, rows);
        try {
            LstmWeights weights = LstmWeights.read(dir.resolve(model + ".weights"));
            int maxB = Arrays.stream(batches).max().orElseThrow();
            int L = weights.layers();
            int H = weights.hidden();
            int keys = 2 * maxB;
            // The host-side per-key store: key k's layer l at (k * L + l) * H.
            float[] storeH = new float[Math.toIntExact((long) keys * L * H)];
            float[] storeC = new float[storeH.length];
            Random random = new Random(42);
            for (int i = 0; i < storeH.length; i++) {
                storeH[i] = (random.nextFloat() - 0.5f) * 0.2f;
                storeC[i] = (random.nextFloat() - 0.5f) * 0.2f;
            }
            int[] tokenPool = random.ints(1 << 20, 0, weights.vocab()).toArray();
            try (CudaLstm lstm = new CudaLstm(weights, TOP_K, false)) {
                lstm.ensureCapacity(maxB);
                for (int b : batches) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    double host = measure(lstm, b, keys, storeH, storeC, tokenPool, true, 0.6);
                    double device = measure(lstm, b, keys, storeH, storeC, tokenPool, false, 0.4);
                    row.put("events_per_s", host);
                    row.put("device_resident_events_per_s", device);
                    if (result.get("gemm_tflops") instanceof Double ceiling) {
                        row.put("gemm_share", host * weights.flopsPerEvent() / (ceiling * 1e12));
                    }
                    rows.put(Integer.toString(b), row);
                    System.out.printf(Locale.ROOT, "Bench %s (%s) B=%,d: %,.0f events/s with h and c through the host, "
                            + "%,.0f events/s resident on the device%n", model, weights.shape(), b, host, device);
                }
            }
        } catch (Throwable e) {
            fail("bench_" + model, e);
        }
    }

    /** Median events/s of three timed repeats after a warm-up. */
    private static double measure(CudaLstm lstm, int b, int keys, float[] storeH, float[] storeC, int[] tokenPool,
                                  boolean stateOnHost, double seconds) {
        int[] cursor = {0};
        Runnable step = () -> {
            int first = cursor[0];
            cursor[0] = (cursor[0] + b) % keys;
            int tok = (first * 7) & ((1 << 20) - 1);
            for (int i = 0; i < b; i++) {
                lstm.tokens().put(i, tokenPool[(tok + i) & ((1 << 20) - 1)]);
                lstm.observed().put(i, tokenPool[(tok + i + 1) & ((1 << 20) - 1)]);
            }
            if (stateOnHost) {
                transfer(lstm, b, keys, first, storeH, storeC, true);
            }
            lstm.step(b, stateOnHost);
            if (stateOnHost) {
                transfer(lstm, b, keys, first, storeH, storeC, false);
            }
        };
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        List<Double> rates = new ArrayList<>();
        for (int repeat = 0; repeat < 3; repeat++) {
            long started = System.nanoTime();
            long steps = 0;
            do {
                step.run();
                steps++;
            } while (System.nanoTime() - started < seconds * 1e9);
            rates.add(steps * (double) b / ((System.nanoTime() - started) / 1e9));
        }
        rates.sort(Double::compare);
        return rates.get(1);
    }

    /** Gathers (in) or scatters (out) the batch's keys' h and c between the store and the pinned buffers. */
    private static void transfer(CudaLstm lstm, int b, int keys, int first, float[] storeH, float[] storeC,
                                 boolean in) {
        int L = lstm.weights().layers();
        int H = lstm.weights().hidden();
        FloatBuffer h = lstm.hidden();
        FloatBuffer c = lstm.cells();
        IntStream.range(0, b).parallel().forEach(i -> {
            int key = (first + i) % keys;
            for (int l = 0; l < L; l++) {
                int at = lstm.stateOffset(l, i, b);
                int from = (key * L + l) * H;
                if (in) {
                    h.put(at, storeH, from, H);
                    c.put(at, storeC, from, H);
                } else {
                    h.get(at, storeH, from, H);
                    c.get(at, storeC, from, H);
                }
            }
        });
    }

    /** A minimal JSON writer for maps of numbers, booleans, strings and nested maps. */
    static final class Json {
        private Json() {
        }

        static String of(Object value) {
            if (value instanceof Map<?, ?> map) {
                StringBuilder out = new StringBuilder("{");
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (out.length() > 1) {
                        out.append(',');
                    }
                    out.append(of(String.valueOf(e.getKey()))).append(':').append(of(e.getValue()));
                }
                return out.append('}').toString();
            }
            if (value instanceof String s) {
                StringBuilder out = new StringBuilder("\"");
                for (char ch : s.toCharArray()) {
                    switch (ch) {
                        case '"' -> out.append("\\\"");
                        case '\\' -> out.append("\\\\");
                        case '\n' -> out.append("\\n");
                        default -> {
                            if (ch < 0x20) {
                                out.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                            } else {
                                out.append(ch);
                            }
                        }
                    }
                }
                return out.append('"').toString();
            }
            if (value instanceof Double d && !Double.isFinite(d)) {
                return "null";
            }
            return String.valueOf(value);
        }
    }

    static boolean exists(Path dir, String model) {
        return Files.exists(dir.resolve(model + ".weights"));
    }
}
