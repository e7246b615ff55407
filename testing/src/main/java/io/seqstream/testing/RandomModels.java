package io.seqstream.testing;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelDraft;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelManifest;
import io.seqstream.model.ModelStore;
import io.seqstream.model.Vocabulary;
import io.seqstream.model.VocabularyKind;
import io.seqstream.training.Cell;
import io.seqstream.training.NetworkFactory;
import io.seqstream.training.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Seeded, randomly initialised real DL4J networks of any shape, published into a store and loaded back. */
public final class RandomModels {
    private RandomModels() {
    }

    public static LoadedModel create(Path storeDir, String name, Cell cell, int vocab, int embedding, int hidden,
                                     int layers) throws ModelException {
        List<String> tokens = new ArrayList<>(Vocabulary.RESERVED);
        for (int i = tokens.size(); i < vocab; i++) {
            tokens.add("t" + i);
        }
        Vocabulary vocabulary = new Vocabulary(VocabularyKind.ID, false, tokens);
        ModelStore store = ModelStore.local(storeDir);
        store.publish(name, new ModelDraft(NetworkFactory.create(NetworkSpec.of(cell, vocab, embedding, hidden, layers)),
                vocabulary, new ModelManifest.TrainingData("none", "random", 0, 0), Map.of(), Map.of()));
        return store.load(io.seqstream.model.ModelRef.latest(name));
    }
}
