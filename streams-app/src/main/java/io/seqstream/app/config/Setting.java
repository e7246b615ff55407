package io.seqstream.app.config;

import io.seqstream.engine.metric.MetricTrack;
import io.seqstream.engine.metric.NearestWindow;

/**
 * Every seqstream setting with its default and meaning. Settings are read from a properties file
 * ({@code --config}), then {@code SEQSTREAM_*} environment variables (key upper-cased, '.' and '-' as '_'),
 * then command-line options. Properties prefixed {@code kafka.} pass through to Kafka Streams and its clients
 * unchanged (e.g. {@code kafka.security.protocol=SSL}).
 */
public enum Setting {
    APPLICATION_ID("application.id", "seqstream",
            "Kafka Streams application id: names the consumer group, internal topics and state directory"),
    BOOTSTRAP_SERVERS("bootstrap.servers", "localhost:9092", "Kafka cluster to connect to"),
    EVENTS_TOPIC("topic.events", "events", "Input topic; key = sequence id"),
    SCORES_TOPIC("topic.scores", "scores", "One score record per token"),
    ANOMALIES_TOPIC("topic.anomalies", "anomalies", "Score records of anomalous tokens only"),
    SUMMARIES_TOPIC("topic.summaries", "summaries", "One summary per ended or expired sequence"),
    DEAD_LETTER_TOPIC("topic.dead-letter", "events-dlq",
            "Input records that cannot be scored, unchanged, with the reason in headers"),
    SHADOW_SCORES_TOPIC("topic.scores-shadow", "scores-shadow", "Scores of the shadow model (model.shadow), if any"),
    MODELS_TOPIC("topic.models", "models",
            "Compacted topic of model announcements (key = model name): which version is active"),
    INPUT_FORMAT("input.format", "json", "Input value format: text, json or avro"),
    OUTPUT_FORMAT("output.format", "json", "Score and summary value format: json or avro (single-object encoding)"),
    INPUT_MAX_VALUE_BYTES("input.max-value-bytes", "65536", "Larger input values are dead-lettered as oversized"),
    INPUT_MAX_TOKENS("input.max-tokens", "4096", "Input records with more tokens are dead-lettered"),
    INPUT_TEXT_RECORD_SEPARATOR("input.text.record-separator", "auto",
            "With text input: what is scored between two records of one key (escapes \\n, \\t); auto = a newline for"
                    + " char models whose vocabulary has one, nothing otherwise; none = nothing"),
    MODEL_STORE("model.store", "./models",
            "Model store: a directory, a file: URI, or s3://bucket/prefix for an S3-compatible object store"),
    MODEL_STORE_S3_ENDPOINT("model.store.s3.endpoint", "",
            "S3 endpoint URL for a non-AWS object store (MinIO, Ceph, ...); empty = AWS"),
    MODEL_STORE_S3_REGION("model.store.s3.region", "us-east-1", "S3 region"),
    MODEL_STORE_S3_PATH_STYLE("model.store.s3.path-style", "",
            "true to address buckets by path (http://host/bucket), as most non-AWS stores need; empty = true when an"
                    + " endpoint is set"),
    MODEL_NAME("model.name", "", "Model to serve (required)"),
    MODEL_VERSION("model.version", "", "Version to serve; empty = the latest"),
    MODEL_DIR("model.dir", "",
            "Served-models directory that a sidecar fills; when set, the version its pointer names is served and"
                    + " followed live"),
    MODEL_FOLLOW("model.follow", "false",
            "Follow the models topic in-process (no sidecar): verify and swap announced versions live"),
    MODEL_WATCH_MS("model.watch-interval.ms", "1000", "How often the served-models pointer is checked"),
    STATE_MIGRATION("model.state-migration", "replay",
            "Per-key state across a model swap: replay (rebuild h and c from the key's last tokens), reset, or keep"
                    + " (reuse h and c when architecture and vocabulary are identical)"),
    REPLAY_TOKENS("model.replay-tokens", "32", "Tokens each key keeps for replay after a swap"),
    MODEL_SHADOW("model.shadow", "",
            "NAME@VERSION of a candidate that scores the same events into topic.scores-shadow; empty = none"),
    SIDECAR_KEEP_VERSIONS("sidecar.keep-versions", "3", "Verified versions the sidecar keeps for a fast rollback"),
    GATE_LOSS_MARGIN("publish.gate.loss-margin", "0.02",
            "publish refuses a version whose validation loss exceeds the active one's by more than this fraction"),
    GATE_ACCURACY_MARGIN("publish.gate.accuracy-margin", "0.01",
            "publish refuses a version whose top-k accuracy is below the active one's by more than this"),
    TOP_K("score.top-k", "5", "Predictions listed in each score record; 0 lists none and skips their work"),
    TOP_G("score.top-g", "9", "An event is anomalous when its token is not among the top-g predictions"),
    ANOMALY_RULE("score.anomaly-rule", "top-g",
            "Which events are anomalies (the anomaly flag, the anomalies topic and metric): top-g, calibrated"
                    + " (calibratedScore above score.calibrated-threshold; top-g for a model without a calibration)"
                    + " or either"),
    CALIBRATED_THRESHOLD("score.calibrated-threshold", "0.9999",
            "With score.anomaly-rule calibrated or either: an event is anomalous when its calibrated score (the share"
                    + " of the model's training events that were less surprising; for a numeric model, always, its anomaly"
                    + " likelihood) is above this, in (0, 1]"),
    LIKELIHOOD_PROBATION("score.likelihood-probation", "750",
            "A numeric model's events per key before its anomaly likelihood departs from 0.5 (the first half learn,"
                    + " the second half estimate; NAB uses 15% of a file, at most 750), at most 8600"),
    NUMERIC_PRIOR_WEIGHT("score.numeric-prior-weight", "0.05",
            "How many events a numeric model's prediction weighs against the key's own history: a bin's probability"
                    + " after bin b is (times b was followed by it + w x the model's) / (times b was seen + w); above 0,"
                    + " large = the model alone"),
    NUMERIC_WINDOW("score.numeric-window", String.valueOf(MetricTrack.DEFAULT_WINDOW),
            "A numeric key's nearest-window score: how far (RMS, over the key's range) its last this many values are"
                    + " from the nearest earlier stretch as long within score.numeric-history values, above the floor"
                    + " of score.numeric-floor, with a likelihood of its own; an event's calibrated score is the higher"
                    + " of that and the transitions'. 0 = off, at most " + NearestWindow.MAX_WINDOW),
    NUMERIC_HISTORY("score.numeric-history", String.valueOf(MetricTrack.DEFAULT_HISTORY),
            "How many of a numeric key's latest values score.numeric-window searches, from the window to "
                    + NearestWindow.MAX_HISTORY + "; the key's state keeps window + history values, 8 bytes each"),
    NUMERIC_FLOOR("score.numeric-floor", String.valueOf(NearestWindow.DEFAULT_FLOOR),
            "The nearest-window raw score is how far the distance rises above the lowest of it and the distances of"
                    + " this many windows of values before, 0 to " + NearestWindow.MAX_FLOOR + " (0 = the distance"
                    + " itself): a change alarms as it begins and falls quiet once it has lasted this many windows; the"
                    + " key's state keeps floor x window distances, 8 bytes each"),
    ENGINE("engine", "auto",
            "Stepping engine: auto (the heap engine up to 8 keys per batch, OpenBLAS GEMMs above), nd4j, java or dl4j"),
    ENGINE_BLAS_THREADS("engine.blas-threads", "1",
            "Threads of each BLAS call (ND4J's OpenBLAS, process-wide): 1 suits a stream thread stepping small batches"
                    + " (more threads spin between calls and take CPU from Kafka's threads); 0 = one per core"),
    MAX_BATCH_SIZE("max.batch.size", "256", "Most events stepped together in one batched LSTM step"),
    MAX_BATCH_DELAY_MS("max.batch.delay.ms", "20",
            "Longest an event waits for its batch to fill; 0 = no batching, every record is stepped at once"),
    STATE_PRECISION("state.precision", "float32",
            "How h and c are stored: float32, or float16 for half the state size (see README for the effect)"),
    STATE_BLOB_FILES("state.blob-files", "false",
            "Keep key states (values of 512 bytes and up) in RocksDB's blob files, out of its LSM tree: restoring a "
                    + "wiped state directory copies them far fewer times, but while idle keys wait for their TTL the "
                    + "state directory can grow to several times its live data (see README). A "
                    + "kafka.rocksdb.config.setter of your own replaces this"),
    STATE_TTL_MS("state.ttl.ms", "1800000",
            "A key idle (no events, wall clock) longer than this is expired: summary emitted, state deleted"),
    EXPIRY_SCAN_MS("state.expiry-scan-interval.ms", "60000", "How often idle keys are looked for"),
    STATE_DIR("state.dir", "", "Local state directory; empty = .seqstream/state under the working directory"),
    PROCESSING_GUARANTEE("processing.guarantee", "exactly_once_v2", "exactly_once_v2 or at_least_once"),
    STREAM_THREADS("num.stream.threads", "1", "Stream threads (each holds its own copy of the network)"),
    COMMIT_INTERVAL_MS("commit.interval.ms", "100",
            "How often offsets, state and output are committed: once in every interval of the wall clock, whatever a "
                    + "commit takes (Kafka Streams' own interval, from the end of one commit to the next, is set to "
                    + "ten times this, at most the producer's transaction timeout, as a fallback unless "
                    + "kafka.commit.interval.ms sets it)"),
    HTTP_PORT("http.port", "9400",
            "Port of the HTTP API (/health/live, /health/ready, /metrics, /keys/{key}, the dashboard); 0 = off"),
    HTTP_DASHBOARD("http.dashboard", "true",
            "Serve the live dashboard at / (it follows every instance's scores with a consumer of its own)"),
    HTTP_ADVERTISED_ADDRESS("http.advertised-address", "",
            "host:port at which other instances reach this one's HTTP API (Kafka Streams' application.server);"
                    + " empty = localhost:http.port, which serves one host only: set it when instances run on several"
                    + " hosts"),
    HTTP_AUTH("http.auth", "none",
            "Authentication of every HTTP endpoint but /health/live: none, bearer (http.auth.token) or basic"
                    + " (http.auth.user, http.auth.password)"),
    HTTP_AUTH_TOKEN("http.auth.token", "", "Bearer token the HTTP API requires with http.auth=bearer"),
    HTTP_AUTH_USER("http.auth.user", "", "User name the HTTP API requires with http.auth=basic"),
    HTTP_AUTH_PASSWORD("http.auth.password", "", "Password the HTTP API requires with http.auth=basic");

    private final String key;
    private final String defaultValue;
    private final String doc;

    Setting(String key, String defaultValue, String doc) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.doc = doc;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** The environment variable that sets this: {@code SEQSTREAM_} + key upper-cased, '.' and '-' as '_'. */
    public String environmentVariable() {
        return "SEQSTREAM_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
