package io.seqstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps README.md honest: its JSON examples and its header table are what the code reads and writes. */
class ReadmeExamplesTest {

    /** {@code <!-- example: Name -->} directly followed by a json code block. */
    private static final Pattern EXAMPLE = Pattern.compile(
            "<!-- example: (\\w+) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);

    /** A row of the single-object header table. */
    private static final Pattern HEADER_ROW = Pattern.compile(
            "^\\| `(\\w+)` \\| `(C3 01(?: [0-9A-F]{2}){8})` \\|$", Pattern.MULTILINE);

    private static String readme;

    @BeforeAll
    static void readReadme() throws IOException {
        // Surefire runs in the module directory.
        readme = Files.readString(Path.of("README.md"));
    }

    @Test
    void shouldHaveOneJsonExamplePerRecordThatRoundTripsExactly() throws Exception {
        Map<String, String> examples = new LinkedHashMap<>();
        Matcher matcher = EXAMPLE.matcher(readme);
        while (matcher.find()) {
            assertThat(examples.put(matcher.group(1), matcher.group(2)))
                    .as("second example of %s", matcher.group(1))
                    .isNull();
        }

        assertThat(examples.keySet()).containsExactlyElementsOf(
                Samples.RECORD_CLASSES.stream().map(Class::getSimpleName).toList());
        for (Class<? extends SpecificRecordBase> type : Samples.RECORD_CLASSES) {
            String example = examples.get(type.getSimpleName());
            SpecificRecordBase record = SchemaJson.read(example, type);
            assertThat(SchemaJson.writeString(record))
                    .as("README example of %s, written back by SchemaJson", type.getSimpleName())
                    .isEqualTo(withoutWhitespace(example));
        }
    }

    @Test
    void shouldListTheHeaderOfEveryRecord() {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher matcher = HEADER_ROW.matcher(readme);
        while (matcher.find()) {
            rows.put(matcher.group(1), matcher.group(2));
        }

        Map<String, String> expected = new LinkedHashMap<>();
        for (Class<? extends SpecificRecordBase> type : Samples.RECORD_CLASSES) {
            expected.put(type.getSimpleName(),
                    HexFormat.ofDelimiter(" ").withUpperCase().formatHex(AvroSingleObject.header(type)));
        }
        assertThat(rows).containsExactlyEntriesOf(expected);
    }

    /** Drops whitespace outside JSON string literals. */
    private static String withoutWhitespace(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
