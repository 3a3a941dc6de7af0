package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the book honest: every Java block in docs/*.md must be preceded by {@code <!-- snippet:
 * path/To/File.java#tag -->} and be exactly the {@code tag::tag[]} region of that file, which lives in a
 * test source set and so is compiled and run by the build.
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK =
            Pattern.compile("(?:<!-- snippet: (\\S+)#(\\S+) -->\\s*\\n)?```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaSnippetInTheDocsIsCompiledCode() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> pages = Files.walk(ROOT.resolve("docs"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher m = BLOCK.matcher(Files.readString(page));
                while (m.find()) {
                    String where = ROOT.relativize(page) + " at offset " + m.start();
                    if (m.group(1) == null) {
                        problems.add(where + ": a java block without a <!-- snippet: file#tag --> marker");
                        continue;
                    }
                    Path source = ROOT.resolve(m.group(1));
                    if (!Files.exists(source)) {
                        problems.add(where + ": " + m.group(1) + " does not exist");
                        continue;
                    }
                    String region = region(Files.readString(source), m.group(2));
                    if (region == null) {
                        problems.add(where + ": no tag::" + m.group(2) + "[] in " + m.group(1));
                    } else if (!region.equals(m.group(3))) {
                        problems.add(
                                where + ": differs from " + m.group(1) + "#" + m.group(2) + "; expected:\n" + region);
                    }
                    checked++;
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("snippets checked").isPositive();
    }

    /** The lines between tag and end markers, de-indented to the first line. */
    static String region(String source, String tag) {
        String[] lines = source.split("\n", -1);
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.trim().equals("// end::" + tag + "[]")) {
                break;
            }
            if (in) {
                out.add(line);
            }
            if (line.trim().equals("// tag::" + tag + "[]")) {
                in = true;
            }
        }
        if (!in) {
            return null;
        }
        int indent = out.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : out) {
            sb.append(l.length() >= indent ? l.substring(indent) : l.strip()).append('\n');
        }
        return sb.toString();
    }
}
