package io.seqstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A container image tarball (Docker's {@code docker save} layout, as {@code jib:buildTar} writes it) unpacked into
 * a root filesystem, and its entrypoint run there the way a container runtime would, without one: in a mount
 * namespace of its own, the root filesystem bound read-only, the given host directories bound writable at the
 * image's volume paths, {@code /dev} and {@code /proc} mounted, then {@code chroot} into it with the image's
 * working directory, user, environment, entrypoint and command. The network is the host's (no network namespace),
 * so the in-process broker is reachable on localhost. Needs root.
 */
final class UnpackedImage {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final List<String> entrypoint;
    final List<String> cmd;
    final Map<String, String> env;
    final String user;
    final String workingDir;
    final List<String> volumes;

    private UnpackedImage(Path root, JsonNode config) {
        this.root = root;
        this.entrypoint = strings(config.path("Entrypoint"));
        this.cmd = strings(config.path("Cmd"));
        this.env = new LinkedHashMap<>();
        for (String entry : strings(config.path("Env"))) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        this.user = config.path("User").asText("0:0");
        this.workingDir = config.path("WorkingDir").asText("/");
        List<String> paths = new ArrayList<>();
        config.path("Volumes").fieldNames().forEachRemaining(paths::add);
        this.volumes = List.copyOf(paths);
    }

    /** Unpacks the image's layers, in order, into {@code dir/rootfs} (ownership and modes as in the layers). */
    static UnpackedImage unpack(Path imageTar, Path dir) throws IOException, InterruptedException {
        Path archive = dir.resolve("archive");
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(archive);
        Files.createDirectories(rootfs);
        exec(Duration.ofMinutes(2), "tar", "-xf", imageTar.toString(), "-C", archive.toString());
        JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        for (JsonNode layer : manifest.get("Layers")) {
            exec(Duration.ofMinutes(2), "tar", "-xzf", archive.resolve(layer.asText()).toString(), "-C",
                    rootfs.toString());
        }
        JsonNode config = JSON.readTree(archive.resolve(manifest.get("Config").asText()).toFile());
        return new UnpackedImage(rootfs, config.path("config"));
    }

    /**
     * Starts the entrypoint with {@code args} in place of the image's command ({@code null}: the image's own), with
     * {@code extraEnv} added to the image's environment, and each of {@code mounts} (container path to host
     * directory) bound writable; output to {@code log}.
     */
    Process start(List<String> args, Map<String, String> extraEnv, Map<String, Path> mounts, Path log)
            throws IOException {
        String[] uidGid = user.split(":");
        StringBuilder script = new StringBuilder("set -eu\n")
                .append("mount --bind ").append(quote(root)).append(' ').append(quote(root)).append('\n')
                .append("mount --rbind /dev ").append(quote(root.resolve("dev"))).append('\n')
                .append("mount -t proc proc ").append(quote(root.resolve("proc"))).append('\n');
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            script.append("mount --bind ").append(quote(m.getValue())).append(' ')
                    .append(quote(root.resolve(m.getKey().substring(1)))).append('\n');
        }
        // Read-only from here on: only the mounts above can be written.
        script.append("mount -o remount,bind,ro ").append(quote(root)).append('\n')
                // chroot(2), then the working directory, then the user (supplementary groups dropped): what
                // `chroot --userspec` does, plus the working directory, which chroot(1) cannot set.
                .append("exec /usr/bin/unshare --root=").append(quote(root)).append(" --wd=").append(quote(workingDir))
                .append(" --setgid ").append(uidGid[1]).append(" --setuid ").append(uidGid[0]).append(" -- \"$@\"\n");
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/bash", "-c", script.toString(), "container"));
        command.addAll(entrypoint);
        command.addAll(args == null ? cmd : args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    /** Runs the entrypoint to its end: the exit code and everything it printed. */
    Result run(List<String> args, Map<String, String> extraEnv, Map<String, Path> mounts, Path log,
               Duration timeout) throws IOException, InterruptedException {
        Process process = start(args, extraEnv, mounts, log);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("The image's entrypoint " + args + " did not end within " + timeout + ":\n"
                    + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    record Result(int exitCode, String output) {
    }

    /** The uncompressed size of the root filesystem, in bytes. */
    long size() throws IOException {
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void exec(Duration timeout, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static String quote(Object path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
