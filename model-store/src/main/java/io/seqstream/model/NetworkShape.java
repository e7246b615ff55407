package io.seqstream.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Reads and checks the shape of a token network: an {@link EmbeddingSequenceLayer}, one or more recurrent
 * layers of one cell type and equal width, then an {@link RnnOutputLayer}.
 */
public final class NetworkShape {
    private NetworkShape() {
    }

    /** The network's architecture, or an exception saying which layer does not fit the expected shape. */
    public static ModelManifest.Architecture of(MultiLayerNetwork network) {
        int n = network.getnLayers();
        List<Layer> layers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            layers.add(network.getLayerWiseConfigurations().getConf(i).getLayer());
        }
        if (n < 3 || !(layers.get(0) instanceof EmbeddingSequenceLayer embedding)
                || !(layers.get(n - 1) instanceof RnnOutputLayer output)) {
            throw new IllegalArgumentException("Expected EmbeddingSequenceLayer, recurrent layers, RnnOutputLayer; got "
                    + layers.stream().map(l -> l.getClass().getSimpleName()).toList());
        }
        String cell = null;
        long hidden = -1;
        for (int i = 1; i < n - 1; i++) {
            Layer layer = layers.get(i);
            String thisCell = layer instanceof LSTM ? "lstm" : layer instanceof SimpleRnn ? "simple" : null;
            if (thisCell == null) {
                throw new IllegalArgumentException("Layer " + i + " is a " + layer.getClass().getSimpleName()
                        + "; only LSTM and SimpleRnn layers may sit between embedding and output");
            }
            long width = ((BaseRecurrentLayer) layer).getNOut();
            if ((cell != null && !cell.equals(thisCell)) || (hidden >= 0 && hidden != width)) {
                throw new IllegalArgumentException("Recurrent layers must share one cell type and width; layer " + i
                        + " is " + thisCell + "(" + width + ")");
            }
            cell = thisCell;
            hidden = width;
        }
        if (embedding.getNIn() != output.getNOut()) {
            throw new IllegalArgumentException("Embedding input size " + embedding.getNIn()
                    + " differs from output size " + output.getNOut());
        }
        return new ModelManifest.Architecture(cell, Math.toIntExact(output.getNOut()),
                Math.toIntExact(embedding.getNOut()), Math.toIntExact(hidden), n - 2);
    }
}
