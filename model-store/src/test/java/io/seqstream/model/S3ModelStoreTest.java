package io.seqstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The S3 store against a real S3 server in this JVM: s3proxy over jclouds' in-memory "transient" blob store, on a
 * random free port, with signature checking on. The store is opened as users open it, by URI and options, and
 * takes its credentials from the SDK's default chain (here the {@code aws.accessKeyId} system properties).
 */
class S3ModelStoreTest {
    private static final String ACCESS_KEY = "seqstream-test";
    private static final String SECRET_KEY = "seqstream-test-secret";

    private static BlobStoreContext context;
    private static BlobStore blobs;
    private static S3Proxy proxy;
    private static String endpoint;

    @TempDir
    Path dir;

    private String bucket;
    private S3ModelStore store;

    @BeforeAll
    static void startS3() throws Exception {
        Properties properties = new Properties();
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .overrides(properties).build(BlobStoreContext.class);
        blobs = context.getBlobStore();
        proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        org.awaitility.Awaitility.await("s3proxy started").until(() -> "STARTED".equals(proxy.getState()));
        endpoint = "http://127.0.0.1:" + proxy.getPort();
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    @AfterAll
    static void stopS3() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (proxy != null) {
            proxy.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    @BeforeEach
    void newBucket() {
        bucket = "models-" + UUID.randomUUID().toString().substring(0, 8);
        blobs.createContainerInLocation(null, bucket);
        store = (S3ModelStore) ModelStore.open("s3://" + bucket + "/team/models",
                Map.of(ModelStore.S3_ENDPOINT, endpoint, ModelStore.S3_PATH_STYLE, "true"));
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (StorageMetadata blob : blobs.list(bucket, ListContainerOptions.Builder.recursive())) {
            keys.add(blob.getName());
        }
        return keys;
    }

    private byte[] object(String key) throws Exception {
        try (InputStream in = blobs.getBlob(bucket, key).getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    private void putObject(String key, byte[] bytes) {
        blobs.putBlob(bucket, blobs.blobBuilder(key).payload(bytes).build());
    }

    @Test
    void shouldPublishListVerifyAndLoad() throws Exception {
        MultiLayerNetwork network = TinyDrafts.network(TinyDrafts.VOCAB.size());
        Path plot = Files.writeString(dir.resolve("plot.txt"), "a plot");

        ModelManifest first = store.publish("tiny", new ModelDraft(network, TinyDrafts.VOCAB, null, Map.of(),
                Map.of("loss.png", plot)));
        ModelManifest second = store.publish("tiny", TinyDrafts.draft());
        store.publish("other", TinyDrafts.draft());

        assertThat(first.version()).isEqualTo("1");
        assertThat(second.version()).isEqualTo("2");
        assertThat(second.parentVersion()).isEqualTo("1");
        assertThat(keys()).contains("team/models/tiny/1/network.zip", "team/models/tiny/1/vocab.json",
                "team/models/tiny/1/loss.png", "team/models/tiny/1/manifest.json", "team/models/tiny/2/manifest.json");
        assertThat(store.names()).containsExactly("other", "tiny");
        assertThat(store.versions("tiny")).containsExactly("1", "2");
        assertThat(store.latestVersion("tiny")).contains("2");
        assertThat(store.manifests("tiny")).extracting(ModelManifest::label).containsExactly("tiny@1", "tiny@2");
        assertThat(store.versionUri(ModelRef.parse("tiny@1"))).isEqualTo("s3://" + bucket + "/team/models/tiny/1");
        assertThat(store.manifestSha256(ModelRef.parse("tiny@1")))
                .isEqualTo(Sha256.of(object("team/models/tiny/1/manifest.json")));
        assertThat(store.verify(ModelRef.parse("tiny@1"))).isEqualTo(first);
        assertThat(store.manifest(ModelRef.parse("tiny@1")).files().get(ModelStore.NETWORK))
                .isEqualTo(Sha256.of(object("team/models/tiny/1/network.zip")));

        try (LoadedModel model = store.load(ModelRef.parse("tiny@1"))) {
            INDArray input = Nd4j.createFromArray(new float[][][] {{{0, 3, 4, 5}}});
            assertThat(model.network().output(input)).isEqualTo(network.output(input));
            assertThat(model.vocabulary()).isEqualTo(TinyDrafts.VOCAB);
            assertThatCode(() -> ModelProbe.check(model)).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldDownloadIntoTheFilesystemLayoutAndReuseTheCopy() throws Exception {
        store.publish("tiny", TinyDrafts.draft());
        String sha = store.manifestSha256(ModelRef.latest("tiny"));
        Path served = dir.resolve("served");

        Path copy = store.download(ModelRef.latest("tiny"), served, sha);

        assertThat(copy).isEqualTo(served.resolve("tiny").resolve("1"));
        FileModelStore local = ModelStore.local(served);
        assertThat(local.manifestSha256(ModelRef.latest("tiny"))).isEqualTo(sha);
        try (LoadedModel model = local.load(ModelRef.latest("tiny"))) {
            assertThatCode(() -> ModelProbe.check(model)).doesNotThrowAnyException();
        }
        assertThat(store.download(ModelRef.parse("tiny@1"), served, sha)).isEqualTo(copy);
        assertThatThrownBy(() -> store.download(ModelRef.latest("tiny"), served, "ab".repeat(32)))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("s3://" + bucket + "/team/models/tiny/1/manifest.json");
    }

    @Test
    void shouldRefuseACorruptObjectNamingIt() throws Exception {
        store.publish("tiny", TinyDrafts.draft());
        String network = "team/models/tiny/1/network.zip";
        putObject(network, "not a network".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String named = "s3://" + bucket + "/" + network;
        Path served = dir.resolve("served");

        assertThatThrownBy(() -> store.verify(ModelRef.latest("tiny")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("corrupt").hasMessageContaining(named);
        assertThatThrownBy(() -> store.load(ModelRef.latest("tiny")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(named);
        assertThatThrownBy(() -> store.download(ModelRef.latest("tiny"), served, null))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(named);
        assertThat(served.resolve("tiny").resolve("1")).doesNotExist();
    }

    @Test
    void shouldShowAVersionOnlyOnceItsManifestExistsAndRefuseAMissingFile() throws Exception {
        store.publish("tiny", TinyDrafts.draft());
        // An interrupted publish of version 2: files uploaded, manifest not yet.
        putObject("team/models/tiny/2/network.zip", object("team/models/tiny/1/network.zip"));

        assertThat(store.versions("tiny")).containsExactly("1");
        assertThatThrownBy(() -> store.load(ModelRef.parse("tiny@2")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("versions: 1");
        assertThatThrownBy(() -> store.load(ModelRef.latest("nope")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("models: tiny");

        blobs.removeBlob(bucket, "team/models/tiny/1/vocab.json");
        assertThatThrownBy(() -> store.verify(ModelRef.latest("tiny")))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("incomplete")
                .hasMessageContaining("s3://" + bucket + "/team/models/tiny/1/vocab.json");
    }
}
