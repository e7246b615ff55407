package io.seqstream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A filesystem store of immutable model versions, laid out as {@code <root>/<name>/<version>/} with the
 * network ({@value #NETWORK}), the vocabulary ({@value #VOCABULARY}), any extra files, and
 * {@value #MANIFEST} holding the SHA-256 of each. Versions are numbered 1, 2, 3, … per model name.
 *
 * <p>A version is written into a hidden temporary directory and renamed into place in one step, so a reader
 * never sees half a version. Loading verifies every checksum and refuses a corrupt or incomplete version with
 * a message naming the file at fault.
 */
public final class ModelStore {
    public static final String MANIFEST = "manifest.json";
    public static final String NETWORK = "network.zip";
    public static final String VOCABULARY = "vocab.json";

    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]*");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path root;

    public ModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    /** The JSON mapper used for manifests and vocabularies. */
    public static ObjectMapper json() {
        return JSON;
    }

    /** Model names with at least one version, sorted. */
    public List<String> names() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(ModelStore::isValidName)
                    .filter(name -> !versionsUnchecked(name).isEmpty())
                    .sorted()
                    .toList();
        }
    }

    /** A model's published versions, oldest first. */
    public List<String> versions(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!isValidName(name) || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(v -> VERSION.matcher(v).matches())
                    .sorted(Comparator.comparingLong(Long::parseLong))
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

    public Optional<String> latestVersion(String name) throws IOException {
        List<String> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** The reference with its version filled in (the latest if it named none). */
    public ModelRef resolve(ModelRef ref) throws ModelException {
        if (ref.version().isPresent()) {
            if (!Files.isDirectory(versionDir(ref.name(), ref.version().get()))) {
                throw new ModelNotFoundException("Model " + ref + " not found in " + root
                        + describeAvailable(ref.name()));
            }
            return ref;
        }
        try {
            return latestVersion(ref.name()).map(v -> ModelRef.of(ref.name(), v))
                    .orElseThrow(() -> new ModelNotFoundException("No versions of model '" + ref.name()
                            + "' in " + root + describeAvailable(ref.name())));
        } catch (IOException e) {
            throw new ModelException("Cannot list versions of '" + ref.name() + "' in " + root + ": " + e, e);
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

    public Path versionDir(String name, String version) {
        return root.resolve(name).resolve(version);
    }

    /** Reads a version's manifest without verifying its files. */
    public ModelManifest manifest(ModelRef ref) throws ModelException {
        ModelRef resolved = resolve(ref);
        Path file = versionDir(resolved.name(), resolved.version().orElseThrow()).resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new MalformedModelException("Model " + resolved + " is incomplete: " + file + " is missing");
        }
        try {
            ModelManifest manifest = JSON.readValue(file.toFile(), ModelManifest.class);
            if (!manifest.name().equals(resolved.name()) || !manifest.version().equals(resolved.version().get())) {
                throw new MalformedModelException(file + " describes " + manifest.label()
                        + ", but it lies in the directory of " + resolved);
            }
            return manifest;
        } catch (IOException e) {
            throw new MalformedModelException("Model " + resolved + " has an unreadable " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks that every file the manifest lists exists with its recorded SHA-256 and that the vocabulary and
     * network agree with the manifest. Returns the manifest of a sound version.
     */
    public ModelManifest verify(ModelRef ref) throws ModelException {
        ModelManifest manifest = manifest(ref);
        verifyFiles(manifest);
        return manifest;
    }

    private void verifyFiles(ModelManifest manifest) throws MalformedModelException {
        Path dir = versionDir(manifest.name(), manifest.version());
        for (String required : List.of(NETWORK, VOCABULARY)) {
            if (!manifest.files().containsKey(required)) {
                throw new MalformedModelException("Model " + manifest.label() + ": " + MANIFEST
                        + " lists no checksum for " + required);
            }
        }
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            Path path = dir.resolve(file.getKey()).normalize();
            if (!path.getParent().equals(dir)) {
                throw new MalformedModelException("Model " + manifest.label() + ": " + MANIFEST
                        + " names a file outside its directory: " + file.getKey());
            }
            String actual;
            try {
                actual = Sha256.of(path);
            } catch (NoSuchFileException e) {
                throw new MalformedModelException("Model " + manifest.label() + " is incomplete: " + path
                        + " is missing");
            } catch (IOException e) {
                throw new MalformedModelException("Model " + manifest.label() + ": cannot read " + path + ": " + e, e);
            }
            if (!actual.equals(file.getValue())) {
                throw new MalformedModelException("Model " + manifest.label() + " is corrupt: " + path
                        + " has SHA-256 " + actual + " but the manifest records " + file.getValue());
            }
        }
    }

    /** Verifies and loads a version. */
    public LoadedModel load(ModelRef ref) throws ModelException {
        ModelManifest manifest = verify(ref);
        Path dir = versionDir(manifest.name(), manifest.version());
        Vocabulary vocabulary;
        try {
            vocabulary = JSON.readValue(dir.resolve(VOCABULARY).toFile(), Vocabulary.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": unreadable " + dir.resolve(VOCABULARY)
                    + ": " + e.getMessage(), e);
        }
        MultiLayerNetwork network;
        try {
            network = ModelSerializer.restoreMultiLayerNetwork(dir.resolve(NETWORK).toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": cannot restore the network from "
                    + dir.resolve(NETWORK) + ": " + e.getMessage(), e);
        }
        try {
            checkConsistent(manifest, vocabulary, network);
        } catch (MalformedModelException e) {
            network.close();
            throw e;
        }
        log.info("Loaded model {} ({}, {})", manifest.label(), manifest.architecture(), vocabulary);
        return new LoadedModel(manifest, vocabulary, network);
    }

    private static void checkConsistent(ModelManifest manifest, Vocabulary vocabulary, MultiLayerNetwork network)
            throws MalformedModelException {
        ModelManifest.Architecture actual;
        try {
            actual = NetworkShape.of(network);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + NETWORK
                    + " is not a token network: " + e.getMessage());
        }
        if (!actual.equals(manifest.architecture())) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + NETWORK + " has architecture "
                    + actual + " but " + MANIFEST + " records " + manifest.architecture());
        }
        if (vocabulary.size() != actual.vocabSize() || vocabulary.size() != manifest.vocabulary().size()
                || vocabulary.kind() != manifest.vocabulary().kind()) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + VOCABULARY + " (" + vocabulary
                    + ") does not fit the network's " + actual.vocabSize() + " outputs or the manifest's "
                    + manifest.vocabulary());
        }
    }

    /**
     * Publishes a draft as the next version of {@code name}, atomically, and returns its manifest. The
     * version that was latest becomes the new one's parent.
     */
    public ModelManifest publish(String name, ModelDraft draft) throws ModelException {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("Invalid model name '" + name + "'");
        }
        ModelManifest.Architecture architecture;
        try {
            architecture = NetworkShape.of(draft.network());
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("Cannot publish: " + e.getMessage());
        }
        if (architecture.vocabSize() != draft.vocabulary().size()) {
            throw new MalformedModelException("Cannot publish: the network has " + architecture.vocabSize()
                    + " outputs but the vocabulary " + draft.vocabulary().size() + " tokens");
        }
        Path modelDir = root.resolve(name);
        Path staging = modelDir.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            Map<String, String> files = new LinkedHashMap<>();
            ModelSerializer.writeModel(draft.network(), staging.resolve(NETWORK).toFile(), false);
            JSON.writeValue(staging.resolve(VOCABULARY).toFile(), draft.vocabulary());
            for (Map.Entry<String, Path> extra : draft.extraFiles().entrySet()) {
                if (extra.getKey().equals(MANIFEST) || !isValidName(extra.getKey())) {
                    throw new IllegalArgumentException("Invalid extra file name '" + extra.getKey() + "'");
                }
                Files.copy(extra.getValue(), staging.resolve(extra.getKey()), StandardCopyOption.REPLACE_EXISTING);
            }
            try (Stream<Path> staged = Files.list(staging)) {
                for (Path file : staged.sorted().toList()) {
                    files.put(file.getFileName().toString(), Sha256.of(file));
                }
            }
            for (int attempt = 0; ; attempt++) {
                Optional<String> parent = latestVersion(name);
                String version = Long.toString(parent.map(Long::parseLong).orElse(0L) + 1);
                ModelManifest manifest = new ModelManifest(name, version, Instant.now(), parent.orElse(null),
                        architecture, ModelManifest.VocabularyInfo.of(draft.vocabulary()), draft.trainingData(),
                        draft.metrics(), libraryVersions(), files);
                JSON.writeValue(staging.resolve(MANIFEST).toFile(), manifest);
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
            deleteQuietly(staging);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Could not delete staging directory {}: {}", dir, e.toString());
        }
    }

    /** Versions of the libraries that build and run models, as recorded in every manifest. */
    public static Map<String, String> libraryVersions() {
        Map<String, String> versions = new LinkedHashMap<>();
        Properties build = new Properties();
        try (InputStream in = ModelStore.class.getResourceAsStream("/seqstream-build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        build.stringPropertyNames().forEach(k -> versions.put(k, build.getProperty(k)));
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }

    /** Serialises a manifest as the store writes it. */
    public static String toJson(ModelManifest manifest) {
        try {
            return JSON.writeValueAsString(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All manifests of a model, oldest first; versions whose manifest is unreadable are skipped with a WARN. */
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
}
