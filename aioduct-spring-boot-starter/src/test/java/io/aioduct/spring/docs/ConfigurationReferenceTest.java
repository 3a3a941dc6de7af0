package io.aioduct.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;

/**
 * Keeps the "aioduct.* properties" section of docs/configuration.md in step with the configuration
 * metadata the build generates: every property, its values and default, its description. On a
 * mismatch it fails and shows the section it expects; {@code scripts/docs-properties} (this test with
 * {@code -Daioduct.docs.update=true}) rewrites the page.
 */
class ConfigurationReferenceTest {
    private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
    private static final Path PAGE = Path.of("../docs/configuration.md");
    static final String BEGIN = "<!-- aioduct-properties: generated from the configuration metadata -->";
    static final String END = "<!-- /aioduct-properties -->";

    @Test
    void theConfigurationPageListsEveryPropertyAsTheMetadataDescribesIt() throws IOException {
        String expected = render(Files.readString(METADATA));
        String page = Files.readString(PAGE);
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        assertThat(begin).as("%s marker in %s", BEGIN, PAGE).isNotNegative();
        assertThat(end).as("%s marker in %s", END, PAGE).isGreaterThan(begin);
        String actual = page.substring(begin + BEGIN.length(), end);
        if (!actual.equals(expected) && Boolean.getBoolean("aioduct.docs.update")) {
            Files.writeString(PAGE, page.substring(0, begin + BEGIN.length()) + expected + page.substring(end));
            return;
        }
        assertThat(actual)
                .as("docs/configuration.md is out of step with the metadata; run scripts/docs-properties")
                .isEqualTo(expected);
    }

    @Test
    void everyPropertyHasADescriptionAndATypeInTheMetadata() throws IOException {
        for (Map<String, Object> p : properties(Files.readString(METADATA))) {
            assertThat((String) p.get("description"))
                    .as("description of %s", p.get("name"))
                    .isNotBlank();
            assertThat((String) p.get("type")).as("type of %s", p.get("name")).isNotBlank();
        }
    }

    /** The Markdown table between the markers: one row per property, sorted by name. */
    static String render(String metadataJson) {
        Map<String, Object> metadata = JsonParserFactory.getJsonParser().parseMap(metadataJson);
        Map<String, List<String>> hints = new java.util.HashMap<>();
        for (Object h : list(metadata.get("hints"))) {
            Map<?, ?> hint = (Map<?, ?>) h;
            hints.put(
                    (String) hint.get("name"),
                    list(hint.get("values")).stream()
                            .map(v -> "`" + ((Map<?, ?>) v).get("value") + "`")
                            .toList());
        }
        StringBuilder sb = new StringBuilder("\n| property | values | default | description |\n|---|---|---|---|\n");
        for (Map<String, Object> p : properties(metadataJson)) {
            String name = (String) p.get("name");
            List<String> values = hints.get(name);
            Object def = p.get("defaultValue");
            String type = type((String) p.get("type"));
            boolean map = type.equals("map"); // a map property takes one key per entry, e.g. a header name
            sb.append("| `")
                    .append(name)
                    .append(map ? ".<name>" : "")
                    .append("` | ")
                    .append(values != null ? String.join(", ", values) : map ? mapValues((String) p.get("type")) : type)
                    .append(" | ")
                    .append(def == null ? "" : "`" + def + "`")
                    .append(" | ")
                    .append(((String) p.get("description")).replace("|", "\\|").replace("\n", " "))
                    .append(" |\n");
        }
        return sb.append('\n').toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> properties(String metadataJson) {
        Map<String, Object> metadata = JsonParserFactory.getJsonParser().parseMap(metadataJson);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object p : list(metadata.get("properties"))) {
            out.add((Map<String, Object>) p);
        }
        out.sort(Comparator.comparing(p -> (String) p.get("name")));
        return out;
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    /** What a map property's entries take: a string, or an object whose keys the description names. */
    private static String mapValues(String javaType) {
        return javaType.endsWith("java.lang.String>") ? "string" : "object";
    }

    /** A reader's name for a metadata type. */
    private static String type(String javaType) {
        return switch (javaType) {
            case "java.time.Duration" -> "duration";
            case "org.springframework.util.unit.DataSize" -> "data size";
            case "java.lang.Integer" -> "integer";
            case "java.lang.String" -> "string";
            case "java.lang.Boolean" -> "boolean";
            default ->
                javaType.startsWith("java.util.Map")
                        ? "map"
                        : javaType.startsWith("java.util.List<")
                                ? "list of " + type(javaType.substring(15, javaType.length() - 1)) + "s"
                                : javaType.substring(javaType.lastIndexOf('.') + 1);
        };
    }
}
