package io.seqstream.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every backend shares: resolving references, reading manifests, and downloading a version into a local
 * directory with verification. A backend supplies listing, existence, and reading one stored file.
 */
abstract class AbstractModelStore implements ModelStore {
    private static final Logger log = LoggerFactory.getLogger(AbstractModelStore.class);

    /** Whether the version exists (for the file store: its directory; for S3: its manifest). */
    abstract boolean versionExists(String name, String version) throws IOException;

    /** The stored bytes of {@link #MANIFEST} of a resolved version. */
    abstract byte[] readManifestBytes(ModelRef resolved) throws ModelException;

    /** Copies one stored file of a resolved version to {@code target} (which does not exist yet). */
    abstract void copyFile(ModelRef resolved, String file, Path target) throws IOException;

    /** How messages name a stored file of a resolved version: a path or a URI. */
    abstract String location(ModelRef resolved, String file);

    @Override
    public ModelRef resolve(ModelRef ref) throws ModelException {
        try {
            if (ref.version().isPresent()) {
                if (!VersionFiles.isValidVersion(ref.version().get())
                        || !versionExists(ref.name(), ref.version().get())) {
                    throw new ModelNotFoundException("Model " + ref + " not found in " + uri()
                            + describeAvailable(ref.name()));
                }
                return ref;
            }
            return latestVersion(ref.name()).map(v -> ModelRef.of(ref.name(), v))
                    .orElseThrow(() -> new ModelNotFoundException("No versions of model '" + ref.name()
                            + "' in " + uri() + describeAvailable(ref.name())));
        } catch (IOException | UncheckedIOException e) {
            throw new ModelException("Cannot list versions of '" + ref.name() + "' in " + uri() + ": " + e, e);
        }
    }

    private String describeAvailable(String name) {
        try {
            List<String> versions = versions(name);
            if (!versions.isEmpty()) {
                return " (versions: " + String.join(", ", versions) + ")";
            }
            List<String> names = names();
            return names.isEmpty() ? " (the store is empty: train one with `seqstream train`)"
                    : " (models: " + String.join(", ", names) + ")";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    @Override
    public ModelManifest manifest(ModelRef ref) throws ModelException {
        ModelRef resolved = resolve(ref);
        return VersionFiles.parseManifest(readManifestBytes(resolved), resolved, location(resolved, MANIFEST));
    }

    @Override
    public String manifestSha256(ModelRef ref) throws ModelException {
        return Sha256.of(readManifestBytes(resolve(ref)));
    }

    @Override
    public String versionUri(ModelRef ref) throws ModelException {
        ModelRef resolved = resolve(ref);
        return versionUri(resolved.name(), resolved.version().orElseThrow());
    }

    /** The URI of a version, whether or not it exists. */
    abstract String versionUri(String name, String version);

    @Override
    public List<ModelManifest> manifests(String name) throws IOException {
        List<ModelManifest> out = new ArrayList<>();
        for (String version : versions(name)) {
            try {
                out.add(manifest(ModelRef.of(name, version)));
            } catch (ModelException e) {
                log.warn("Skipping {}@{}: {}", name, version, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Path download(ModelRef ref, Path targetRoot, String expectedManifestSha256) throws ModelException {
        ModelRef resolved = resolve(ref);
        byte[] manifestBytes = readManifestBytes(resolved);
        String sha = Sha256.of(manifestBytes);
        if (expectedManifestSha256 != null && !expectedManifestSha256.equalsIgnoreCase(sha)) {
            throw new MalformedModelException("Model " + resolved + ": " + location(resolved, MANIFEST)
                    + " has SHA-256 " + sha + " but " + expectedManifestSha256 + " was expected");
        }
        ModelManifest manifest = VersionFiles.parseManifest(manifestBytes, resolved, location(resolved, MANIFEST));
        VersionFiles.checkFileNames(manifest);
        Path modelDir = targetRoot.toAbsolutePath().normalize().resolve(manifest.name());
        Path target = modelDir.resolve(manifest.version());
        if (Files.isDirectory(target)) {
            String fault = faultOfCopy(target, manifest, sha);
            if (fault == null) {
                log.debug("Model {} already downloaded into {}", manifest.label(), target);
                return target;
            }
            log.warn("Replacing the copy of {} in {}: {}", manifest.label(), target, fault);
        }
        Path staging = modelDir.resolve(".download-" + UUID.randomUUID());
        Path replaced = null;
        try {
            Files.createDirectories(staging);
            Files.write(staging.resolve(MANIFEST), manifestBytes);
            for (String file : manifest.files().keySet()) {
                try {
                    copyFile(resolved, file, staging.resolve(file));
                } catch (NoSuchFileException e) {
                    throw new MalformedModelException("Model " + manifest.label() + " is incomplete: "
                            + location(resolved, file) + " is missing");
                }
            }
            VersionFiles.verifyFiles(manifest, staging, file -> location(resolved, file));
            if (Files.exists(target)) {
                replaced = modelDir.resolve(".replaced-" + UUID.randomUUID());
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // A concurrent download got there first: keep its copy if it is sound.
                String fault = faultOfCopy(target, manifest, sha);
                if (fault != null) {
                    throw new MalformedModelException("Model " + manifest.label() + ": " + target
                            + " appeared while downloading and is not sound: " + fault);
                }
            }
            log.info("Downloaded model {} from {} into {}", manifest.label(),
                    versionUri(manifest.name(), manifest.version()), target);
            return target;
        } catch (AtomicMoveNotSupportedException e) {
            throw new ModelException("Cannot download " + manifest.label() + ": " + targetRoot
                    + " does not support atomic renames: " + e, e);
        } catch (IOException e) {
            throw new ModelException("Cannot download " + manifest.label() + " into " + targetRoot + ": " + e, e);
        } finally {
            VersionFiles.deleteQuietly(staging);
            VersionFiles.deleteQuietly(replaced);
        }
    }

    /** Null if {@code dir} holds exactly this manifest and sound files, else what is wrong with it. */
    private static String faultOfCopy(Path dir, ModelManifest manifest, String manifestSha256) {
        try {
            String copied = Sha256.of(dir.resolve(MANIFEST));
            if (!copied.equals(manifestSha256)) {
                return dir.resolve(MANIFEST) + " has SHA-256 " + copied + ", not the stored " + manifestSha256;
            }
            VersionFiles.verifyFiles(manifest, dir, file -> dir.resolve(file).toString());
            return null;
        } catch (NoSuchFileException e) {
            return dir.resolve(MANIFEST) + " is missing";
        } catch (IOException | MalformedModelException e) {
            return e.getMessage();
        }
    }
}
