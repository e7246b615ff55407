package io.seqstream.eval.nab;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The built-in baseline detectors by name: {@code null}, {@code random}, {@code windowedGaussian}. */
public final class NabDetectors {
    private static final Map<String, Supplier<NabDetector>> BUILT_IN;

    static {
        Map<String, Supplier<NabDetector>> m = new LinkedHashMap<>();
        m.put("null", NullDetector::new);
        m.put("random", RandomDetector::new);
        m.put("windowedGaussian", WindowedGaussianDetector::new);
        BUILT_IN = java.util.Collections.unmodifiableMap(m);
    }

    private NabDetectors() {
    }

    public static Set<String> names() {
        return BUILT_IN.keySet();
    }

    /** A fresh detector, or empty for an unknown name. */
    public static java.util.Optional<NabDetector> create(String name) {
        return java.util.Optional.ofNullable(BUILT_IN.get(name)).map(Supplier::get);
    }
}
