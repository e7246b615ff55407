package io.seqstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * values.yaml documents every value where it is set, Bitnami style ({@code ## @param path Description}): each value
 * is documented by its own {@code @param} or by one on a map above it, and every {@code @param} names a real value.
 */
class ValuesDocumentationTest {
    private static final Pattern PARAM = Pattern.compile("^\\s*## @param (\\S+) (\\S.*)$", Pattern.MULTILINE);

    @Test
    void shouldDocumentEveryValue() throws Exception {
        String text = Files.readString(Chart.DIR.resolve("values.yaml"));
        Set<String> documented = new TreeSet<>();
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
            documented.add(m.group(1));
        }
        JsonNode values = Chart.YAML.readTree(text);

        List<String> undocumented = new ArrayList<>();
        Set<String> paths = new TreeSet<>();
        walk(values, "", documented, undocumented, paths);

        assertThat(undocumented).as("values without a ## @param line").isEmpty();
        assertThat(documented).as("## @param lines naming no value").isSubsetOf(paths);
    }

    private static void walk(JsonNode node, String prefix, Set<String> documented, List<String> undocumented,
                             Set<String> paths) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            paths.add(path);
            if (documented.contains(path)) {
                continue;
            }
            if (field.getValue().isObject() && !field.getValue().isEmpty()) {
                walk(field.getValue(), path, documented, undocumented, paths);
            } else {
                undocumented.add(path);
            }
        }
    }
}
