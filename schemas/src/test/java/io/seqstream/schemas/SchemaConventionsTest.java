package io.seqstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The house rules for schemas (STYLE.md, "Schemas"), checked over every generated schema. */
class SchemaConventionsTest {

    private static final String NAMESPACE = "io.seqstream.schemas.v1";

    /** Every named type reachable from the generated records, by full name. */
    private static final Map<String, Schema> NAMED = new LinkedHashMap<>();

    @BeforeAll
    static void collectNamedTypes() {
        for (Class<? extends SpecificRecordBase> type : Samples.RECORD_CLASSES) {
            collect(schemaOf(type));
        }
    }

    @Test
    void shouldCoverEverySchemaFile() throws IOException {
        List<String> files;
        try (Stream<Path> paths = Files.list(Path.of("src/main/avro"))) {
            files = paths.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc"))
                    .map(n -> n.substring(0, n.length() - ".avsc".length())).toList();
        }

        assertThat(Samples.RECORD_CLASSES).extracting(Class::getSimpleName)
                .containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void shouldGiveEveryNamedTypeAVersionedNamespaceAndADoc() {
        assertThat(NAMED.keySet()).contains(NAMESPACE + ".SummaryReason");
        for (Schema schema : NAMED.values()) {
            assertThat(schema.getNamespace()).as("namespace of %s", schema.getName()).isEqualTo(NAMESPACE);
            assertThat(schema.getDoc()).as("doc of %s", schema.getFullName()).isNotBlank();
        }
    }

    @Test
    void shouldGiveEveryFieldADoc() {
        List<String> checked = new ArrayList<>();
        for (Schema schema : records()) {
            for (Schema.Field field : schema.getFields()) {
                assertThat(field.doc()).as("doc of %s.%s", schema.getName(), field.name()).isNotBlank();
                checked.add(schema.getName() + "." + field.name());
            }
        }
        assertThat(checked).contains("SequenceEvent.token", "Score.eventTime", "ModelAnnouncement.metrics");
    }

    @Test
    void shouldDefaultEveryNullableFieldToNull() {
        for (Schema schema : records()) {
            for (Schema.Field field : schema.getFields()) {
                if (field.schema().isNullable()) {
                    assertThat(field.schema().getTypes().get(0).getType())
                            .as("null first in the union of %s.%s", schema.getName(), field.name())
                            .isEqualTo(Schema.Type.NULL);
                    assertThat(field.defaultVal())
                            .as("default of %s.%s", schema.getName(), field.name())
                            .isEqualTo(JsonProperties.NULL_VALUE);
                }
            }
        }
    }

    @Test
    void shouldGenerateClassesInThePackageOfTheNamespace() {
        for (Class<? extends SpecificRecordBase> type : Samples.RECORD_CLASSES) {
            assertThat(type.getPackageName()).isEqualTo(NAMESPACE);
        }
    }

    private static List<Schema> records() {
        return NAMED.values().stream().filter(s -> s.getType() == Schema.Type.RECORD).toList();
    }

    private static Schema schemaOf(Class<? extends SpecificRecordBase> type) {
        return org.apache.avro.specific.SpecificData.get().getSchema(type);
    }

    private static void collect(Schema schema) {
        switch (schema.getType()) {
            case RECORD -> {
                if (NAMED.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(f -> collect(f.schema()));
                }
            }
            case ENUM, FIXED -> NAMED.putIfAbsent(schema.getFullName(), schema);
            case ARRAY -> collect(schema.getElementType());
            case MAP -> collect(schema.getValueType());
            case UNION -> schema.getTypes().forEach(SchemaConventionsTest::collect);
            default -> {
            }
        }
    }
}
