package io.seqstream.bench;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The benchmark's models: real DL4J networks from {@link NetworkFactory}, randomly initialised with a fixed
 * seed (untrained: speed does not depend on the weights), published into a temporary {@link ModelStore} and
 * loaded back through it, exactly as the application loads a trained model.
 *
 * <p>Every vocabulary is {@code <s> <e> <unk> t3 t4 … t(V-1)} (kind {@code id}), so a token {@code tN} with
 * {@code N < 128} is known to both models and one input stream serves both.
 */
final class BenchModels implements AutoCloseable {
    private final ModelStore store;
    private final Map<BenchModel, LoadedModel> loaded;

    private BenchModels(ModelStore store, Map<BenchModel, LoadedModel> loaded) {
        this.store = store;
        this.loaded = loaded;
    }

    /** Builds, publishes and loads each model under the name {@code bench-<name>}. */
    static BenchModels publish(Path storeDir, List<BenchModel> models, long seed) throws ModelException {
        ModelStore store = ModelStore.local(storeDir);
        Map<BenchModel, LoadedModel> loaded = new LinkedHashMap<>();
        try {
            for (BenchModel model : models) {
                MultiLayerNetwork network = NetworkFactory.create(
                        NetworkSpec.of(Cell.LSTM, model.vocab(), model.embedding(), model.hidden(), model.layers())
                                .withSeed(seed));
                ModelManifest.TrainingData untrained = new ModelManifest.TrainingData("none",
                        "seqstream bench: untrained, random initialisation with seed " + seed, 0, 0);
                ModelManifest manifest = store.publish(modelName(model),
                        new ModelDraft(network, vocabulary(model.vocab()), untrained, Map.of(), Map.of()));
                network.close();
                loaded.put(model, store.load(manifest.ref()));
            }
        } catch (ModelException | RuntimeException e) {
            loaded.values().forEach(LoadedModel::close);
            throw e;
        }
        return new BenchModels(store, loaded);
    }

    static String modelName(BenchModel model) {
        return "bench-" + model.name();
    }

    /** {@code <s> <e> <unk> t3 … t(size-1)}. */
    static Vocabulary vocabulary(int size) {
        List<String> tokens = new ArrayList<>(Vocabulary.RESERVED);
        for (int id = tokens.size(); id < size; id++) {
            tokens.add(token(id));
        }
        return new Vocabulary(VocabularyKind.ID, false, tokens);
    }

    /** The token with vocabulary id {@code id} (for ids past the reserved ones). */
    static String token(int id) {
        return "t" + id;
    }

    ModelStore store() {
        return store;
    }

    LoadedModel get(BenchModel model) {
        LoadedModel m = loaded.get(model);
        if (m == null) {
            throw new IllegalArgumentException("Model " + model.name() + " was not published");
        }
        return m;
    }

    @Override
    public void close() {
        loaded.values().forEach(LoadedModel::close);
    }
}
