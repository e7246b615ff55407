package io.seqstream.training;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What {@link NetworkFactory} builds.
 *
 * @param vocabSize    V: embedding rows and softmax outputs
 * @param embedding    E: size of the learned token embedding
 * @param hidden       H: units of each recurrent layer
 * @param layers       L: stacked recurrent layers
 * @param learningRate Adam's learning rate
 * @param clip         gradient clipping threshold (L2 norm per parameter type); 0 turns clipping off
 * @param tbpttLength  truncated BPTT segment length (forward and backward); 0 for full backpropagation
 *                     through time
 * @param dataType     {@code FLOAT} for training, {@code DOUBLE} for gradient checks
 */
public record NetworkSpec(Cell cell, int vocabSize, int embedding, int hidden, int layers,
                          double learningRate, double clip, int tbpttLength, DataType dataType, long seed) {

    public NetworkSpec {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(dataType, "dataType");
        if (vocabSize < 1 || embedding < 1 || hidden < 1 || layers < 1) {
            throw new IllegalArgumentException("Vocabulary, embedding, hidden and layers must be positive, got V="
                    + vocabSize + " E=" + embedding + " H=" + hidden + " L=" + layers);
        }
        if (!(learningRate > 0) || clip < 0 || tbpttLength < 0) {
            throw new IllegalArgumentException("Need learning rate > 0, clip >= 0, TBPTT length >= 0; got "
                    + learningRate + ", " + clip + ", " + tbpttLength);
        }
    }

    /** A float network with Adam(0.005), clipping at 5 and no TBPTT. */
    public static NetworkSpec of(Cell cell, int vocabSize, int embedding, int hidden, int layers) {
        return new NetworkSpec(cell, vocabSize, embedding, hidden, layers, TrainingConfig.DEFAULT_LEARNING_RATE,
                TrainingConfig.DEFAULT_CLIP, 0, DataType.FLOAT, TrainingConfig.DEFAULT_SEED);
    }

    public NetworkSpec withDataType(DataType type) {
        return new NetworkSpec(cell, vocabSize, embedding, hidden, layers, learningRate, clip, tbpttLength, type, seed);
    }

    public NetworkSpec withClip(double threshold) {
        return new NetworkSpec(cell, vocabSize, embedding, hidden, layers, learningRate, threshold, tbpttLength,
                dataType, seed);
    }

    public NetworkSpec withTbptt(int length) {
        return new NetworkSpec(cell, vocabSize, embedding, hidden, layers, learningRate, clip, length, dataType, seed);
    }

    public NetworkSpec withSeed(long newSeed) {
        return new NetworkSpec(cell, vocabSize, embedding, hidden, layers, learningRate, clip, tbpttLength, dataType,
                newSeed);
    }
}
