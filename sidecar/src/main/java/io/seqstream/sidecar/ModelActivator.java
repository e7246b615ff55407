package io.seqstream.sidecar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.MalformedModelException;
import io.seqstream.model.ModelException;
import io.seqstream.model.ModelNotFoundException;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelProbe;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.schemas.v1.ModelAnnouncement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an announced version the active one in a served-models directory, or refuses it. Kafka-free: the
 * {@link Sidecar} feeds it announcements from the models topic; {@code seqstream run} may feed it too.
 *
 * <p>The pipeline for one announcement: download into {@code <dir>/<name>/<version>/} (the store stages it and
 * renames it into place, verifying every file's checksum against the manifest and the manifest's SHA-256 against
 * the announcement's), load it from there (consistency of network, vocabulary and manifest), run the probe
 * ({@link ModelProbe#check}), and only then replace the {@code current} pointer atomically; finally prune old
 * versions down to the last {@code keepVersions} activated ones (never the active one). A version that fails a
 * step is rejected: WARN log, {@value SidecarMetrics#REJECTIONS} counter by reason, a line in the status file,
 * and the pointer stays where it was.
 *
 * <p>Crash safety: every step is idempotent and the pointer is written last, so after a crash at any step the
 * same announcement, replayed, reaches the same state; leftover staging entries (hidden, {@code .}-prefixed) in
 * the model's directory are removed first. One activator owns a directory; not thread-safe.
 */
public final class ModelActivator {
    /** What became of an announcement. */
    public enum Outcome {
        /** The pointer now names the announced version (it may have already). */
        ACTIVE,
        /** Refused for good: the pointer was left as it was. */
        REJECTED,
        /** The store could not be read (network, permissions): try the same announcement again later. */
        RETRY,
        /** The announcement is for another model. */
        IGNORED
    }

    private static final Logger log = LoggerFactory.getLogger(ModelActivator.class);
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]*");

    private final ModelStore store;
    private final Path dir;
    private final String name;
    private final int keepVersions;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer activationTime;

    public ModelActivator(ModelStore store, Path dir, String name, int keepVersions, MeterRegistry registry) {
        this(store, dir, name, keepVersions, registry, Clock.systemUTC());
    }

    ModelActivator(ModelStore store, Path dir, String name, int keepVersions, MeterRegistry registry, Clock clock) {
        if (keepVersions < 1) {
            throw new IllegalArgumentException("sidecar.keep-versions must be at least 1, got " + keepVersions);
        }
        ModelRef.latest(name); // validates the name
        this.store = store;
        this.dir = dir.toAbsolutePath().normalize();
        this.name = name;
        this.keepVersions = keepVersions;
        this.registry = registry;
        this.clock = clock;
        this.activationTime = Timer.builder(SidecarMetrics.ACTIVATION_TIME).tag(SidecarMetrics.TAG_MODEL, name)
                .description("Download, verification, load and probe of an announced version").register(registry);
    }

    public String modelName() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /** The status file's content, or an empty status before the first write. */
    public SidecarStatus status() {
        try {
            return SidecarStatus.read(dir, name).orElseGet(() -> SidecarStatus.empty(name));
        } catch (IOException e) {
            log.warn("Unreadable {}, starting a new one: {}", SidecarStatus.file(dir, name), e.toString());
            return SidecarStatus.empty(name);
        }
    }

    /**
     * Handles one announcement.
     *
     * @param offset where it was read on the models topic, or -1
     */
    public Outcome activate(ModelAnnouncement announcement, long offset) {
        if (!announcement.getName().equals(name)) {
            return Outcome.IGNORED;
        }
        String version = announcement.getVersion();
        String sha = announcement.getManifestSha256().toLowerCase(Locale.ROOT);
        ModelRef ref = ModelRef.of(name, version);
        try {
            SidecarStatus status = status().seen(new SidecarStatus.Seen(version, announcement.getAction(), sha, offset,
                    clock.instant()), clock.instant());
            status.write(dir);
            Optional<ModelPointer> pointer = ModelPointer.read(dir, name);
            if (pointer.isPresent() && pointer.get().version().equals(version)
                    && pointer.get().manifestSha256().equalsIgnoreCase(sha)
                    && Files.isDirectory(dir.resolve(name).resolve(version))) {
                log.debug("{}@{} is already active", name, version);
                finish(status, version, sha, false);
                return Outcome.ACTIVE;
            }
            Optional<SidecarStatus.Rejection> earlier = status.rejectionOf(version, sha);
            if (earlier.isPresent()) {
                log.info("Not retrying {}@{}: rejected at {} ({})", name, version, earlier.get().at(),
                        earlier.get().reason());
                return Outcome.REJECTED;
            }
            long started = System.nanoTime();
            Outcome outcome = downloadVerifyAndProbe(ref, sha, status);
            if (outcome == Outcome.ACTIVE) {
                new ModelPointer(name, version, sha).write(dir);
                activationTime.record(java.time.Duration.ofNanos(System.nanoTime() - started));
                Counter.builder(SidecarMetrics.ACTIVATIONS).tag(SidecarMetrics.TAG_MODEL, name)
                        .description("Announced versions activated").register(registry).increment();
                log.info("Activated {}@{} ({}{})", name, version, announcement.getAction(),
                        announcement.getForced() ? ", gate skipped with --force" : "");
                finish(status, version, sha, true);
            }
            return outcome;
        } catch (IOException | UncheckedIOException e) {
            log.warn("Cannot activate {}@{} in {} (will retry): {}", name, version, dir, e.toString());
            return Outcome.RETRY;
        }
    }

    private Outcome downloadVerifyAndProbe(ModelRef ref, String sha, SidecarStatus status) throws IOException {
        cleanLeftovers();
        String stored;
        try {
            stored = store.manifestSha256(ref);
        } catch (ModelNotFoundException e) {
            return reject(status, ref, sha, RejectionReason.NOT_FOUND, e.getMessage());
        } catch (MalformedModelException e) {
            return reject(status, ref, sha, RejectionReason.of(e), e.getMessage());
        } catch (ModelException e) {
            log.warn("Cannot read the manifest of {} from {} (will retry): {}", ref, store.uri(), e.getMessage());
            return Outcome.RETRY;
        }
        if (!stored.equalsIgnoreCase(sha)) {
            return reject(status, ref, sha, RejectionReason.MANIFEST_SHA, "the manifest of " + ref + " in "
                    + store.uri() + " has SHA-256 " + stored + " but the announcement says " + sha);
        }
        try {
            store.download(ref, dir, sha);
        } catch (ModelNotFoundException e) {
            return reject(status, ref, sha, RejectionReason.NOT_FOUND, e.getMessage());
        } catch (MalformedModelException e) {
            RejectionReason reason = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains(sha)
                    ? RejectionReason.MANIFEST_SHA : RejectionReason.of(e);
            return reject(status, ref, sha, reason, e.getMessage());
        } catch (ModelException e) {
            log.warn("Cannot download {} from {} (will retry): {}", ref, store.uri(), e.getMessage());
            return Outcome.RETRY;
        }
        try (LoadedModel loaded = ModelStore.local(dir).load(ref)) {
            try {
                ModelProbe.check(loaded);
            } catch (MalformedModelException e) {
                return reject(status, ref, sha, RejectionReason.PROBE, e.getMessage());
            }
        } catch (ModelNotFoundException e) {
            return reject(status, ref, sha, RejectionReason.NOT_FOUND, e.getMessage());
        } catch (ModelException e) {
            return reject(status, ref, sha, RejectionReason.of(e), e.getMessage());
        }
        return Outcome.ACTIVE;
    }

    private Outcome reject(SidecarStatus status, ModelRef ref, String sha, RejectionReason reason, String message)
            throws IOException {
        log.warn("Rejected {} ({}): {}; the active version stays {}", ref, reason.tag(), message,
                status.activeVersion() == null ? "none" : name + "@" + status.activeVersion());
        Counter.builder(SidecarMetrics.REJECTIONS).tag(SidecarMetrics.TAG_MODEL, name)
                .tag(SidecarMetrics.TAG_REASON, reason.tag())
                .description("Announced versions refused by the sidecar").register(registry).increment();
        status.rejected(new SidecarStatus.Rejection(ref.version().orElseThrow(), sha, reason.tag(), message,
                clock.instant())).write(dir);
        String version = ref.version().orElseThrow();
        if (!status.kept().contains(version) && !version.equals(status.activeVersion())) {
            deleteRecursively(dir.resolve(name).resolve(version));
        }
        return Outcome.REJECTED;
    }

    /** Records the active version and prunes: the active one plus the most recently activated others. */
    private void finish(SidecarStatus status, String version, String sha, boolean newlyActivated) throws IOException {
        Set<String> kept = new LinkedHashSet<>();
        kept.add(version);
        for (String v : status.kept()) {
            if (kept.size() >= keepVersions) {
                break;
            }
            if (Files.isDirectory(dir.resolve(name).resolve(v))) {
                kept.add(v);
            }
        }
        SidecarStatus updated = newlyActivated || !version.equals(status.activeVersion())
                || !status.kept().equals(List.copyOf(kept))
                ? status.activated(version, sha, List.copyOf(kept), clock.instant())
                : status;
        if (updated != status || status.activeVersion() == null) {
            updated.write(dir);
        }
        prune(kept);
    }

    private void prune(Set<String> kept) throws IOException {
        for (String v : versionsOnDisk()) {
            if (!kept.contains(v)) {
                log.info("Pruning {}@{} (keeping {})", name, v, kept);
                deleteRecursively(dir.resolve(name).resolve(v));
            }
        }
    }

    /** Version directories of the model in the served directory. */
    public List<String> versionsOnDisk() throws IOException {
        Path modelDir = dir.resolve(name);
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(modelDir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(v -> VERSION.matcher(v).matches()).sorted(Comparator.comparingLong(Long::parseLong))
                    .toList();
        }
    }

    /** Removes hidden leftovers of an interrupted download or pointer write in the model's directory. */
    void cleanLeftovers() throws IOException {
        Path modelDir = dir.resolve(name);
        if (!Files.isDirectory(modelDir)) {
            return;
        }
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> entries = Files.list(modelDir)) {
            entries.filter(p -> p.getFileName().toString().startsWith(".")).forEach(leftovers::add);
        }
        for (Path leftover : leftovers) {
            log.info("Removing the leftover {} of an interrupted download", leftover);
            deleteRecursively(leftover);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
