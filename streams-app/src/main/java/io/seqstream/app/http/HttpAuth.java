package io.seqstream.app.http;

import io.seqstream.app.config.SeqstreamConfig;
import io.seqstream.app.config.Setting;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * How the HTTP API authenticates a caller ({@code http.auth}): not at all, by a bearer token, or by basic auth.
 * Credentials are compared in constant time (SHA-256 digests of both sides compared with
 * {@link MessageDigest#isEqual}), so neither a credential's content nor its length leaks through response times.
 *
 * <p>Immutable and thread-safe.
 */
public final class HttpAuth {
    private static final String REALM = "seqstream";

    private final String scheme;
    private final byte[] expectedDigest;

    private HttpAuth(String scheme, byte[] expected) {
        this.scheme = scheme;
        this.expectedDigest = expected == null ? null : sha256(expected);
    }

    /** Every caller is let in. */
    public static HttpAuth none() {
        return new HttpAuth("none", null);
    }

    /** Callers must send {@code Authorization: Bearer TOKEN}. */
    public static HttpAuth bearer(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("A bearer token must not be empty");
        }
        return new HttpAuth("bearer", token.getBytes(StandardCharsets.UTF_8));
    }

    /** Callers must send {@code Authorization: Basic base64(user:password)}. */
    public static HttpAuth basic(String user, String password) {
        if (user == null || user.isEmpty() || user.contains(":") || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("Basic auth needs a user (without ':') and a non-empty password");
        }
        return new HttpAuth("basic", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** From the {@code http.auth}, {@code http.auth.token}, {@code http.auth.user}, {@code http.auth.password} settings. */
    public static HttpAuth from(SeqstreamConfig config) {
        return switch (config.httpAuth()) {
            case "bearer" -> bearer(config.string(Setting.HTTP_AUTH_TOKEN));
            case "basic" -> basic(config.string(Setting.HTTP_AUTH_USER), config.string(Setting.HTTP_AUTH_PASSWORD));
            default -> none();
        };
    }

    /** {@code none}, {@code bearer} or {@code basic}. */
    public String scheme() {
        return scheme;
    }

    public boolean required() {
        return expectedDigest != null;
    }

    /** True if a request with this {@code Authorization} header value (null when absent) may pass. */
    public boolean permits(String authorization) {
        if (expectedDigest == null) {
            return true;
        }
        byte[] presented = presented(authorization);
        // Digest even a missing credential, so that every refusal costs the same.
        boolean equal = MessageDigest.isEqual(expectedDigest, sha256(presented == null ? new byte[0] : presented));
        return presented != null && equal;
    }

    /** The credential in the header for this scheme, or null if the header does not carry one. */
    private byte[] presented(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(scheme)) {
            return null;
        }
        String credential = value.substring(space + 1).trim();
        if (scheme.equals("bearer")) {
            return credential.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(credential);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The {@code WWW-Authenticate} value of a 401 answer. */
    public String challenge() {
        return scheme.equals("basic")
                ? "Basic realm=\"" + REALM + "\", charset=\"UTF-8\""
                : "Bearer realm=\"" + REALM + "\"";
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "HttpAuth[" + scheme + "]";
    }
}
