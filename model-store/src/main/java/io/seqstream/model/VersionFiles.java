package io.seqstream.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of what a version directory holds, shared by every backend: names, manifest parsing,
 * checksum verification, loading with consistency checks, and staging a draft's files. Backends that keep
 * versions elsewhere copy them into a local directory first and verify them there.
 *
 * <p>Messages name files through a {@code where} function (file name to the location the user knows, e.g. a
 * path or an {@code s3://} URI), so a fault found in a local copy still names the stored object.
 */
final class VersionFiles {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final Pattern VERSION = Pattern.compile("[1-9][0-9]*");
    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private static final Logger log = LoggerFactory.getLogger(VersionFiles.class);

    private VersionFiles() {
    }

    static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    static boolean isValidVersion(String version) {
        return VERSION.matcher(version).matches();
    }

    static Comparator<String> versionOrder() {
        return Comparator.comparingLong(Long::parseLong);
    }

    /** Parses a manifest's bytes and checks that it describes {@code resolved}. */
    static ModelManifest parseManifest(byte[] bytes, ModelRef resolved, String where) throws MalformedModelException {
        ModelManifest manifest;
        try {
            manifest = JSON.readValue(bytes, ModelManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedModelException("Model " + resolved + " has an unreadable " + where + ": "
                    + e.getMessage(), e);
        }
        if (!manifest.name().equals(resolved.name()) || !manifest.version().equals(resolved.version().orElseThrow())) {
            throw new MalformedModelException(where + " describes " + manifest.label()
                    + ", but it lies in the place of " + resolved);
        }
        return manifest;
    }

    /** Checks that the manifest lists the required files and only plain names inside the version. */
    static void checkFileNames(ModelManifest manifest) throws MalformedModelException {
        for (String required : List.of(ModelStore.NETWORK, ModelStore.VOCABULARY)) {
            if (!manifest.files().containsKey(required)) {
                throw new MalformedModelException("Model " + manifest.label() + ": " + ModelStore.MANIFEST
                        + " lists no checksum for " + required);
            }
        }
        for (String file : manifest.files().keySet()) {
            if (!isValidName(file) || file.equals(ModelStore.MANIFEST)) {
                throw new MalformedModelException("Model " + manifest.label() + ": " + ModelStore.MANIFEST
                        + " names a file outside its directory: " + file);
            }
        }
    }

    /** Verifies every file the manifest lists against its SHA-256, in {@code dir}. */
    static void verifyFiles(ModelManifest manifest, Path dir, Function<String, String> where)
            throws MalformedModelException {
        checkFileNames(manifest);
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            String actual;
            try {
                actual = Sha256.of(path);
            } catch (NoSuchFileException e) {
                throw new MalformedModelException("Model " + manifest.label() + " is incomplete: "
                        + where.apply(file.getKey()) + " is missing");
            } catch (IOException e) {
                throw new MalformedModelException("Model " + manifest.label() + ": cannot read "
                        + where.apply(file.getKey()) + ": " + e, e);
            }
            if (!actual.equals(file.getValue())) {
                throw new MalformedModelException("Model " + manifest.label() + " is corrupt: "
                        + where.apply(file.getKey()) + " has SHA-256 " + actual + " but the manifest records "
                        + file.getValue());
            }
        }
    }

    /** Loads a version whose files in {@code dir} have been verified, checking they agree with the manifest. */
    static LoadedModel load(ModelManifest manifest, Path dir, Function<String, String> where)
            throws MalformedModelException {
        Vocabulary vocabulary;
        try {
            vocabulary = JSON.readValue(dir.resolve(ModelStore.VOCABULARY).toFile(), Vocabulary.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": unreadable "
                    + where.apply(ModelStore.VOCABULARY) + ": " + e.getMessage(), e);
        }
        MultiLayerNetwork network;
        try {
            network = ModelSerializer.restoreMultiLayerNetwork(dir.resolve(ModelStore.NETWORK).toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": cannot restore the network from "
                    + where.apply(ModelStore.NETWORK) + ": " + e.getMessage(), e);
        }
        ModelCalibration calibration = null;
        try {
            checkConsistent(manifest, vocabulary, network);
            if (manifest.files().containsKey(ModelCalibration.FILE)) {
                try {
                    calibration = JSON.readValue(dir.resolve(ModelCalibration.FILE).toFile(), ModelCalibration.class);
                } catch (IOException | IllegalArgumentException e) {
                    throw new MalformedModelException("Model " + manifest.label() + ": unreadable "
                            + where.apply(ModelCalibration.FILE) + ": " + e.getMessage(), e);
                }
            }
        } catch (MalformedModelException e) {
            network.close();
            throw e;
        }
        log.info("Loaded model {} ({}, {}{})", manifest.label(), manifest.architecture(), vocabulary,
                calibration == null ? ", no calibration" : ", calibrated");
        return new LoadedModel(manifest, vocabulary, network, calibration);
    }

    private static void checkConsistent(ModelManifest manifest, Vocabulary vocabulary, MultiLayerNetwork network)
            throws MalformedModelException {
        ModelManifest.Architecture actual;
        try {
            actual = NetworkShape.of(network);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + ModelStore.NETWORK
                    + " is not a token network: " + e.getMessage());
        }
        if (!actual.equals(manifest.architecture())) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + ModelStore.NETWORK
                    + " has architecture " + actual + " but " + ModelStore.MANIFEST + " records "
                    + manifest.architecture());
        }
        if (vocabulary.size() != actual.vocabSize() || vocabulary.size() != manifest.vocabulary().size()
                || vocabulary.kind() != manifest.vocabulary().kind()) {
            throw new MalformedModelException("Model " + manifest.label() + ": " + ModelStore.VOCABULARY + " ("
                    + vocabulary + ") does not fit the network's " + actual.vocabSize()
                    + " outputs or the manifest's " + manifest.vocabulary());
        }
    }

    /** A draft written out for publishing: its architecture, files with checksums, and probe. */
    record Staged(ModelManifest.Architecture architecture, Map<String, String> files, ModelProbe probe) {
        ModelManifest manifest(String name, String version, String parentVersion, ModelDraft draft) {
            return new ModelManifest(name, version, Instant.now(), parentVersion, architecture,
                    ModelManifest.VocabularyInfo.of(draft.vocabulary()), draft.trainingData(), draft.metrics(),
                    ModelStore.libraryVersions(), files, probe);
        }
    }

    /**
     * Checks a draft and writes its network, vocabulary and extra files into {@code staging}, which must exist
     * and be empty; computes their checksums and the network's probe.
     */
    static Staged stage(String name, ModelDraft draft, Path staging) throws ModelException, IOException {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("Invalid model name '" + name + "'");
        }
        if (draft.parentVersion() != null && !isValidVersion(draft.parentVersion())) {
            throw new IllegalArgumentException("Invalid parent version '" + draft.parentVersion() + "'");
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
        ModelSerializer.writeModel(draft.network(), staging.resolve(ModelStore.NETWORK).toFile(), false);
        JSON.writeValue(staging.resolve(ModelStore.VOCABULARY).toFile(), draft.vocabulary());
        for (Map.Entry<String, Path> extra : draft.extraFiles().entrySet()) {
            if (extra.getKey().equals(ModelStore.MANIFEST) || !isValidName(extra.getKey())) {
                throw new IllegalArgumentException("Invalid extra file name '" + extra.getKey() + "'");
            }
            Files.copy(extra.getValue(), staging.resolve(extra.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> staged = Files.list(staging)) {
            for (Path file : staged.sorted().toList()) {
                files.put(file.getFileName().toString(), Sha256.of(file));
            }
        }
        return new Staged(architecture, files, ModelProbe.record(draft.network()));
    }

    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
