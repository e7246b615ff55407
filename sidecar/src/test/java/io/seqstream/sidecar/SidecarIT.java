package io.seqstream.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelPointer;
import io.seqstream.model.ModelRef;
import io.seqstream.model.ModelStore;
import io.seqstream.testing.RandomModels;
import io.seqstream.training.Cell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar following a real models topic on the in-process broker. */
class SidecarIT {
    private static final String NAME = "tiny";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path storeDir;
    @TempDir
    Path served;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Map<String, Object> props;
    private ModelAnnouncements announcements;
    private ModelStore store;

    @BeforeEach
    void setUp() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (LoadedModel ignored = RandomModels.create(storeDir, NAME, Cell.LSTM, 12, 4, 8, 1)) {
                // versions 1, 2, 3
            }
        }
        store = ModelStore.local(storeDir);
        props = Map.of("bootstrap.servers", kafka.bootstrapServers());
        announcements = new ModelAnnouncements(props, kafka.uniqueName("models"), registry);
        announcements.ensureTopic();
    }

    private void announce(String version) throws Exception {
        announcements.announce(ModelAnnouncements.of(store, ModelRef.of(NAME, version), ModelAnnouncements.PUBLISH,
                false, "test"));
    }

    private Sidecar startSidecar() {
        return Sidecar.start(props, announcements.topic(), NAME, store, served, 3, registry);
    }

    private Optional<String> activeVersion() throws Exception {
        return ModelPointer.read(served, NAME).map(ModelPointer::version);
    }

    @Test
    void shouldActivateGoodVersionsAndKeepTheActiveOneWhenABadOneOrAMalformedRecordArrives() throws Exception {
        try (Sidecar sidecar = startSidecar()) {
            announce("1");
            await("version 1 active").atMost(TIMEOUT).until(() -> activeVersion().equals(Optional.of("1")));

            // a record that is no announcement, then version 2 with a damaged network.zip
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>copyOf(props),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(announcements.topic(), NAME.getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
            }
            Path network = storeDir.resolve(NAME).resolve("2").resolve("network.zip");
            Files.write(network, java.util.Arrays.copyOf(Files.readAllBytes(network), 100));
            announce("2");
            await("version 2 rejected").atMost(TIMEOUT)
                    .until(() -> !sidecar.status().rejections().isEmpty());

            assertThat(activeVersion()).contains("1");
            assertThat(sidecar.status().rejections().get(0).reason()).isEqualTo("checksum");
            assertThat(registry.get(SidecarMetrics.MALFORMED_ANNOUNCEMENTS).counter().count()).isEqualTo(1.0);
            assertThat(registry.get(SidecarMetrics.REJECTIONS).tag(SidecarMetrics.TAG_REASON, "checksum").counter()
                    .count()).isEqualTo(1.0);

            announce("3");
            await("version 3 active").atMost(TIMEOUT).until(() -> activeVersion().equals(Optional.of("3")));
            // The pointer is written first, the status just after it: wait for the status too.
            await("version 3 recorded").atMost(TIMEOUT).until(() -> "3".equals(sidecar.status().activeVersion()));
            assertThat(sidecar.isRunning()).isTrue();
            assertThat(sidecar.status().kept()).containsExactly("3", "1");
        }
    }

    @Test
    void shouldReachTheAnnouncedVersionAfterACrashMidDownload() throws Exception {
        // 1 announced and activated; 2 announced; the sidecar crashed while staging 2
        try (Sidecar first = startSidecar()) {
            announce("1");
            await("version 1 active").atMost(TIMEOUT).until(() -> activeVersion().equals(Optional.of("1")));
        }
        announce("2");
        Path staging = served.resolve(NAME).resolve(".staging-crashed");
        Files.createDirectories(staging);
        Files.write(staging.resolve("network.zip"), new byte[] {1, 2, 3});

        try (Sidecar restarted = startSidecar()) {
            await("version 2 active after restart").atMost(TIMEOUT)
                    .until(() -> activeVersion().equals(Optional.of("2")));
            await("caught up").atMost(TIMEOUT).until(restarted::isCaughtUp);

            assertThat(staging).doesNotExist();
            assertThat(registry.get(SidecarMetrics.ACTIVATIONS).counter().count()).isEqualTo(2.0);
            assertThat(restarted.status().activeVersion()).isEqualTo("2");
        }
    }
}
