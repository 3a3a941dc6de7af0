package io.aioduct.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs' code compiles against what {@code module io.aioduct} exports, as a user's code would: the
 * snippet sources are compiled as a separate named module that {@code requires io.aioduct}, with the engine
 * (target/classes) and its module dependencies on the module path. The test scaffolding the examples run on
 * (JUnit, AssertJ, {@code io.aioduct.testing}) stays on the class path, read through
 * {@code --add-reads}; it is not what the docs show. A snippet naming a non-exported type fails to compile.
 */
class DocsModuleTest {
    private static final Path TEST_SOURCES = Path.of("src", "test", "java");
    private static final String DOCS_MODULE = "io.aioduct.docs";

    @TempDir
    Path work;

    /** The user guide's examples (getting started, events, HTTP/2 and TLS, compat migration). */
    @Test
    void theUserGuideExamplesCompileAgainstTheExportsAlone() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(TEST_SOURCES.resolve(Path.of("io", "aioduct", "docs")))) {
            examples = files.filter(p -> p.getFileName().toString().endsWith("Examples.java"))
                    .sorted()
                    .toList();
        }
        assertThat(examples).isNotEmpty();
        Map<String, String> sources = new HashMap<>();
        for (Path example : examples) {
            sources.put("io/aioduct/docs/" + example.getFileName(), Files.readString(example));
        }

        assertThat(compileAsDocsModule(sources)).isEmpty();
    }

    /**
     * The extension guide (docs/extending.md) shows a custom runtime, a custom connector and an engine
     * assembled from them; its snippets live in {@code CustomRuntimeTest}, in the engine's own package, so it
     * is compiled here moved to a package of the docs module, where only the exports are visible.
     */
    @Test
    void theExtensionGuideCompilesAgainstTheExportsAlone() throws IOException {
        String source =
                Files.readString(TEST_SOURCES.resolve(Path.of("io", "aioduct", "engine", "CustomRuntimeTest.java")));
        String moved = source.replaceFirst(
                "package io\\.aioduct\\.engine;", "package io.aioduct.docs.extending;\n\nimport io.aioduct.engine.*;");

        assertThat(compileAsDocsModule(Map.of("io/aioduct/docs/extending/CustomRuntimeTest.java", moved)))
                .isEmpty();
    }

    /** The check has teeth: code outside the module cannot name a type of a package the module hides. */
    @Test
    void aSnippetUsingANonExportedTypeDoesNotCompile() throws IOException {
        String hidden = """
                package io.aioduct.docs;

                import io.aioduct.exchange.Retry;

                class UsesHiddenType {
                    Class<?> hidden = Retry.class;
                }
                """;

        // javac says "not visible" when the hidden package is only in the module; with the engine's own tests
        // on the class path (some live in io.aioduct.exchange) it finds that package there and misses the type.
        assertThat(compileAsDocsModule(Map.of("io/aioduct/docs/UsesHiddenType.java", hidden)))
                .containsAnyOf("package io.aioduct.exchange is not visible", "symbol:   class Retry")
                .contains("UsesHiddenType.java");
    }

    /** Compiles the sources as module io.aioduct.docs; returns javac's diagnostics ("" when clean). */
    private String compileAsDocsModule(Map<String, String> sources) throws IOException {
        Path src = work.resolve("src");
        List<String> files = new ArrayList<>();
        Files.createDirectories(src);
        Files.writeString(src.resolve("module-info.java"), "module " + DOCS_MODULE + " { requires io.aioduct; }\n");
        files.add(src.resolve("module-info.java").toString());
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file.toString());
        }

        Set<Path> modulePath = engineModulePath();
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (!modulePath.contains(p)) {
                classPath.add(p.toString());
            }
        }
        List<String> args = new ArrayList<>(List.of(
                "-d",
                work.resolve("out").toString(),
                "-proc:none",
                "-Xlint:none",
                "--module-path",
                String.join(
                        File.pathSeparator,
                        modulePath.stream().map(Path::toString).toList()),
                "--class-path",
                String.join(File.pathSeparator, classPath),
                "--add-reads",
                DOCS_MODULE + "=ALL-UNNAMED"));
        args.addAll(files);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        return rc == 0 ? "" : diagnostics.toString(StandardCharsets.UTF_8);
    }

    /** target/classes plus the jars of every module io.aioduct requires, directly or transitively. */
    private static Set<Path> engineModulePath() throws IOException {
        Map<String, Path> jars = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath().normalize();
            if (!jar.toString().endsWith(".jar")) {
                continue;
            }
            try {
                for (ModuleReference ref : ModuleFinder.of(jar).findAll()) {
                    jars.putIfAbsent(ref.descriptor().name(), jar);
                }
            } catch (FindException notAModule) {
                // A jar whose file name yields no valid automatic module name: never one the engine requires.
            }
        }
        Set<Path> path = new LinkedHashSet<>();
        path.add(EnginePackages.MAIN_CLASSES.toAbsolutePath().normalize());
        Set<String> seen = new LinkedHashSet<>();
        ModuleDescriptor engine = ModuleDescriptorTest.engineModule();
        Deque<ModuleDescriptor> todo = new ArrayDeque<>(List.of(engine));
        while (!todo.isEmpty()) {
            ModuleDescriptor module = todo.pop();
            for (ModuleDescriptor.Requires requires : module.requires()) {
                String name = requires.name();
                // Optional dependencies of the dependencies (Netty's log4j, ...) are not resolved by default.
                boolean optional = requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC);
                if ((optional && module != engine)
                        || ModuleFinder.ofSystem().find(name).isPresent()
                        || !seen.add(name)) {
                    continue;
                }
                Path jar = jars.get(name);
                assertThat(jar).as("jar of module " + name).isNotNull();
                path.add(jar);
                todo.add(ModuleFinder.of(jar).find(name).orElseThrow().descriptor());
            }
        }
        return path;
    }
}
