package io.seqstream.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The chart under test, rendered with Helm's own library (helm-java): what {@code helm template} prints, parsed into
 * one JSON tree per Kubernetes object.
 */
final class Chart {
    /** The chart directory, from the module directory the tests run in. */
    static final Path DIR = Path.of("seqstream").toAbsolutePath();
    static final String RELEASE = "scoring";
    static final String NAMESPACE = "streams";
    /** helm-java's library reports Kubernetes v1.20 unless told; the chart needs 1.25 or later. */
    static final String KUBE_VERSION = "v1.31.0";
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private Chart() {
    }

    /** The chart rendered with its defaults. */
    static Rendered render() {
        return render("");
    }

    /** The chart rendered with these values (YAML, as in a {@code -f values.yaml} file) over its defaults. */
    static Rendered render(String valuesYaml) {
        String manifest = template(valuesYaml).call();
        return Rendered.parse(manifest);
    }

    /** The {@code helm template} command for these values, to call (and see it fail) in a test. */
    static TemplateCommand template(String valuesYaml) {
        return template(DIR, valuesYaml);
    }

    private static TemplateCommand template(Path chart, String valuesYaml) {
        return new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION)
                .withValuesFile(valuesFile(valuesYaml));
    }

    /**
     * The chart rendered with its hooks as plain objects too. helm-java returns the release manifest only, without
     * hooks, so this renders a copy of the chart whose hook annotations are renamed (to {@code test.seqstream.io/hook}).
     */
    static Rendered renderWithHooks(String valuesYaml) {
        try {
            Path copy = Files.createTempDirectory("chart-");
            try (Stream<Path> files = Files.walk(DIR)) {
                for (Path source : files.toList()) {
                    Path target = copy.resolve(DIR.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.writeString(target, Files.readString(source)
                                .replace("helm.sh/hook:", "test.seqstream.io/hook:"));
                    }
                }
            }
            return Rendered.parse(template(copy, valuesYaml).call());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code helm install --dry-run} prints for these values: the status, computed values and NOTES.txt. */
    static String installDryRun(String valuesYaml) {
        return new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION)
                .withValuesFile(valuesFile(valuesYaml)).dryRun().clientOnly().debug().call().getOutput();
    }

    private static Path valuesFile(String valuesYaml) {
        try {
            Path values = Files.createTempFile("values-", ".yaml");
            values.toFile().deleteOnExit();
            Files.writeString(values, valuesYaml);
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one rendering. */
    record Rendered(String manifest, List<JsonNode> objects) {
        static Rendered parse(String manifest) {
            List<JsonNode> objects = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(manifest)) {
                for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                    JsonNode node = it.next();
                    if (node != null && !node.isNull() && !node.isEmpty()) {
                        objects.add(node);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Rendered chart is not valid YAML:\n" + manifest, e);
            }
            return new Rendered(manifest, objects);
        }

        List<JsonNode> ofKind(String kind) {
            return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        }

        /** The single object of this kind and name; fails the test if there is not exactly one. */
        JsonNode get(String kind, String name) {
            List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                    && o.path("metadata").path("name").asText().equals(name)).toList();
            if (found.size() != 1) {
                throw new AssertionError("Expected one " + kind + " " + name + ", found " + found.size() + " among "
                        + objects.stream().map(o -> o.path("kind").asText() + "/"
                        + o.path("metadata").path("name").asText()).toList());
            }
            return found.get(0);
        }

        boolean has(String kind, String name) {
            return objects.stream().anyMatch(o -> o.path("kind").asText().equals(kind)
                    && o.path("metadata").path("name").asText().equals(name));
        }

        JsonNode statefulSet() {
            return get("StatefulSet", "scoring-seqstream");
        }

        JsonNode container(String name) {
            for (JsonNode c : statefulSet().at("/spec/template/spec/containers")) {
                if (c.path("name").asText().equals(name)) {
                    return c;
                }
            }
            throw new AssertionError("No container " + name + " in the StatefulSet");
        }

        /** The settings file the pods read ({@code seqstream.properties} of the ConfigMap). */
        Properties settings() {
            Properties props = new Properties();
            try {
                props.load(new StringReader(get("ConfigMap", "scoring-seqstream-config")
                        .at("/data/seqstream.properties").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return props;
        }
    }
}
