package io.seqstream.engine;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import io.seqstream.model.LoadedModel;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Steps a batch of keys with one OpenBLAS GEMM per layer and one for the output, and everything else on the Java
 * heap with {@link Kernels}. The BLAS is ND4J's (the OpenBLAS it loads, with its thread setting), called through
 * JavaCPP's {@code cblas_sgemm} on native buffers allocated once: ND4J's own {@code gemm} and
 * element-wise ops cost tens of microseconds per call here, and its element-wise ops 13 ns per value, together
 * two thirds of a small model's step.
 *
 * <p>Every matrix is column-major with one column per key, so each key's values are contiguous and nothing is
 * transposed between the states and the GEMMs. Each layer multiplies the stacked {@code [W ; RW ; b]}ᵀ by the
 * keys' {@code [x ; h ; 1]}, so input, recurrence and bias take one GEMM: the keys' columns are copied from their
 * states into a heap array that enters native memory in one bulk copy, and the gates leave it in one, each key's
 * four gate blocks (block input, forget, output, input gate) side by side for the LSTM cell kernel, which writes
 * the new c and h straight into the key's state and h into the next layer's input. The output is the
 * column-major [V, B], which is the row-major [B, V] the caller reads: logits leave in one bulk copy, and each
 * row's softmax normalizer is summed on the heap (the normalized vector is never needed to score a token).
 *
 * <p>One set of buffers serves every batch size up to its capacity (it grows in powers of two: batch sizes in a
 * stream vary from one step to the next) and is freed on {@link #close()}.
 * Not thread-safe.
 */
public final class Nd4jStepEngine extends WeightsStepEngine {
    /** Per layer: [W ; RW ; b], column-major (nIn + H + 1) × G, used transposed. */
    private final FloatPointer[] stackedWeights;
    /** [Wout ; bout], column-major (H + 1) × V, used transposed. */
    private final FloatPointer outputWeights;
    private final Kernels kernels;
    /** For batches up to its capacity; null until the first step. */
    private Buffers buffers;
    private final Logits logits;

    /** States it makes keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public Nd4jStepEngine(LoadedModel model) {
        this(model, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /** @param historyTokens how many observed tokens the states it makes keep for replay */
    public Nd4jStepEngine(LoadedModel model, int historyTokens) {
        this(new ModelWeights(model), historyTokens, Kernels.best());
    }

    Nd4jStepEngine(ModelWeights weights, int historyTokens, Kernels kernels) {
        super(weights, historyTokens);
        this.kernels = kernels;
        Nd4j.factory(); // ND4J loads OpenBLAS and sets its threads before the first call here
        int g = weights.gates();
        stackedWeights = new FloatPointer[weights.layers];
        for (int l = 0; l < weights.layers; l++) {
            stackedWeights[l] = new FloatPointer(
                    columnMajor(g, weights.inputWeights[l], weights.recurrentWeights[l], weights.biases[l]));
        }
        outputWeights = new FloatPointer(columnMajor(weights.vocab, weights.outputWeights, weights.outputBias));
        logits = new Logits(weights.vocab, kernels);
    }

    /** Row-major blocks of {@code cols} columns, one under the other, as one column-major matrix. */
    private static float[] columnMajor(int cols, float[]... blocks) {
        int rows = 0;
        for (float[] block : blocks) {
            rows += block.length / cols;
        }
        float[] all = new float[rows * cols];
        int row = 0;
        for (float[] block : blocks) {
            for (int r = 0; r < block.length / cols; r++, row++) {
                for (int c = 0; c < cols; c++) {
                    all[c * rows + row] = block[r * cols + c];
                }
            }
        }
        return all;
    }

    @Override
    public Logits stepLogits(List<KeyState> states) {
        int batch = states.size();
        Buffers b = advance(states, batch);
        int h = w.hidden;
        b.nativeTop.put(b.top, 0, batch * (h + 1));
        cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, w.vocab, batch, h + 1, 1f, outputWeights, h + 1,
                b.nativeTop, h + 1, 0f, b.nativeLogits, w.vocab);
        b.nativeLogits.get(logits.prepare(batch), 0, batch * w.vocab);
        return logits.normalize();
    }

    @Override
    public void advance(List<KeyState> states) {
        advance(states, states.size());
    }

    /** The layers' GEMMs and cells: new h and c in every state, the top layer's h in the buffers' {@code top}. */
    private Buffers advance(List<KeyState> states, int batch) {
        Buffers b = buffers(batch);
        int h = w.hidden;
        int g = w.gates();
        for (int l = 0; l < w.layers; l++) {
            int nIn = w.inputSize(l);
            int k = nIn + h + 1;
            float[] input = b.input[l];
            for (int i = 0; i < batch; i++) {
                KeyState state = states.get(i);
                if (l == 0) {
                    System.arraycopy(w.embeddings, state.pendingToken() * nIn, input, i * k, nIn);
                } // else the layer below wrote its new h there
                System.arraycopy(state.hidden()[l], 0, input, i * k + nIn, h);
            }
            b.nativeInput[l].put(input, 0, batch * k);
            cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, g, batch, k, 1f, stackedWeights[l], k,
                    b.nativeInput[l], k, 0f, b.nativeGates, g);
            b.nativeGates.get(b.gates, 0, batch * g);
            boolean last = l + 1 == w.layers;
            float[] next = last ? b.top : b.input[l + 1];
            int nextStride = (last ? 0 : w.inputSize(l + 1)) + h + 1; // [h | 1] on top, else [x | h | 1]
            for (int i = 0; i < batch; i++) {
                KeyState state = states.get(i);
                float[] hidden = state.hidden()[l];
                if (w.lstm) {
                    kernels.lstmCell(b.gates, i * g, state.cell()[l], hidden, h);
                } else {
                    kernels.tanh(b.gates, i * g, hidden, h);
                }
                System.arraycopy(hidden, 0, next, i * nextStride, h);
            }
        }
        return b;
    }

    private Buffers buffers(int batch) {
        if (buffers == null || buffers.capacity < batch) {
            if (buffers != null) {
                buffers.close();
            }
            buffers = new Buffers(batch == 1 ? 1 : Integer.highestOneBit(batch - 1) << 1); // the next power of two
        }
        return buffers;
    }

    /**
     * The buffers for batches of up to {@code capacity} keys. Each key's values are contiguous (column-major with
     * the key as column):
     * native ones for the GEMMs, and their heap twins, which enter and leave native memory in one bulk copy each.
     */
    private final class Buffers implements AutoCloseable {
        /** Per layer: the keys' [x | h_prev | 1], (nIn + H + 1) × B, on the heap and native. */
        final float[][] input;
        final FloatPointer[] nativeInput;
        /** G × B, the GEMM's output, shared by the layers. */
        final float[] gates;
        final FloatPointer nativeGates;
        /** The keys' [h_top | 1], (H + 1) × B. */
        final float[] top;
        final FloatPointer nativeTop;
        /** V × B. */
        final FloatPointer nativeLogits;

        final int capacity;

        Buffers(int batch) {
            capacity = batch;
            int h = w.hidden;
            input = new float[w.layers][];
            nativeInput = new FloatPointer[w.layers];
            for (int l = 0; l < w.layers; l++) {
                input[l] = withOnes(batch, w.inputSize(l) + h);
                nativeInput[l] = new FloatPointer(input[l].length);
            }
            gates = new float[batch * w.gates()];
            nativeGates = new FloatPointer(gates.length);
            top = withOnes(batch, h);
            nativeTop = new FloatPointer(top.length);
            nativeLogits = new FloatPointer((long) w.vocab * batch);
        }

        /** B columns of {@code rows + 1} values whose last is 1 (the bias row's multiplier). */
        private static float[] withOnes(int batch, int rows) {
            float[] columns = new float[batch * (rows + 1)];
            for (int i = 0; i < batch; i++) {
                columns[i * (rows + 1) + rows] = 1f;
            }
            return columns;
        }

        @Override
        public void close() {
            for (FloatPointer p : nativeInput) {
                p.close();
            }
            nativeGates.close();
            nativeTop.close();
            nativeLogits.close();
        }
    }

    @Override
    public void close() {
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
        for (FloatPointer p : stackedWeights) {
            p.close();
        }
        outputWeights.close();
    }
}
