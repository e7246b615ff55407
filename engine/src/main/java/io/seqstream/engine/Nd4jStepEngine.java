package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Steps a batch of keys with one OpenBLAS GEMM per layer, written into preallocated {@code 'f'}-order buffers
 * (FINDINGS: 6–10× faster than letting ND4J allocate c-order results).
 *
 * <p>Each layer multiplies {@code [x | h | 1]} by the stacked {@code [W ; RW ; b]}, so input, recurrence and
 * bias take one GEMM. In {@code 'f'} order every column block of a matrix is contiguous, so the gate blocks
 * (block input, forget, output, input gate) are contiguous slabs for the in-place element-wise ops, and each
 * layer writes its new h straight into the next layer's input block. The output is computed transposed, as
 * [V,B] in {@code 'f'} order, which is the row-major [B,V] the caller reads: probabilities leave in one bulk
 * copy.
 *
 * <p>Buffers are kept per batch size (a few sizes recently used). Not thread-safe.
 */
public final class Nd4jStepEngine extends WeightsStepEngine {
    private static final int CACHED_BATCH_SIZES = 8;

    /** Per layer: [W ; RW ; b], ((nIn + H + 1) × G). */
    private final INDArray[] stackedWeights;
    /** [Wout ; bout], ((H + 1) × V). */
    private final INDArray outputWeights;
    private final Map<Integer, Buffers> buffers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Buffers> eldest) {
            return size() > CACHED_BATCH_SIZES;
        }
    };
    private float[] probabilities = new float[0];

    /** States it makes keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public Nd4jStepEngine(LoadedModel model) {
        this(model, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /** @param historyTokens how many observed tokens the states it makes keep for replay */
    public Nd4jStepEngine(LoadedModel model, int historyTokens) {
        this(new ModelWeights(model), historyTokens);
    }

    Nd4jStepEngine(ModelWeights weights, int historyTokens) {
        super(weights, historyTokens);
        int g = weights.gates();
        stackedWeights = new INDArray[weights.layers];
        for (int l = 0; l < weights.layers; l++) {
            stackedWeights[l] = stack(g, weights.inputWeights[l], weights.recurrentWeights[l], weights.biases[l]);
        }
        outputWeights = stack(weights.vocab, weights.outputWeights, weights.outputBias);
    }

    /** Row-major blocks of {@code cols} columns, one under the other, as one {@code 'f'}-order matrix. */
    private static INDArray stack(int cols, float[]... blocks) {
        int rows = 0;
        for (float[] block : blocks) {
            rows += block.length / cols;
        }
        float[] all = new float[rows * cols];
        int at = 0;
        for (float[] block : blocks) {
            System.arraycopy(block, 0, all, at, block.length);
            at += block.length;
        }
        return Nd4j.create(all, new long[] {rows, cols}, DataType.FLOAT).dup('f');
    }

    @Override
    public float[] step(List<KeyState> states) {
        int batch = states.size();
        Buffers b = buffers.computeIfAbsent(batch, Buffers::new);
        gatherEmbeddings(states, b);
        for (int l = 0; l < w.layers; l++) {
            gather(states, l, b.layerInput[l], w.inputSize(l), true);
            if (w.lstm) {
                gather(states, l, b.cell[l], 0, false);
            }
            stepLayer(l, b);
        }
        Nd4j.gemm(outputWeights, b.top, b.logitsT, true, true, 1.0, 0.0);
        Nd4j.exec(new SoftMax(b.logitsT, b.logitsT, 0));
        for (int l = 0; l < w.layers; l++) {
            scatter(b.newHidden[l], states, l, true);
            if (w.lstm) {
                scatter(b.cell[l], states, l, false);
            }
        }
        if (probabilities.length < batch * w.vocab) {
            probabilities = new float[batch * w.vocab];
        }
        b.logitsT.data().asNioFloat().get(probabilities, 0, batch * w.vocab);
        return probabilities;
    }

    /** One layer: gates = [x | h | 1]·[W ; RW ; b], then the cell update; h goes to the next layer's input. */
    private void stepLayer(int l, Buffers b) {
        int h = w.hidden;
        INDArray gates = b.gates[l];
        Nd4j.gemm(b.layerInput[l], stackedWeights[l], gates, false, false, 1.0, 0.0);
        if (!w.lstm) {
            Nd4j.exec(new Tanh(gates, b.newHidden[l]));
            return;
        }
        INDArray blockInput = gates.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h));
        INDArray forget = gates.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h));
        INDArray output = gates.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * h, 3 * h));
        INDArray inputGate = gates.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * h, 4 * h));
        Transforms.tanh(blockInput, false);
        Transforms.sigmoid(gates.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 4 * h)), false);
        INDArray cell = b.cell[l];
        cell.muli(forget).addi(inputGate.muli(blockInput));
        Nd4j.exec(new Tanh(cell, b.cellActivation));
        Nd4j.exec(new MulOp(output, b.cellActivation, b.newHidden[l]));
    }

    private void gatherEmbeddings(List<KeyState> states, Buffers b) {
        FloatBuffer x = b.layerInput[0].data().asNioFloat();
        int batch = states.size();
        int e = w.embedding;
        for (int i = 0; i < batch; i++) {
            int row = states.get(i).pendingToken() * e;
            for (int k = 0; k < e; k++) {
                x.put(k * batch + i, w.embeddings[row + k]);
            }
        }
    }

    /** Writes each state's row into columns {@code firstColumn ...} of an {@code 'f'}-order buffer. */
    private void gather(List<KeyState> states, int layer, INDArray target, int firstColumn, boolean hidden) {
        FloatBuffer buf = target.data().asNioFloat();
        int batch = states.size();
        int base = (int) target.offset() + firstColumn * batch;
        for (int i = 0; i < batch; i++) {
            float[] row = hidden ? states.get(i).hidden()[layer] : states.get(i).cell()[layer];
            for (int j = 0; j < row.length; j++) {
                buf.put(base + j * batch + i, row[j]);
            }
        }
    }

    private void scatter(INDArray source, List<KeyState> states, int layer, boolean hidden) {
        FloatBuffer buf = source.data().asNioFloat();
        int batch = states.size();
        int base = (int) source.offset();
        for (int i = 0; i < batch; i++) {
            float[] row = hidden ? states.get(i).hidden()[layer] : states.get(i).cell()[layer];
            for (int j = 0; j < row.length; j++) {
                row[j] = buf.get(base + j * batch + i);
            }
        }
    }

    /** The preallocated arrays for one batch size, all {@code 'f'} order. */
    private final class Buffers {
        /** Per layer: [x | h_prev | 1], B × (nIn + H + 1). */
        final INDArray[] layerInput;
        /** Per layer: where its new h goes — the next layer's x block, or {@link #top}'s h block. */
        final INDArray[] newHidden;
        final INDArray[] cell;
        final INDArray[] gates;
        /** [h_top | 1], B × (H + 1). */
        final INDArray top;
        final INDArray cellActivation;
        final INDArray logitsT;

        Buffers(int batch) {
            int h = w.hidden;
            layerInput = new INDArray[w.layers];
            newHidden = new INDArray[w.layers];
            cell = new INDArray[w.layers];
            gates = new INDArray[w.layers];
            for (int l = 0; l < w.layers; l++) {
                int nIn = w.inputSize(l);
                layerInput[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, nIn + h + 1}, 'f');
                layerInput[l].getColumn(nIn + h).assign(1f);
                cell[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, h}, 'f');
                gates[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, w.gates()}, 'f');
            }
            top = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, h + 1}, 'f');
            top.getColumn(h).assign(1f);
            for (int l = 0; l < w.layers; l++) {
                INDArray target = l + 1 < w.layers ? layerInput[l + 1] : top;
                newHidden[l] = target.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h));
            }
            cellActivation = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, h}, 'f');
            logitsT = Nd4j.createUninitialized(DataType.FLOAT, new long[] {w.vocab, batch}, 'f');
        }
    }

    @Override
    public void close() {
        buffers.clear();
    }
}
