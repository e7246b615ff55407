package io.seqstream.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code current} pointer of a served-models directory: which version of a model the application beside
 * it should serve. The directory has the filesystem store's layout ({@code <dir>/<name>/<version>/}) plus one
 * file {@code <dir>/<name>/current} holding the active version and the SHA-256 of its manifest.
 *
 * <p>The sidecar writes the pointer only after a version has been downloaded, verified and probed, and replaces
 * it atomically (a temporary file renamed over it), so a reader sees the old pointer or the new one, never a
 * half-written one.
 *
 * @param version the active version of the model
 * @param manifestSha256 lower-case hex SHA-256 of that version's {@code manifest.json}
 */
public record ModelPointer(String name, String version, String manifestSha256) {
    public static final String FILE = "current";

    public ModelPointer {
        ModelRef.of(name, version); // validates the name
    }

    public ModelRef ref() {
        return ModelRef.of(name, version);
    }

    /** The pointer of {@code name} under {@code dir}, or empty when none has been written yet. */
    public static Optional<ModelPointer> read(Path dir, String name) throws IOException {
        Path file = dir.resolve(name).resolve(FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String[] lines = text.strip().split("\\R");
        if (lines.length < 2 || lines[0].isBlank() || lines[1].isBlank()) {
            throw new IOException("Malformed model pointer " + file + ": expected the version and the manifest's"
                    + " SHA-256 on two lines, found '" + text.strip() + "'");
        }
        return Optional.of(new ModelPointer(name, lines[0].strip(), lines[1].strip()));
    }

    /** Replaces the pointer atomically. */
    public void write(Path dir) throws IOException {
        Path modelDir = dir.resolve(name);
        Files.createDirectories(modelDir);
        Path tmp = modelDir.resolve(".current-" + UUID.randomUUID());
        try {
            Files.writeString(tmp, version + "\n" + manifestSha256 + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, modelDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
