package io.seqstream.bench;

import java.util.List;
import java.util.Locale;

/**
 * One benchmarked architecture: {@code Embedding(V→E)}, {@code layers} LSTM layers of width H, softmax over V.
 *
 * @param name the short name used in table rows and JSON fields ({@code small}, {@code large})
 */
record BenchModel(String name, int vocab, int embedding, int hidden, int layers) {
    /** V128 E32 H128, one layer: a log-key model. */
    static final BenchModel SMALL = new BenchModel("small", 128, 32, 128, 1);
    /** V5000 E64 H256, two layers: a word-level model. */
    static final BenchModel LARGE = new BenchModel("large", 5000, 64, 256, 2);
    static final List<BenchModel> ALL = List.of(SMALL, LARGE);

    /**
     * Multiply-adds counted twice per event for one step: the gate GEMM of the first layer
     * ({@code 2·(E+H)·4H}), of every further layer ({@code 2·(H+H)·4H}) and the output projection
     * ({@code 2·H·V}). Element-wise work (activations, softmax) is not counted: it is what the ceiling leaves
     * out, so an engine's percentage of the ceiling shows how little else it spends.
     */
    long flopsPerEvent() {
        long h = hidden;
        long firstLayer = 2L * (embedding + h) * 4 * h;
        long furtherLayers = 2L * (h + h) * 4 * h * (layers - 1);
        long output = 2L * h * vocab;
        return firstLayer + furtherLayers + output;
    }

    /** {@code V128 E32 H128 L1}. */
    String shape() {
        return String.format(Locale.ROOT, "V%d E%d H%d L%d", vocab, embedding, hidden, layers);
    }

    /** How the PyTorch peer takes a model on its command line: {@code name:V:E:H:L}. */
    String peerSpec() {
        return name + ":" + vocab + ":" + embedding + ":" + hidden + ":" + layers;
    }
}
