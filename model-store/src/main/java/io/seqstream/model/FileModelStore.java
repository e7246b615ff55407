package io.seqstream.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem store: versions laid out as {@code <root>/<name>/<version>/} with the network
 * ({@value #NETWORK}), the vocabulary ({@value #VOCABULARY}), any extra files, and {@value #MANIFEST}.
 *
 * <p>A version is written into a hidden staging directory and renamed into place in one step, so a reader
 * never sees half a version. Loading verifies every checksum in place and refuses a corrupt or incomplete
 * version with a message naming the file at fault.
 */
public final class FileModelStore extends AbstractModelStore {
    private static final Logger log = LoggerFactory.getLogger(FileModelStore.class);

    private final Path root;

    public FileModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String uri() {
        return fileUri(root);
    }

    /** {@code file:///abs/path}, without the trailing slash {@link Path#toUri()} adds to directories. */
    static String fileUri(Path path) {
        try {
            return new URI("file", "", path.toAbsolutePath().normalize().toString(), null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Cannot make a URI of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> names() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(VersionFiles::isValidName)
                    .filter(name -> !versionsUnchecked(name).isEmpty())
                    .sorted()
                    .toList();
        }
    }

    @Override
    public List<String> versions(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!VersionFiles.isValidName(name) || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(VersionFiles::isValidVersion)
                    .sorted(VersionFiles.versionOrder())
                    .toList();
        }
    }

    private List<String> versionsUnchecked(String name) {
        try {
            return versions(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path versionDir(String name, String version) {
        return root.resolve(name).resolve(version);
    }

    @Override
    boolean versionExists(String name, String version) {
        return Files.isDirectory(versionDir(name, version));
    }

    @Override
    String versionUri(String name, String version) {
        return fileUri(versionDir(name, version));
    }

    @Override
    String location(ModelRef resolved, String file) {
        return versionDir(resolved.name(), resolved.version().orElseThrow()).resolve(file).toString();
    }

    @Override
    byte[] readManifestBytes(ModelRef resolved) throws ModelException {
        Path file = versionDir(resolved.name(), resolved.version().orElseThrow()).resolve(MANIFEST);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MalformedModelException("Model " + resolved + " is incomplete: " + file + " is missing");
        } catch (IOException e) {
            throw new MalformedModelException("Model " + resolved + " has an unreadable " + file + ": " + e, e);
        }
    }

    @Override
    void copyFile(ModelRef resolved, String file, Path target) throws IOException {
        Files.copy(versionDir(resolved.name(), resolved.version().orElseThrow()).resolve(file), target);
    }

    /**
     * Checks that every file the manifest lists exists with its recorded SHA-256. Returns the manifest of a
     * sound version.
     */
    @Override
    public ModelManifest verify(ModelRef ref) throws ModelException {
        ModelManifest manifest = manifest(ref);
        Path dir = versionDir(manifest.name(), manifest.version());
        VersionFiles.verifyFiles(manifest, dir, file -> dir.resolve(file).toString());
        return manifest;
    }

    @Override
    public LoadedModel load(ModelRef ref) throws ModelException {
        ModelManifest manifest = verify(ref);
        Path dir = versionDir(manifest.name(), manifest.version());
        return VersionFiles.load(manifest, dir, file -> dir.resolve(file).toString());
    }

    /**
     * Publishes a draft as the next version of {@code name}, atomically: the files are written into a staging
     * directory that is renamed into place; if a concurrent publisher took the version number, the next one
     * is tried.
     */
    @Override
    public ModelManifest publish(String name, ModelDraft draft) throws ModelException {
        Path modelDir = root.resolve(name);
        Path staging = modelDir.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            VersionFiles.Staged staged = VersionFiles.stage(name, draft, staging);
            if (draft.parentVersion() != null && !versionExists(name, draft.parentVersion())) {
                throw new ModelNotFoundException("Cannot publish " + name + ": its parent version "
                        + draft.parentVersion() + " is not in " + uri());
            }
            for (int attempt = 0; ; attempt++) {
                Optional<String> latest = latestVersion(name);
                String version = Long.toString(latest.map(Long::parseLong).orElse(0L) + 1);
                String parent = draft.parentVersion() != null ? draft.parentVersion() : latest.orElse(null);
                ModelManifest manifest = staged.manifest(name, version, parent, draft);
                VersionFiles.JSON.writeValue(staging.resolve(MANIFEST).toFile(), manifest);
                try {
                    Files.move(staging, versionDir(name, version), StandardCopyOption.ATOMIC_MOVE);
                    log.info("Published model {} into {}", manifest.label(), versionDir(name, version));
                    return manifest;
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    if (attempt >= 10) {
                        throw new ModelException("Cannot publish " + name + ": version " + version
                                + " keeps being taken by a concurrent publisher", e);
                    }
                }
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new ModelException("The model store " + root + " does not support atomic renames: " + e, e);
        } catch (IOException e) {
            throw new ModelException("Cannot publish " + name + " into " + root + ": " + e, e);
        } finally {
            VersionFiles.deleteQuietly(staging);
        }
    }

    @Override
    public String toString() {
        return "FileModelStore[" + root + "]";
    }
}
