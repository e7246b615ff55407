package io.seqstream.model;

import java.util.Objects;
import java.util.Optional;

/**
 * Which model: a name and, optionally, a version. Written {@code name} (the latest version) or
 * {@code name@version}.
 */
public record ModelRef(String name, Optional<String> version) {

    public ModelRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!VersionFiles.isValidName(name)) {
            throw new IllegalArgumentException("Invalid model name '" + name
                    + "': use letters, digits, '.', '_' and '-' only, starting with a letter or digit");
        }
    }

    public static ModelRef latest(String name) {
        return new ModelRef(name, Optional.empty());
    }

    public static ModelRef of(String name, String version) {
        return new ModelRef(name, Optional.of(version));
    }

    /** Parses {@code name} or {@code name@version}. */
    public static ModelRef parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            return latest(text);
        }
        String version = text.substring(at + 1);
        if (version.isEmpty() || version.equals("latest")) {
            return latest(text.substring(0, at));
        }
        return of(text.substring(0, at), version);
    }

    @Override
    public String toString() {
        return version.map(v -> name + "@" + v).orElse(name);
    }
}
