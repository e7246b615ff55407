package io.seqstream.engine.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An LSTM token network's parameters as plain row-major float arrays, in DL4J's layout, with a small binary file
 * format so that they can travel to a machine without DL4J (the GPU machine gets this module's jar and JavaCPP's,
 * nothing else).
 *
 * <p>DL4J's LSTM gate blocks, in order along the 4H axis: block input (tanh), forget, output, input gate; no
 * peepholes. The step: {@code g = x·W + h·RW + b}; {@code c' = σ(g_f)·c + σ(g_i)·tanh(g_z)};
 * {@code h' = σ(g_o)·tanh(c')}; logits {@code = h'_top·Wout + bout}, then softmax.
 *
 * @param embeddings       [V][E]
 * @param inputWeights     per layer [nIn][4H] (nIn = E for layer 0, else H)
 * @param recurrentWeights per layer [H][4H]
 * @param biases           per layer [4H]
 * @param outputWeights    [H][V]
 * @param outputBias       [V]
 */
public record LstmWeights(int vocab, int embedding, int hidden, int layers, float[] embeddings,
                          float[][] inputWeights, float[][] recurrentWeights, float[][] biases,
                          float[] outputWeights, float[] outputBias) {
    private static final int MAGIC = 0x53514c57; // "SQLW"
    private static final int FORMAT = 1;

    public LstmWeights {
        check("embeddings", embeddings.length, (long) vocab * embedding);
        if (inputWeights.length != layers || recurrentWeights.length != layers || biases.length != layers) {
            throw new IllegalArgumentException("Expected " + layers + " layers of weights");
        }
        for (int l = 0; l < layers; l++) {
            check("input weights of layer " + l, inputWeights[l].length, (long) inputSize(l, embedding, hidden) * 4 * hidden);
            check("recurrent weights of layer " + l, recurrentWeights[l].length, 4L * hidden * hidden);
            check("bias of layer " + l, biases[l].length, 4L * hidden);
        }
        check("output weights", outputWeights.length, (long) hidden * vocab);
        check("output bias", outputBias.length, vocab);
    }

    private static void check(String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + ": expected " + expected + " floats, got " + actual);
        }
    }

    private static int inputSize(int layer, int embedding, int hidden) {
        return layer == 0 ? embedding : hidden;
    }

    /** The input width of layer {@code layer}. */
    public int inputSize(int layer) {
        return inputSize(layer, embedding, hidden);
    }

    /** Multiply-adds per event, times two: the GEMM FLOPs of one step of one key. */
    public long flopsPerEvent() {
        long flops = 0;
        for (int l = 0; l < layers; l++) {
            flops += 2L * (inputSize(l) + hidden) * 4 * hidden;
        }
        return flops + 2L * hidden * vocab;
    }

    /** "V5000 E64 H256 L2". */
    public String shape() {
        return "V" + vocab + " E" + embedding + " H" + hidden + " L" + layers;
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(vocab);
            out.writeInt(embedding);
            out.writeInt(hidden);
            out.writeInt(layers);
            writeFloats(out, embeddings);
            for (int l = 0; l < layers; l++) {
                writeFloats(out, inputWeights[l]);
                writeFloats(out, recurrentWeights[l]);
                writeFloats(out, biases[l]);
            }
            writeFloats(out, outputWeights);
            writeFloats(out, outputBias);
        }
    }

    public static LstmWeights read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a seqstream LSTM weights file");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException(file + ": unknown weights format " + format + " (this build reads " + FORMAT + ")");
            }
            int v = in.readInt();
            int e = in.readInt();
            int h = in.readInt();
            int layers = in.readInt();
            float[] embeddings = readFloats(in, (long) v * e);
            float[][] w = new float[layers][];
            float[][] rw = new float[layers][];
            float[][] b = new float[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = readFloats(in, (long) inputSize(l, e, h) * 4 * h);
                rw[l] = readFloats(in, 4L * h * h);
                b[l] = readFloats(in, 4L * h);
            }
            float[] out = readFloats(in, (long) h * v);
            float[] outBias = readFloats(in, v);
            return new LstmWeights(v, e, h, layers, embeddings, w, rw, b, out, outBias);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in, long count) throws IOException {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
