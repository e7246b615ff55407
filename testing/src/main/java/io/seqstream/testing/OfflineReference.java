package io.seqstream.testing;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.Vocabulary;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the network says about a whole sequence at once, with {@code output()} over [<s>, t1, ..., tn]:
 * the reference every streamed score must match.
 */
public final class OfflineReference {
    private OfflineReference() {
    }

    /**
     * Row {@code i} is the distribution the network predicts for token {@code i} (0-based) of {@code tokens}
     * given {@code <s>} and the tokens before it; one more row for what follows the last token.
     */
    public static float[][] distributions(LoadedModel model, List<String> tokens) {
        Vocabulary vocab = model.vocabulary();
        float[] ids = new float[tokens.size() + 1];
        ids[0] = Vocabulary.START_ID;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = vocab.id(tokens.get(i));
        }
        MultiLayerNetwork network = model.newNetworkCopy();
        try {
            INDArray out = network.output(Nd4j.createFromArray(ids).reshape(1, 1, ids.length));
            float[][] rows = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                rows[t] = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(t)).dup().toFloatVector();
            }
            return rows;
        } finally {
            network.close();
        }
    }
}
