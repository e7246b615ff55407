package io.seqstream.sidecar;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What the sidecar last did for one model, kept in {@code <dir>/<name>/}{@value #FILE} beside the pointer and
 * replaced atomically: the active version, the last announcement seen, the verified versions kept for a fast
 * rollback (most recently activated first), and the most recent rejections with their reasons.
 * {@code seqstream sidecar status} prints it.
 *
 * @param activeVersion the version the pointer names, or null before the first activation
 * @param kept verified versions on disk, most recently activated first (the active one first)
 * @param rejections the latest {@value #MAX_REJECTIONS} rejections, oldest first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarStatus(
        String model,
        String activeVersion,
        String activeManifestSha256,
        Instant activatedAt,
        Seen lastAnnouncement,
        List<String> kept,
        List<Rejection> rejections,
        Instant updatedAt) {

    public static final String FILE = "sidecar-status.json";
    static final int MAX_REJECTIONS = 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public SidecarStatus {
        Objects.requireNonNull(model, "model");
        kept = kept == null ? List.of() : List.copyOf(kept);
        rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }

    /**
     * An announcement as the sidecar saw it.
     *
     * @param offset its offset on the models topic, or -1 when not read from the topic
     */
    public record Seen(String version, String action, String manifestSha256, long offset, Instant seenAt) {
    }

    /** A refused version: why, in short ({@link RejectionReason#tag()}) and in full. */
    public record Rejection(String version, String manifestSha256, String reason, String message, Instant at) {
    }

    static SidecarStatus empty(String model) {
        return new SidecarStatus(model, null, null, null, null, List.of(), List.of(), null);
    }

    SidecarStatus seen(Seen announcement, Instant now) {
        return new SidecarStatus(model, activeVersion, activeManifestSha256, activatedAt, announcement, kept,
                rejections, now);
    }

    SidecarStatus activated(String version, String manifestSha256, List<String> keptVersions, Instant now) {
        return new SidecarStatus(model, version, manifestSha256, now, lastAnnouncement, keptVersions, rejections, now);
    }

    SidecarStatus rejected(Rejection rejection) {
        List<Rejection> recent = new ArrayList<>(rejections);
        recent.add(rejection);
        while (recent.size() > MAX_REJECTIONS) {
            recent.remove(0);
        }
        return new SidecarStatus(model, activeVersion, activeManifestSha256, activatedAt, lastAnnouncement, kept,
                recent, rejection.at());
    }

    /** Whether this exact version (same manifest) was refused before. */
    Optional<Rejection> rejectionOf(String version, String manifestSha256) {
        for (int i = rejections.size() - 1; i >= 0; i--) {
            Rejection r = rejections.get(i);
            if (r.version().equals(version) && Objects.equals(r.manifestSha256(), manifestSha256)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public static Path file(Path dir, String model) {
        return dir.resolve(model).resolve(FILE);
    }

    /** The status of {@code model} under {@code dir}, or empty when the sidecar has not written one. */
    public static Optional<SidecarStatus> read(Path dir, String model) throws IOException {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file(dir, model)), SidecarStatus.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Replaces the status file atomically (a temporary file renamed over it). */
    void write(Path dir) throws IOException {
        Path modelDir = dir.resolve(model);
        Files.createDirectories(modelDir);
        Path tmp = modelDir.resolve(".status-" + UUID.randomUUID());
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file(dir, model), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The status as the JSON the file holds. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
