package io.seqstream.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A store in an S3-compatible bucket: objects {@code <prefix>/<name>/<version>/<file>}, the filesystem store's
 * layout under a key prefix. A version exists once its {@value #MANIFEST} object does: {@link #publish} uploads
 * every other file first and the manifest last.
 *
 * <p>{@link #verify}, {@link #load} and {@link #download} copy a version's objects into a local directory and
 * verify them there with the same code as the filesystem store; messages name the {@code s3://} object at fault.
 *
 * <p>Version numbers are taken as in the filesystem store (one after the latest), but S3 has no atomic rename:
 * two publishers of the same model name racing on the same number would both upload into one version, and the
 * mixture fails verification (refused, never silently wrong). Publish each model name from one place at a time.
 */
public final class S3ModelStore extends AbstractModelStore {
    private static final Logger log = LoggerFactory.getLogger(S3ModelStore.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    /**
     * @param prefix key prefix without leading or trailing slash; empty for the bucket's root
     */
    S3ModelStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /** Opens {@code s3://bucket[/prefix]}; see {@link ModelStore#open} for the options. */
    static S3ModelStore open(String uri, Map<String, String> options) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("Invalid S3 bucket in '" + uri
                    + "': expected s3://bucket[/prefix] with a bucket of 3-63 lower-case letters, digits, '.' or '-'");
        }
        String endpoint = options.getOrDefault(S3_ENDPOINT, "").strip();
        String region = options.getOrDefault(S3_REGION, "").strip();
        String pathStyle = options.getOrDefault(S3_PATH_STYLE, "").strip().toLowerCase(Locale.ROOT);
        if (!pathStyle.isEmpty() && !pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new IllegalArgumentException(S3_PATH_STYLE + " must be true or false, not '" + pathStyle + "'");
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(region.isEmpty() ? "us-east-1" : region))
                .forcePathStyle(pathStyle.isEmpty() ? !endpoint.isEmpty() : Boolean.parseBoolean(pathStyle))
                // Our own SHA-256s guard every file; the SDK's optional CRCs only narrow which S3-compatible
                // servers work.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!endpoint.isEmpty()) {
            try {
                builder.endpointOverride(URI.create(endpoint));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid " + S3_ENDPOINT + " '" + endpoint + "': " + e.getMessage(), e);
            }
        }
        return new S3ModelStore(builder.build(), bucket, prefix);
    }

    private static String trimSlashes(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == '/') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '/') {
            end--;
        }
        return text.substring(start, end);
    }

    public String bucket() {
        return bucket;
    }

    /** The key prefix, without leading or trailing slash; empty for the bucket's root. */
    public String prefix() {
        return prefix;
    }

    @Override
    public String uri() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private String base() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    private String key(String name, String version, String file) {
        return base() + name + "/" + version + "/" + file;
    }

    @Override
    String versionUri(String name, String version) {
        return uri() + "/" + name + "/" + version;
    }

    @Override
    String location(ModelRef resolved, String file) {
        return "s3://" + bucket + "/" + key(resolved.name(), resolved.version().orElseThrow(), file);
    }

    @Override
    public List<String> names() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try {
            for (CommonPrefix common : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(base()).delimiter("/"))
                    .commonPrefixes()) {
                String name = common.prefix().substring(base().length());
                name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                if (VersionFiles.isValidName(name)) {
                    names.add(name);
                }
            }
        } catch (SdkException e) {
            throw new IOException("Cannot list models in " + uri() + ": " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!versions(name).isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** Versions whose manifest object exists, oldest first. */
    @Override
    public List<String> versions(String name) throws IOException {
        if (!VersionFiles.isValidName(name)) {
            return List.of();
        }
        String modelPrefix = base() + name + "/";
        String suffix = "/" + MANIFEST;
        List<String> versions = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(modelPrefix)).contents()) {
                String rest = object.key().substring(modelPrefix.length());
                if (rest.endsWith(suffix)) {
                    String version = rest.substring(0, rest.length() - suffix.length());
                    if (VersionFiles.isValidVersion(version)) {
                        versions.add(version);
                    }
                }
            }
        } catch (SdkException e) {
            throw new IOException("Cannot list versions of '" + name + "' in " + uri() + ": " + e.getMessage(), e);
        }
        versions.sort(VersionFiles.versionOrder());
        return List.copyOf(versions);
    }

    @Override
    boolean versionExists(String name, String version) throws IOException {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key(name, version, MANIFEST)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new IOException("Cannot look up " + versionUri(name, version) + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("Cannot look up " + versionUri(name, version) + ": " + e.getMessage(), e);
        }
    }

    @Override
    byte[] readManifestBytes(ModelRef resolved) throws ModelException {
        String where = location(resolved, MANIFEST);
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket)
                    .key(key(resolved.name(), resolved.version().orElseThrow(), MANIFEST)));
            return bytes.asByteArray();
        } catch (NoSuchKeyException e) {
            throw new MalformedModelException("Model " + resolved + " is incomplete: " + where + " is missing");
        } catch (SdkException e) {
            throw new ModelException("Cannot read " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    void copyFile(ModelRef resolved, String file, Path target) throws IOException {
        try {
            s3.getObject(r -> r.bucket(bucket).key(key(resolved.name(), resolved.version().orElseThrow(), file)),
                    ResponseTransformer.toFile(target));
        } catch (NoSuchKeyException e) {
            Files.deleteIfExists(target);
            throw new NoSuchFileException(location(resolved, file));
        } catch (SdkException | UncheckedIOException e) {
            throw new IOException("Cannot read " + location(resolved, file) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelManifest verify(ModelRef ref) throws ModelException {
        Path scratch = scratchDir();
        try {
            download(ref, scratch, null);
            return manifest(ref);
        } finally {
            VersionFiles.deleteQuietly(scratch);
        }
    }

    @Override
    public LoadedModel load(ModelRef ref) throws ModelException {
        ModelRef resolved = resolve(ref);
        Path scratch = scratchDir();
        try {
            Path dir = download(resolved, scratch, null);
            ModelManifest manifest = VersionFiles.parseManifest(Files.readAllBytes(dir.resolve(MANIFEST)), resolved,
                    location(resolved, MANIFEST));
            return VersionFiles.load(manifest, dir, file -> location(resolved, file));
        } catch (IOException e) {
            throw new ModelException("Cannot load " + resolved + " from " + uri() + ": " + e, e);
        } finally {
            VersionFiles.deleteQuietly(scratch);
        }
    }

    private static Path scratchDir() throws ModelException {
        try {
            return Files.createTempDirectory("seqstream-s3-model-");
        } catch (IOException e) {
            throw new ModelException("Cannot create a temporary directory for a model download: " + e, e);
        }
    }

    /**
     * Publishes a draft as the next version: every file is uploaded under the version's prefix, then
     * {@value #MANIFEST} last, so the version appears only once it is complete.
     */
    @Override
    public ModelManifest publish(String name, ModelDraft draft) throws ModelException {
        Path staging = scratchDir();
        try {
            VersionFiles.Staged staged = VersionFiles.stage(name, draft, staging);
            if (draft.parentVersion() != null && !versionExists(name, draft.parentVersion())) {
                throw new ModelNotFoundException("Cannot publish " + name + ": its parent version "
                        + draft.parentVersion() + " is not in " + uri());
            }
            Optional<String> latest = latestVersion(name);
            String version = Long.toString(latest.map(Long::parseLong).orElse(0L) + 1);
            String parent = draft.parentVersion() != null ? draft.parentVersion() : latest.orElse(null);
            ModelManifest manifest = staged.manifest(name, version, parent, draft);
            for (String file : staged.files().keySet()) {
                Path source = staging.resolve(file);
                s3.putObject(r -> r.bucket(bucket).key(key(name, version, file)), RequestBody.fromFile(source));
            }
            if (versionExists(name, version)) {
                throw new ModelException("Cannot publish " + name + ": version " + version + " was published by"
                        + " someone else meanwhile, and its files may now be mixed with these: verify it");
            }
            s3.putObject(r -> r.bucket(bucket).key(key(name, version, MANIFEST)).contentType("application/json"),
                    RequestBody.fromBytes(VersionFiles.JSON.writeValueAsBytes(manifest)));
            log.info("Published model {} into {}", manifest.label(), versionUri(name, version));
            return manifest;
        } catch (IOException | SdkException e) {
            throw new ModelException("Cannot publish " + name + " into " + uri() + ": " + e.getMessage(), e);
        } finally {
            VersionFiles.deleteQuietly(staging);
        }
    }

    @Override
    public String toString() {
        return "S3ModelStore[" + uri() + "]";
    }
}
