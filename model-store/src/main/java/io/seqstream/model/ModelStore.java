package io.seqstream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A store of immutable, checksummed model versions, {@code <name>/<version>/} with the network
 * ({@value #NETWORK}), the vocabulary ({@value #VOCABULARY}), any extra files, and {@value #MANIFEST} holding
 * the SHA-256 of each. Versions are numbered 1, 2, 3, … per model name; a version exists once its manifest does.
 *
 * <p>Two backends, chosen by the store URI in {@link #open}: a directory ({@link FileModelStore}) and an
 * S3-compatible bucket ({@link S3ModelStore}). Both verify every checksum before a model is used and refuse a
 * corrupt or incomplete version with a {@link MalformedModelException} naming the file at fault.
 */
public interface ModelStore {
    String MANIFEST = "manifest.json";
    String NETWORK = "network.zip";
    String VOCABULARY = "vocab.json";

    /** Option key: the S3 endpoint URL; empty or absent means AWS itself. */
    String S3_ENDPOINT = "s3.endpoint";
    /** Option key: the S3 region, {@code us-east-1} by default. */
    String S3_REGION = "s3.region";
    /** Option key: {@code true} for path-style bucket addressing; by default true when an endpoint is set. */
    String S3_PATH_STYLE = "s3.path-style";

    /**
     * Opens a store by URI: {@code ./models}, {@code /abs/dir}, {@code file:/abs/dir} or {@code file:///abs/dir}
     * give the filesystem store; {@code s3://bucket[/prefix]} the S3 store.
     *
     * @param options for S3: {@value #S3_ENDPOINT} (empty or absent = AWS), {@value #S3_REGION} (default
     *                {@code us-east-1}), {@value #S3_PATH_STYLE} ({@code true}/{@code false}); other keys are
     *                ignored. Credentials come from the AWS SDK's default chain (environment
     *                {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, system properties, profiles, …).
     * @throws IllegalArgumentException for an unsupported scheme or a malformed URI or option
     */
    static ModelStore open(String uri, Map<String, String> options) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("No model store given: use a directory, file:/dir or s3://bucket/prefix");
        }
        String text = uri.strip();
        if (text.regionMatches(true, 0, "s3://", 0, 5)) {
            return S3ModelStore.open(text, options == null ? Map.of() : options);
        }
        if (text.regionMatches(true, 0, "file:", 0, 5)) {
            String rest = text.substring(5);
            if (!rest.startsWith("/")) {
                return local(Path.of(rest)); // file:relative/dir
            }
            try {
                return local(Path.of(URI.create("file:" + rest)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Malformed file store URI '" + uri + "': " + e.getMessage(), e);
            }
        }
        int colon = text.indexOf(':');
        int slash = text.indexOf('/');
        if (colon > 1 && (slash < 0 || colon < slash)) {
            throw new IllegalArgumentException("Unsupported model store '" + uri
                    + "': use a directory, file:/dir or s3://bucket/prefix");
        }
        return local(Path.of(text));
    }

    /** The filesystem store rooted at {@code root}. */
    static FileModelStore local(Path root) {
        return new FileModelStore(root);
    }

    /** Where the store is, e.g. {@code file:///work/models} or {@code s3://bucket/prefix}. */
    String uri();

    /** Model names with at least one version, sorted. */
    List<String> names() throws IOException;

    /** A model's published versions, oldest first. */
    List<String> versions(String name) throws IOException;

    default Optional<String> latestVersion(String name) throws IOException {
        List<String> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** The reference with its version filled in (the latest if it named none). */
    ModelRef resolve(ModelRef ref) throws ModelException;

    /** Reads a version's manifest without verifying its files. */
    ModelManifest manifest(ModelRef ref) throws ModelException;

    /**
     * Checks that every file the manifest lists exists with its recorded SHA-256. Returns the manifest of a
     * sound version.
     */
    ModelManifest verify(ModelRef ref) throws ModelException;

    /** Verifies and loads a version, checking that network, vocabulary and manifest agree. */
    LoadedModel load(ModelRef ref) throws ModelException;

    /**
     * Publishes a draft as the next version of {@code name} and returns its manifest, which records the draft's
     * parent version (the latest one if the draft names none) and a {@link ModelProbe} of the network.
     */
    ModelManifest publish(String name, ModelDraft draft) throws ModelException;

    /** All manifests of a model, oldest first; versions whose manifest is unreadable are skipped with a WARN. */
    List<ModelManifest> manifests(String name) throws IOException;

    /** Where a version lies, e.g. {@code file:///work/models/hdfs/3} or {@code s3://bucket/prefix/hdfs/3}. */
    String versionUri(ModelRef ref) throws ModelException;

    /** Lower-case hex SHA-256 of the version's {@value #MANIFEST} bytes as stored. */
    String manifestSha256(ModelRef ref) throws ModelException;

    /**
     * Copies a version into {@code targetRoot/<name>/<version>/} (the filesystem store's layout) through a
     * staging directory and an atomic rename, verifying every file's checksum against the manifest and the
     * manifest's own SHA-256 against {@code expectedManifestSha256} (null: not checked). Idempotent: an existing
     * complete, verified copy is reused; a corrupt leftover is replaced.
     *
     * @return the version's directory under {@code targetRoot}
     * @throws MalformedModelException naming the fault if the version is corrupt, incomplete or not the expected one
     */
    Path download(ModelRef ref, Path targetRoot, String expectedManifestSha256) throws ModelException;

    /** The JSON mapper used for manifests and vocabularies. */
    static ObjectMapper json() {
        return VersionFiles.JSON;
    }

    /** Serialises a manifest as the store writes it. */
    static String toJson(ModelManifest manifest) {
        try {
            return VersionFiles.JSON.writeValueAsString(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Versions of the libraries that build and run models, as recorded in every manifest. */
    static Map<String, String> libraryVersions() {
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
}
