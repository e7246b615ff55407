package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seqstream.app.config.Setting;
import io.seqstream.kafka.KafkaFixture;
import io.seqstream.testing.TestModels;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium) against {@code seqstream run} fed by a paced stream of normal and abnormal HDFS sessions: scores, an
 * anomaly and the model version appear on the page, and a key search answers from {@code /keys/{key}}. Saves a screenshot
 * to {@code target/dashboard.png}. Skipped when chromium or chromedriver is not installed.
 */
class DashboardIT {
    private static final Logger log = LoggerFactory.getLogger(DashboardIT.class);
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(90);
    /** Events per second the stream is published at, so that the charts have a few seconds to show. */
    static final int EVENTS_PER_SECOND = 40;

    @RegisterExtension
    static final KafkaFixture kafka = KafkaFixture.create();

    @TempDir
    Path workDir;

    @Test
    void shouldShowLiveScoresAnAnomalyTheModelAndAKeyLookup() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "DashboardIT needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver):"
                        + " apt-get install chromium chromium-driver (.ci/run installs them); skipping");
        int port = freePort();
        ItEnvironment env = new ItEnvironment(kafka, workDir.resolve("state"), Map.of(
                Setting.HTTP_PORT.key(), Integer.toString(port)));
        // blk-0..blk-9: normal sessions; blk-10..blk-12: abnormal ones (the tiny model flags some of their tokens)
        Map<String, List<String>> sessions = new LinkedHashMap<>(ItEnvironment.sessions("dev_normal", 10));
        List<List<String>> abnormal = TestModels.hdfsSessions("dev_abnormal", 3);
        for (int i = 0; i < abnormal.size(); i++) {
            sessions.put("blk-" + (10 + i), abnormal.get(i));
        }

        try (ScoringProcess app = ScoringProcess.start(env.config, workDir, "dashboard")) {
            String base = "http://localhost:" + port;
            awaitReady(app, base);
            WebDriver browser = chromium();
            try {
                browser.manage().window().setSize(new Dimension(1600, 1800));
                browser.get(base + "/");
                await("the page connects to the event stream").atMost(WAIT).until(() ->
                        "live".equals(browser.findElement(By.id("connection")).getAttribute("data-state")));
                await("the model version shows").atMost(WAIT).until(() ->
                        browser.findElement(By.id("model-version")).getText().equals(TestModels.hdfs().label()));
                assertThat(browser.findElements(By.cssSelector("#model-metrics tr[data-metric]")))
                        .as("the training metrics of the manifest").isNotEmpty();

                int events = publishPaced(env, sessions);
                log.info("Published {} events of {} sessions", events, sessions.size());

                await("scores on the page").atMost(WAIT).until(() ->
                        count(browser, "score-count") >= events / 2);
                await("an anomaly on the page").atMost(WAIT).until(() ->
                        !browser.findElements(By.cssSelector("#key-streams .tok.anomaly")).isEmpty()
                                && !browser.findElements(By.cssSelector("#anomaly-list .anomaly-item")).isEmpty());
                assertThat(count(browser, "anomaly-count")).isPositive();
                String key = browser.findElement(By.cssSelector("#anomaly-list .anomaly-item"))
                        .getAttribute("data-key");
                assertThat(sessions).containsKey(key);
                assertThat(browser.findElements(By.cssSelector("#key-streams .key-row")).size()).isGreaterThan(1);
                await("every score shown").atMost(WAIT).until(() -> count(browser, "score-count") == events);

                search(browser, "no-such-key");
                await("a 404's message").atMost(WAIT).until(() ->
                        browser.findElement(By.id("key-result")).getText().startsWith("404"));
                assertThat(browser.findElement(By.id("key-result")).getText()).contains("no state for this key");

                search(browser, key);
                await("the key's state").atMost(WAIT).until(() ->
                        !browser.findElements(By.cssSelector("#key-result dd[data-field=tokensSeen]")).isEmpty());
                assertThat(browser.findElement(By.cssSelector("#key-result dd[data-field=key]")).getText())
                        .isEqualTo(key);
                assertThat(Long.parseLong(browser.findElement(By.cssSelector("#key-result dd[data-field=tokensSeen]"))
                        .getText())).isEqualTo(sessions.get(key).size());
                assertThat(Long.parseLong(browser.findElement(By.cssSelector("#key-result dd[data-field=anomalies]"))
                        .getText())).isPositive();

                Path screenshot = Path.of("target", "dashboard.png");
                Files.createDirectories(screenshot.getParent());
                Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                        StandardCopyOption.REPLACE_EXISTING);
                log.info("Dashboard screenshot: {}", screenshot.toAbsolutePath());
                assertThat(Files.size(screenshot)).isPositive();
            } finally {
                browser.quit();
            }
            assertThat(app.isAlive()).as("seqstream run still running:\n" + app.logTail()).isTrue();
        }
    }

    private static WebDriver chromium() throws IOException {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        File profile = Files.createTempDirectory("seqstream-chromium").toFile();
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.getAbsolutePath());
        return new ChromeDriver(service, options);
    }

    /**
     * Publishes the sessions interleaved, one token position of every session at a time, at
     * {@link #EVENTS_PER_SECOND}, and leaves them open (an ended session's state is gone, and the test looks one
     * up). Returns the number of events, which is the number of scores to expect.
     */
    private static int publishPaced(ItEnvironment env, Map<String, List<String>> sessions)
            throws InterruptedException {
        int longest = sessions.values().stream().mapToInt(List::size).max().orElse(0);
        List<String[]> records = new ArrayList<>();
        for (int t = 0; t < longest; t++) {
            for (Map.Entry<String, List<String>> s : sessions.entrySet()) {
                if (t < s.getValue().size()) {
                    records.add(new String[] {s.getKey(), "{\"token\":\"" + s.getValue().get(t) + "\"}"});
                }
            }
        }
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
            for (int i = 0; i < records.size(); i++) {
                env.send(producer, records.get(i)[0], records.get(i)[1]);
                long early = started + i * 1_000_000_000L / EVENTS_PER_SECOND - System.nanoTime();
                if (early > 0) {
                    producer.flush();
                    Thread.sleep(early / 1_000_000, (int) (early % 1_000_000)); // pacing the stream, not a wait
                }
            }
            producer.flush();
        }
        return records.size();
    }

    private static void search(WebDriver browser, String key) {
        WebElement input = browser.findElement(By.id("key-input"));
        input.clear();
        input.sendKeys(key);
        browser.findElement(By.id("key-submit")).click();
    }

    private static long count(WebDriver browser, String id) {
        return Long.parseLong(browser.findElement(By.id(id)).getText().replace(",", ""));
    }

    private static void awaitReady(ScoringProcess app, String base) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        await("seqstream run ready").atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(app.isAlive()).as("seqstream run exited:\n" + app.logTail()).isTrue();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
