package io.seqstream.app.config;

import io.seqstream.app.input.InputFormat;
import io.seqstream.engine.metric.NearestWindow;
import io.seqstream.model.ModelRef;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * seqstream's configuration: every {@link Setting} resolved to a value, plus pass-through {@code kafka.*}
 * properties. Immutable; {@link #with} returns a changed copy.
 */
public final class SeqstreamConfig {
    public static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;

    private SeqstreamConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        validate();
    }

    /** Defaults overridden by {@code overrides} (setting keys and {@code kafka.*} keys). */
    public static SeqstreamConfig of(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            values.put(s.key(), s.defaultValue());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!values.containsKey(e.getKey()) && !e.getKey().startsWith(KAFKA_PREFIX)) {
                throw new IllegalArgumentException("Unknown setting '" + e.getKey()
                        + "'; Kafka client settings take the prefix '" + KAFKA_PREFIX + "'");
            }
            values.put(e.getKey(), e.getValue().trim());
        }
        return new SeqstreamConfig(values);
    }

    /**
     * Layers the sources in order: defaults, the properties file (if any), {@code SEQSTREAM_*} environment
     * variables, then {@code overrides}.
     */
    public static SeqstreamConfig load(Path propertiesFile, Map<String, String> environment,
                                       Map<String, String> overrides) throws IOException {
        Map<String, String> merged = new LinkedHashMap<>();
        if (propertiesFile != null) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(propertiesFile)) {
                props.load(in);
            }
            props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k)));
        }
        for (Setting s : Setting.values()) {
            String fromEnv = environment.get(s.environmentVariable());
            if (fromEnv != null) {
                merged.put(s.key(), fromEnv);
            }
        }
        merged.putAll(overrides);
        return of(merged);
    }

    public SeqstreamConfig with(Setting setting, Object value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(setting.key(), String.valueOf(value));
        return new SeqstreamConfig(copy);
    }

    /** A decimal setting, NaN when it is not a number (for validation to refuse with its own message). */
    private double decimalOrNaN(Setting setting) {
        try {
            return Double.parseDouble(string(setting));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private void validate() {
        if (integer(Setting.TOP_K) < 0) {
            throw new IllegalArgumentException(Setting.TOP_K.key() + " must be 0 (none) or more, got "
                    + string(Setting.TOP_K));
        }
        for (Setting s : new Setting[] {Setting.TOP_G, Setting.INPUT_MAX_VALUE_BYTES,
                Setting.INPUT_MAX_TOKENS, Setting.STREAM_THREADS, Setting.MAX_BATCH_SIZE}) {
            if (integer(s) < 1) {
                throw new IllegalArgumentException(s.key() + " must be at least 1, got " + string(s));
            }
        }
        for (Setting s : new Setting[] {Setting.STATE_TTL_MS, Setting.EXPIRY_SCAN_MS, Setting.COMMIT_INTERVAL_MS}) {
            if (longValue(s) < 1) {
                throw new IllegalArgumentException(s.key() + " must be a positive number of milliseconds, got "
                        + string(s));
            }
        }
        if (integer(Setting.ENGINE_BLAS_THREADS) < 0) {
            throw new IllegalArgumentException("engine.blas-threads must be 0 (one per core) or more, got "
                    + string(Setting.ENGINE_BLAS_THREADS));
        }
        if (longValue(Setting.MAX_BATCH_DELAY_MS) < 0) {
            throw new IllegalArgumentException("max.batch.delay.ms must be 0 or more, got "
                    + string(Setting.MAX_BATCH_DELAY_MS));
        }
        if (!io.seqstream.engine.StepEngines.kinds().contains(string(Setting.ENGINE))) {
            throw new IllegalArgumentException("engine must be one of " + io.seqstream.engine.StepEngines.kinds()
                    + ", got " + string(Setting.ENGINE));
        }
        if (!List.of("top-g", "calibrated", "either").contains(string(Setting.ANOMALY_RULE))) {
            throw new IllegalArgumentException("score.anomaly-rule must be top-g, calibrated or either, got "
                    + string(Setting.ANOMALY_RULE));
        }
        double calibrated = decimalOrNaN(Setting.CALIBRATED_THRESHOLD);
        if (!(calibrated > 0 && calibrated <= 1)) {
            throw new IllegalArgumentException("score.calibrated-threshold must be in (0, 1], got "
                    + string(Setting.CALIBRATED_THRESHOLD));
        }
        int probation = integer(Setting.LIKELIHOOD_PROBATION);
        if (probation < 2 || probation > 8600) {
            throw new IllegalArgumentException("score.likelihood-probation must be 2 to 8600, got " + probation);
        }
        double priorWeight = decimalOrNaN(Setting.NUMERIC_PRIOR_WEIGHT);
        if (!(priorWeight > 0 && Double.isFinite(priorWeight))) {
            throw new IllegalArgumentException("score.numeric-prior-weight must be a number above 0, got "
                    + string(Setting.NUMERIC_PRIOR_WEIGHT));
        }
        int window = integer(Setting.NUMERIC_WINDOW);
        int history = integer(Setting.NUMERIC_HISTORY);
        if (window < 0 || window > NearestWindow.MAX_WINDOW
                || window > 0 && (history < window || history > NearestWindow.MAX_HISTORY)) {
            throw new IllegalArgumentException("score.numeric-window must be 0 to " + NearestWindow.MAX_WINDOW
                    + " and score.numeric-history from the window to " + NearestWindow.MAX_HISTORY + ", got " + window
                    + " and " + history);
        }
        int floor = integer(Setting.NUMERIC_FLOOR);
        if (floor < 0 || floor > NearestWindow.MAX_FLOOR) {
            throw new IllegalArgumentException("score.numeric-floor must be 0 to " + NearestWindow.MAX_FLOOR
                    + " windows, got " + floor);
        }
        inputFormat();
        outputFormat();
        compactState();
        httpAuth();
        int port = integer(Setting.HTTP_PORT);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http.port must be 0 (off) or a port number, got " + port);
        }
        String advertised = string(Setting.HTTP_ADVERTISED_ADDRESS);
        if (!advertised.isEmpty() && !advertised.matches("[^:\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("http.advertised-address must be host:port, got '" + advertised + "'");
        }
        String guarantee = string(Setting.PROCESSING_GUARANTEE);
        if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
            throw new IllegalArgumentException("processing.guarantee must be exactly_once_v2 or at_least_once, got "
                    + guarantee);
        }
    }

    public String string(Setting setting) {
        return values.get(setting.key());
    }

    public int integer(Setting setting) {
        try {
            return Integer.parseInt(string(setting));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting.key() + " must be a whole number, got '" + string(setting)
                    + "'", e);
        }
    }

    public long longValue(Setting setting) {
        try {
            return Long.parseLong(string(setting));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting.key() + " must be a whole number, got '" + string(setting)
                    + "'", e);
        }
    }

    public InputFormat inputFormat() {
        return InputFormat.parse(string(Setting.INPUT_FORMAT));
    }

    /** {@code json} or {@code avro}. */
    public String outputFormat() {
        String format = string(Setting.OUTPUT_FORMAT).toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("avro")) {
            throw new IllegalArgumentException("output.format must be json or avro, got " + format);
        }
        return format;
    }

    /** True when h and c are stored as float16 ({@code state.precision=float16}). */
    public boolean compactState() {
        String precision = string(Setting.STATE_PRECISION);
        if (!precision.equals("float32") && !precision.equals("float16")) {
            throw new IllegalArgumentException("state.precision must be float32 or float16, got " + precision);
        }
        return precision.equals("float16");
    }

    /**
     * How the HTTP API authenticates callers: {@code none}, {@code bearer} or {@code basic}; fails when the
     * credentials that the scheme needs are missing.
     */
    public String httpAuth() {
        String auth = string(Setting.HTTP_AUTH).toLowerCase(Locale.ROOT);
        switch (auth) {
            case "none" -> {
            }
            case "bearer" -> {
                if (string(Setting.HTTP_AUTH_TOKEN).isEmpty()) {
                    throw new IllegalArgumentException("http.auth=bearer needs http.auth.token (or "
                            + Setting.HTTP_AUTH_TOKEN.environmentVariable() + ")");
                }
            }
            case "basic" -> {
                if (string(Setting.HTTP_AUTH_USER).isEmpty() || string(Setting.HTTP_AUTH_PASSWORD).isEmpty()) {
                    throw new IllegalArgumentException("http.auth=basic needs http.auth.user and http.auth.password"
                            + " (or " + Setting.HTTP_AUTH_PASSWORD.environmentVariable() + ")");
                }
            }
            default -> throw new IllegalArgumentException("http.auth must be none, bearer or basic, got " + auth);
        }
        return auth;
    }

    /**
     * The {@code host:port} at which other instances reach this one's HTTP API ({@code http.advertised-address},
     * else {@code localhost:http.port}), or empty when neither is set (the HTTP API is off or on a random port).
     */
    public java.util.Optional<String> httpAdvertisedAddress() {
        String advertised = string(Setting.HTTP_ADVERTISED_ADDRESS);
        if (!advertised.isEmpty()) {
            return java.util.Optional.of(advertised);
        }
        int port = integer(Setting.HTTP_PORT);
        return port > 0 ? java.util.Optional.of("localhost:" + port) : java.util.Optional.empty();
    }

    public Path modelStore() {
        return Path.of(string(Setting.MODEL_STORE));
    }

    /** The model store's URI: a directory, a {@code file:} URI or {@code s3://bucket/prefix}. */
    public String modelStoreUri() {
        return string(Setting.MODEL_STORE);
    }

    /** Options for {@code ModelStore.open}: the S3 endpoint, region and addressing style. */
    public Map<String, String> modelStoreOptions() {
        return Map.of("s3.endpoint", string(Setting.MODEL_STORE_S3_ENDPOINT),
                "s3.region", string(Setting.MODEL_STORE_S3_REGION),
                "s3.path-style", string(Setting.MODEL_STORE_S3_PATH_STYLE));
    }

    /** The sidecar's served-models directory, or null when none is configured. */
    public Path modelDir() {
        String dir = string(Setting.MODEL_DIR);
        return dir.isEmpty() ? null : Path.of(dir);
    }

    public boolean bool(Setting setting) {
        String value = string(setting).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(setting.key() + " must be true or false, got '" + string(setting) + "'");
        }
        return value.equals("true");
    }

    /** The model to serve; fails with a clear message if none is configured. */
    public ModelRef modelRef() {
        String name = string(Setting.MODEL_NAME);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("No model configured: set model.name (or --model NAME[@VERSION])");
        }
        String version = string(Setting.MODEL_VERSION);
        return version.isEmpty() ? ModelRef.latest(name) : ModelRef.of(name, version);
    }

    public Path stateDir() {
        String dir = string(Setting.STATE_DIR);
        return dir.isEmpty() ? Path.of(".seqstream", "state").toAbsolutePath() : Path.of(dir);
    }

    /** The {@code kafka.*} properties with the prefix removed. */
    public Map<String, String> kafkaOverrides() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                out.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return out;
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** The values, with secrets (HTTP token and password, Kafka passwords and JAAS configs) masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.replaceAll((k, v) -> isSecret(k) && !v.isEmpty() ? "******" : v);
        return "SeqstreamConfig" + shown;
    }

    private static boolean isSecret(String key) {
        return key.equals(Setting.HTTP_AUTH_TOKEN.key()) || key.equals(Setting.HTTP_AUTH_PASSWORD.key())
                || (key.startsWith(KAFKA_PREFIX) && (key.contains("password") || key.contains("jaas")));
    }
}
