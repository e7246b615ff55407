package io.seqstream.engine.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One LSTM token network on one CUDA device, stepped a batch of keys at a time.
 *
 * <p>The weights are uploaded once. Per batch of B keys the caller fills pinned host buffers (the pending token,
 * the observed token and every layer's h and c, laid out {@code [layer][row][H]}), then {@link #step} copies them
 * to the device in one go per buffer, gathers the embeddings, runs two cuBLAS SGEMMs and a fused cell kernel per
 * layer, the projection SGEMM and one scoring kernel per row (softmax statistics, the observed token's probability
 * and rank, the top-k), and copies back only those per-row results and the new h and c. Device and pinned buffers
 * grow to the largest batch seen; nothing is allocated per batch.
 *
 * <p>Not thread-safe: one instance per thread. Needs a CUDA device ({@link Cuda#available()}).
 */
public final class CudaLstm implements AutoCloseable {
    private final LstmWeights w;
    private final int topK;
    private final CUstream_st stream = new CUstream_st();
    private final cublasContext blas = new cublasContext();
    private final CUmod_st module = new CUmod_st();
    private final CUfunc_st gatherFn = new CUfunc_st();
    private final CUfunc_st cellFn = new CUfunc_st();
    private final CUfunc_st scoreFn = new CUfunc_st();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    private final List<Pointer> deviceAllocations = new ArrayList<>();
    private final Pointer dEmb;
    private final Pointer[] dW;
    private final Pointer[] dRW;
    private final Pointer[] dB;
    private final Pointer dOut;
    private final Pointer dOutBias;

    private int capacity;
    private Pointer dTok, dObs, dX, dH, dC, dGates, dLogits, dProb, dRank, dTopIds, dTopP;
    private Pointer hTok, hObs, hH, hC, hProb, hRank, hTopIds, hTopP;
    private IntBuffer tokens, observed, rank, topIds;
    private FloatBuffer hidden, cells, probability, topProbability;

    // Kernel argument cells, reused: each holds one argument's value; the PointerPointers hold their addresses.
    private final LongPointer[] gatherPtrs = cells(3);
    private final IntPointer[] gatherInts = ints(2);
    private final PointerPointer gatherArgs;
    private final LongPointer[] cellPtrs = cells(4);
    private final IntPointer[] cellInts = ints(2);
    private final PointerPointer cellArgs;
    private final LongPointer[] scorePtrs = cells(7);
    private final IntPointer[] scoreInts = ints(2);
    private final PointerPointer scoreArgs;

    /**
     * Compiles the kernels for the current device and uploads the weights.
     *
     * @param topK how many top predictions each row returns (1 to {@value Kernels#MAX_TOP_K})
     * @param tf32 let cuBLAS use TF32 tensor cores (faster GEMMs at about 1e-3 relative precision)
     */
    public CudaLstm(LstmWeights weights, int topK, boolean tf32) {
        if (topK < 1 || topK > Kernels.MAX_TOP_K) {
            throw new IllegalArgumentException("top-k must be 1 to " + Kernels.MAX_TOP_K + ", got " + topK);
        }
        Cuda.requireDevice();
        this.w = weights;
        this.topK = topK;
        Cuda.check(cudaStreamCreate(stream), "cudaStreamCreate");
        Cuda.checkBlas(cublasCreate_v2(blas), "cublasCreate");
        Cuda.checkBlas(cublasSetStream_v2(blas, stream), "cublasSetStream");
        Cuda.checkBlas(cublasSetMathMode(blas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
                "cublasSetMathMode");
        byte[] cubin = Cuda.compile(Kernels.SOURCE, "seqstream_lstm.cu");
        Pointer image = new org.bytedeco.javacpp.BytePointer(cubin);
        Cuda.checkDriver(cuModuleLoadData(module, image), "cuModuleLoadData");
        Cuda.checkDriver(cuModuleGetFunction(gatherFn, module, "gather_embeddings"), "cuModuleGetFunction gather");
        Cuda.checkDriver(cuModuleGetFunction(cellFn, module, "lstm_cell"), "cuModuleGetFunction lstm_cell");
        Cuda.checkDriver(cuModuleGetFunction(scoreFn, module, "score_rows"), "cuModuleGetFunction score_rows");
        dEmb = upload(weights.embeddings());
        dW = new Pointer[weights.layers()];
        dRW = new Pointer[weights.layers()];
        dB = new Pointer[weights.layers()];
        for (int l = 0; l < weights.layers(); l++) {
            dW[l] = upload(weights.inputWeights()[l]);
            dRW[l] = upload(weights.recurrentWeights()[l]);
            dB[l] = upload(weights.biases()[l]);
        }
        dOut = upload(weights.outputWeights());
        dOutBias = upload(weights.outputBias());
        gatherArgs = args(gatherPtrs, gatherInts);
        cellArgs = args(cellPtrs, cellInts);
        scoreArgs = args(scorePtrs, scoreInts);
        ensureCapacity(256);
    }

    public LstmWeights weights() {
        return w;
    }

    public int topK() {
        return topK;
    }

    /** Grows the device and pinned buffers to hold batches of {@code rows} keys. */
    public void ensureCapacity(int rows) {
        if (rows <= capacity) {
            return;
        }
        int n = Math.max(rows, capacity * 2);
        freeBatchBuffers();
        int L = w.layers();
        int H = w.hidden();
        long state = (long) L * n * H;
        dTok = deviceBytes(4L * n);
        dObs = deviceBytes(4L * n);
        dX = deviceBytes(4L * n * Math.max(w.embedding(), H));
        dH = deviceBytes(4 * state);
        dC = deviceBytes(4 * state);
        dGates = deviceBytes(4L * n * 4 * H);
        dLogits = deviceBytes(4L * n * w.vocab());
        dProb = deviceBytes(4L * n);
        dRank = deviceBytes(4L * n);
        dTopIds = deviceBytes(4L * n * topK);
        dTopP = deviceBytes(4L * n * topK);
        hTok = pinned(4L * n);
        hObs = pinned(4L * n);
        hH = pinned(4 * state);
        hC = pinned(4 * state);
        hProb = pinned(4L * n);
        hRank = pinned(4L * n);
        hTopIds = pinned(4L * n * topK);
        hTopP = pinned(4L * n * topK);
        tokens = bytes(hTok, 4L * n).asIntBuffer();
        observed = bytes(hObs, 4L * n).asIntBuffer();
        hidden = bytes(hH, 4 * state).asFloatBuffer();
        cells = bytes(hC, 4 * state).asFloatBuffer();
        probability = bytes(hProb, 4L * n).asFloatBuffer();
        rank = bytes(hRank, 4L * n).asIntBuffer();
        topIds = bytes(hTopIds, 4L * n * topK).asIntBuffer();
        topProbability = bytes(hTopP, 4L * n * topK).asFloatBuffer();
        capacity = n;
    }

    /** Pending tokens of the batch's rows (row {@code b} at index {@code b}): the caller writes them. */
    public IntBuffer tokens() {
        return tokens;
    }

    /** Observed tokens, scored against the step's prediction: the caller writes them. */
    public IntBuffer observed() {
        return observed;
    }

    /** h of every layer, {@code [layer][row][H]} for the batch's B rows: written by the caller, updated by the step. */
    public FloatBuffer hidden() {
        return hidden;
    }

    /** c, laid out as {@link #hidden()}. */
    public FloatBuffer cells() {
        return cells;
    }

    /** After a step: each row's probability of its observed token. */
    public FloatBuffer probability() {
        return probability;
    }

    /** After a step: each row's observed token's rank (1 = most likely). */
    public IntBuffer rank() {
        return rank;
    }

    /** After a step: {@code [row][topK]} ids, most likely first. */
    public IntBuffer topIds() {
        return topIds;
    }

    /** After a step: {@code [row][topK]} probabilities. */
    public FloatBuffer topProbabilities() {
        return topProbability;
    }

    /** The offset of row {@code row}'s h (or c) of layer {@code layer} in a batch of {@code rows} rows. */
    public int stateOffset(int layer, int row, int rows) {
        return (layer * rows + row) * w.hidden();
    }

    /** Steps {@code rows} keys whose inputs are in the host buffers, leaving results and new state there. */
    public void step(int rows) {
        step(rows, true);
    }

    /**
     * Steps {@code rows} keys. With {@code stateOnHost} false the h and c stay on the device between steps (the
     * device-resident measurement: rows are the same keys every step); with true they travel both ways.
     */
    public void step(int rows, boolean stateOnHost) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("Batch of " + rows + " rows; capacity " + capacity);
        }
        int L = w.layers();
        int H = w.hidden();
        int E = w.embedding();
        int V = w.vocab();
        long stateBytes = 4L * L * rows * H;
        copyIn(dTok, hTok, 4L * rows);
        copyIn(dObs, hObs, 4L * rows);
        if (stateOnHost) {
            copyIn(dH, hH, stateBytes);
            copyIn(dC, hC, stateBytes);
        }
        gatherPtrs[0].put(0, dTok.address());
        gatherPtrs[1].put(0, dEmb.address());
        gatherPtrs[2].put(0, dX.address());
        gatherInts[0].put(0, rows);
        gatherInts[1].put(0, E);
        launch(gatherFn, blocks((long) rows * E), Kernels.ELEMENTWISE_THREADS, gatherArgs, "gather_embeddings");
        for (int l = 0; l < L; l++) {
            long hLayer = dH.address() + 4L * l * rows * H;
            long cLayer = dC.address() + 4L * l * rows * H;
            long input = l == 0 ? dX.address() : dH.address() + 4L * (l - 1) * rows * H;
            int nIn = w.inputSize(l);
            // Column-major view of row-major data: gates^T [4H x B] = W^T [4H x nIn] . x^T [nIn x B].
            gemm(4 * H, rows, nIn, dW[l].address(), 4 * H, input, nIn, zero, dGates.address(), 4 * H);
            gemm(4 * H, rows, H, dRW[l].address(), 4 * H, hLayer, H, one, dGates.address(), 4 * H);
            cellPtrs[0].put(0, dGates.address());
            cellPtrs[1].put(0, dB[l].address());
            cellPtrs[2].put(0, hLayer);
            cellPtrs[3].put(0, cLayer);
            cellInts[0].put(0, rows);
            cellInts[1].put(0, H);
            launch(cellFn, blocks((long) rows * H), Kernels.ELEMENTWISE_THREADS, cellArgs, "lstm_cell");
        }
        long top = dH.address() + 4L * (L - 1) * rows * H;
        gemm(V, rows, H, dOut.address(), V, top, H, zero, dLogits.address(), V);
        scorePtrs[0].put(0, dLogits.address());
        scorePtrs[1].put(0, dOutBias.address());
        scorePtrs[2].put(0, dObs.address());
        scorePtrs[3].put(0, dProb.address());
        scorePtrs[4].put(0, dRank.address());
        scorePtrs[5].put(0, dTopIds.address());
        scorePtrs[6].put(0, dTopP.address());
        scoreInts[0].put(0, V);
        scoreInts[1].put(0, topK);
        launch(scoreFn, rows, Kernels.SCORE_THREADS, scoreArgs, "score_rows");
        copyOut(hProb, dProb, 4L * rows);
        copyOut(hRank, dRank, 4L * rows);
        copyOut(hTopIds, dTopIds, 4L * rows * topK);
        copyOut(hTopP, dTopP, 4L * rows * topK);
        if (stateOnHost) {
            copyOut(hH, dH, stateBytes);
            copyOut(hC, dC, stateBytes);
        }
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    private void gemm(int m, int n, int k, long a, int lda, long b, int ldb, FloatPointer beta, long c, int ldc) {
        Cuda.checkBlas(cublasSgemm_v2(blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, one, new RawFloat(a), lda,
                new RawFloat(b), ldb, beta, new RawFloat(c), ldc), "cublasSgemm");
    }

    private void launch(CUfunc_st fn, int grid, int block, PointerPointer args, String name) {
        Cuda.checkDriver(cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, 0, stream, args, null), "launch " + name);
    }

    private static int blocks(long elements) {
        return Math.toIntExact((elements + Kernels.ELEMENTWISE_THREADS - 1) / Kernels.ELEMENTWISE_THREADS);
    }

    private void copyIn(Pointer device, Pointer host, long bytes) {
        Cuda.check(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync H2D");
    }

    private void copyOut(Pointer host, Pointer device, long bytes) {
        Cuda.check(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync D2H");
    }

    private Pointer upload(float[] values) {
        Pointer d = deviceBytes(4L * values.length);
        FloatPointer host = new FloatPointer(values);
        Cuda.check(cudaMemcpyAsync(d, host, 4L * values.length, cudaMemcpyHostToDevice, stream), "upload weights");
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        host.close();
        return d;
    }

    private Pointer deviceBytes(long bytes) {
        Pointer p = new Pointer();
        Cuda.check(cudaMalloc(p, Math.max(bytes, 4)), "cudaMalloc " + bytes + " bytes");
        deviceAllocations.add(p);
        return p;
    }

    private static Pointer pinned(long bytes) {
        Pointer p = new Pointer();
        Cuda.check(cudaMallocHost(p, Math.max(bytes, 4)), "cudaMallocHost " + bytes + " bytes");
        return p;
    }

    private static ByteBuffer bytes(Pointer p, long bytes) {
        return p.capacity(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private void freeBatchBuffers() {
        for (Pointer p : new Pointer[] {dTok, dObs, dX, dH, dC, dGates, dLogits, dProb, dRank, dTopIds, dTopP}) {
            if (p != null) {
                cudaFree(p);
                deviceAllocations.remove(p);
            }
        }
        for (Pointer p : new Pointer[] {hTok, hObs, hH, hC, hProb, hRank, hTopIds, hTopP}) {
            if (p != null) {
                cudaFreeHost(p);
            }
        }
    }

    private static LongPointer[] cells(int n) {
        LongPointer[] cells = new LongPointer[n];
        for (int i = 0; i < n; i++) {
            cells[i] = new LongPointer(1);
        }
        return cells;
    }

    private static IntPointer[] ints(int n) {
        IntPointer[] cells = new IntPointer[n];
        for (int i = 0; i < n; i++) {
            cells[i] = new IntPointer(1);
        }
        return cells;
    }

    /** The kernel's argument list: the addresses of its pointer cells, then of its int cells, in order. */
    private static PointerPointer args(LongPointer[] pointers, IntPointer[] ints) {
        Pointer[] all = new Pointer[pointers.length + ints.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(ints, 0, all, pointers.length, ints.length);
        return new PointerPointer(all);
    }

    @Override
    public void close() {
        freeBatchBuffers();
        for (Pointer p : deviceAllocations) {
            cudaFree(p);
        }
        deviceAllocations.clear();
        cublasDestroy_v2(blas);
        cudaStreamDestroy(stream);
    }

    /** A float pointer at a raw device address (JavaCPP adds a pointer's position to its address: kept at 0). */
    private static final class RawFloat extends FloatPointer {
        RawFloat(long address) {
            this.address = address;
        }
    }
}
