package io.seqstream.engine;

import io.seqstream.model.LoadedModel;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

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

    /**
     * Sets the threads of every BLAS call in this process (ND4J's OpenBLAS): {@code 0} for one per core, ND4J's own
     * default. OpenBLAS's workers spin between calls, so on a stream thread stepping small batches more than one
     * thread mostly takes CPU from the other threads of the process; returns the count now in force.
     */
    public static int blasThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("BLAS threads must be 0 (one per core) or more, got " + threads);
        }
        int wanted = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        var blas = Nd4j.factory().blas();
        if (blas.getMaxThreads() != wanted) {
            LoggerFactory.getLogger(StepEngines.class).info("BLAS threads: {} (were {})", wanted, blas.getMaxThreads());
            blas.setMaxThreads(wanted);
        }
        return blas.getMaxThreads();
    }

    /**
     * What the heap-side arithmetic of the {@code java}, {@code nd4j} and {@code auto} engines runs on in this JVM:
     * {@code "vector (256-bit)"} (the Vector API, with {@code --add-modules jdk.incubator.vector}) or
     * {@code "scalar"}.
     */
    public static String kernels() {
        return Kernels.best().describe();
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
            case AUTO -> new AutoStepEngine(new ModelWeights(model), historyTokens, Kernels.best());
            default -> throw new IllegalArgumentException("Unknown engine '" + kind + "': expected one of " + kinds());
        };
    }
}
