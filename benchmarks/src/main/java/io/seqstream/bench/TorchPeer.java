package io.seqstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the PyTorch peer ({@code src/main/python/torch_peer.py}, shipped inside the jar) with Debian's
 * {@code /usr/bin/python3} and reads its JSON. Installs nothing: where Python or PyTorch is missing, the result
 * says so and the benchmark goes on without it.
 */
final class TorchPeer {
    static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");
    static final String INSTALL_HINT = "apt-get install -y python3-torch libopenblas0-pthread";
    private static final String SCRIPT = "/python/torch_peer.py";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param eventsPerSecond model name → batch size → events/s; empty when unavailable
     * @param blas {@code openblas}, {@code reference} (Debian's default libblas, ~10× slower), {@code mkl}, …
     */
    record Result(boolean available, String reason, String version, int threads, String blas, String blasLibrary,
                  Map<String, Map<Integer, Double>> eventsPerSecond) {
        static Result unavailable(String reason) {
            return new Result(false, reason, null, 0, null, null, Map.of());
        }

        Double eventsPerSecond(String model, int batch) {
            return eventsPerSecond.getOrDefault(model, Map.of()).get(batch);
        }
    }

    private TorchPeer() {
    }

    static Result run(Path python, List<BenchModel> models, StepBenchmark.Settings settings, Duration timeout) {
        if (!Files.isExecutable(python)) {
            return Result.unavailable(python + " not found (" + INSTALL_HINT + ")");
        }
        Path script = null;
        try {
            script = extractScript();
            List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(),
                    "--models", models.stream().map(BenchModel::peerSpec).collect(Collectors.joining(",")),
                    "--batch-sizes", settings.batchSizes().stream().map(String::valueOf)
                            .collect(Collectors.joining(",")),
                    "--keys", String.valueOf(settings.keys()),
                    "--warmup", seconds(settings.warmup()),
                    "--seconds", seconds(settings.perRepeat()),
                    "--repeats", String.valueOf(settings.repeats()),
                    "--threads", "2",
                    "--seed", String.valueOf(settings.seed())));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return Result.unavailable("the peer did not finish within " + timeout.toSeconds() + " s");
            }
            String out = stdout.get();
            if (process.exitValue() != 0) {
                return Result.unavailable("the peer exited with status " + process.exitValue());
            }
            return parse(lastLine(out));
        } catch (IOException e) {
            return Result.unavailable("cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unavailable("interrupted");
        } catch (ExecutionException e) {
            return Result.unavailable("cannot read the peer's output: " + e.getCause());
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temporary file; nothing depends on it
                }
            }
        }
    }

    /** Reads the peer's JSON object. */
    static Result parse(String json) throws IOException {
        if (json == null || json.isBlank()) {
            return Result.unavailable("the peer printed nothing");
        }
        JsonNode root = JSON.readTree(json);
        if (!root.path("available").asBoolean(false)) {
            return Result.unavailable(root.path("reason").asText("PyTorch is not available")
                    + " (" + INSTALL_HINT + ")");
        }
        Map<String, Map<Integer, Double>> results = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> models = root.path("results").fields(); models.hasNext(); ) {
            Map.Entry<String, JsonNode> model = models.next();
            Map<Integer, Double> byBatch = new LinkedHashMap<>();
            model.getValue().fields().forEachRemaining(e ->
                    byBatch.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
            results.put(model.getKey(), byBatch);
        }
        return new Result(true, null, root.path("torch").asText(null), root.path("threads").asInt(0),
                root.path("blas").asText(null), root.path("blas_library").asText(null), results);
    }

    private static Path extractScript() throws IOException {
        Path script = Files.createTempFile("seqstream-torch-peer", ".py");
        try (InputStream in = TorchPeer.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("the jar lacks " + SCRIPT);
            }
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
