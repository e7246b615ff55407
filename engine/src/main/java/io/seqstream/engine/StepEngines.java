package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import java.util.List;
import java.util.Locale;

/** Creates stepping engines by kind. */
public final class StepEngines {
    /** DL4J's own {@code rnnTimeStep}: the reference. */
    public static final String DL4J = "dl4j";
    /** Batched OpenBLAS GEMMs into preallocated buffers. */
    public static final String ND4J = "nd4j";
    /** Plain float loops, one key at a time. */
    public static final String JAVA = "java";
    /** Plain Java for small batches, ND4J GEMMs for large ones. */
    public static final String AUTO = "auto";

    private StepEngines() {
    }

    public static List<String> kinds() {
        return List.of(AUTO, ND4J, JAVA, DL4J);
    }

    /** An engine whose states keep {@value KeyState#DEFAULT_HISTORY_TOKENS} tokens of history. */
    public static StepEngine create(LoadedModel model, String kind) {
        return create(model, kind, KeyState.DEFAULT_HISTORY_TOKENS);
    }

    /**
     * @param historyTokens how many observed tokens the states the engine makes keep for replay after a swap
     *                      (the {@code model.replay-tokens} setting); 0 keeps none
     */
    public static StepEngine create(LoadedModel model, String kind, int historyTokens) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case DL4J -> new Dl4jStepEngine(model, historyTokens);
            case ND4J -> new Nd4jStepEngine(model, historyTokens);
            case JAVA -> new JavaStepEngine(model, historyTokens);
            case AUTO -> new AutoStepEngine(new ModelWeights(model), historyTokens);
            default -> throw new IllegalArgumentException("Unknown engine '" + kind + "': expected one of " + kinds());
        };
    }
}
