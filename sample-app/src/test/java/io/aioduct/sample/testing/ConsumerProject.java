package io.aioduct.sample.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.web.client.RestClient;

/**
 * A Maven project of its own, the way a user would make one from docs/getting-started.md: the page's
 * {@code <!-- consumer-pom -->} block as the pom's dependencies and the Java class after it as the
 * application, built by this repository's Maven wrapper against the aioduct artifacts of this build, and run
 * in a JVM of its own.
 *
 * <p>The aioduct artifacts are never installed into the shared {@code ~/.m2}: they are laid out as if
 * installed in a local repository of the project's own ({@code m2/} in its directory), chained in front of
 * the build's local repository ({@code maven.repo.local.tail}, Maven 3.9), so everything else resolves from
 * there, and whatever the project needs beyond what this build resolved (the Spring Boot starters the page
 * names) is downloaded into {@code m2/}, not into the shared repository.
 */
public final class ConsumerProject {

    private static final Pattern POM_BLOCK =
            Pattern.compile("<!-- consumer-pom:[^\\n]*-->\\s*\\n```xml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern PUBLIC_CLASS = Pattern.compile("^public class (\\w+)", Pattern.MULTILINE);

    private final Path root;
    private final Path dir;
    private final String pomSnippet;
    private final String source;
    private final String mainClass;

    private ConsumerProject(Path root, Path dir, String pomSnippet, String source, String mainClass) {
        this.root = root;
        this.dir = dir;
        this.pomSnippet = pomSnippet;
        this.source = source;
        this.mainClass = mainClass;
    }

    /**
     * The project {@code page} (relative to the repository {@code root}) describes, to be made in {@code dir};
     * fails naming what the page lacks.
     */
    public static ConsumerProject fromPage(Path root, String page, Path dir) throws IOException {
        String text = Files.readString(root.resolve(page));
        Matcher pom = POM_BLOCK.matcher(text);
        if (!pom.find()) {
            throw new AssertionError(page + " has no ```xml block marked <!-- consumer-pom: ... -->: the pom"
                    + " snippet a user pastes (and this test builds) is gone");
        }
        Matcher java = JAVA_BLOCK.matcher(text);
        if (!java.find(pom.end())) {
            throw new AssertionError(page + " has no ```java block after its <!-- consumer-pom --> block: the"
                    + " application class a user copies (and this test runs) is gone");
        }
        String source = java.group(1);
        Matcher pkg = PACKAGE.matcher(source);
        Matcher cls = PUBLIC_CLASS.matcher(source);
        if (!pkg.find() || !cls.find()) {
            throw new AssertionError(page + ": the java block after <!-- consumer-pom --> must be a whole source"
                    + " file (a package line and a public class), so a user can copy it as it is:\n" + source);
        }
        return new ConsumerProject(root, dir.toAbsolutePath(), pom.group(1), source, pkg.group(1) + "." + cls.group(1));
    }

    public String pomSnippet() {
        return pomSnippet;
    }

    public String mainClass() {
        return mainClass;
    }

    /**
     * Writes the project, puts {@code artifacts} (an artifactId and a class of its, to find its jar or
     * classes) in its own local repository, builds it with the wrapper and returns its run-time class path.
     */
    public List<Path> build(String version, List<Artifact> artifacts) throws IOException, InterruptedException {
        Path repo = dir.resolve("m2");
        deleteTree(repo.resolve("io/aioduct"));
        deleteTree(dir.resolve("src"));
        deleteTree(dir.resolve("target"));
        Path parentPom = root.resolve("pom.xml");
        stage(repo, "aioduct-parent", version, "pom", parentPom);
        for (Artifact a : artifacts) {
            stage(
                    repo,
                    a.artifactId(),
                    version,
                    "pom",
                    root.resolve(a.artifactId()).resolve("pom.xml"));
            stage(repo, a.artifactId(), version, "jar", jarOf(a.anyClass()));
        }
        Path java = dir.resolve("src/main/java").resolve(mainClass.replace('.', '/') + ".java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, source);
        Files.writeString(dir.resolve("pom.xml"), pom(Files.readString(parentPom)));

        Path classpath = dir.resolve("classpath.txt");
        Path log = dir.resolve("build.log");
        List<String> command = List.of(
                root.resolve("mvnw").toString(),
                "-B",
                "-ntp",
                "-f",
                dir.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + buildLocalRepository(),
                "compile",
                "dependency:build-classpath",
                "-Dmdep.includeScope=runtime",
                "-Dmdep.outputFile=" + classpath);
        ProcessBuilder maven = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        maven.environment().put("JAVA_HOME", System.getProperty("java.home"));
        maven.environment().put("MAVEN_OPTS", String.join(" ", jvmFlags()));
        int exit = await(maven.start(), 5, log);
        if (exit != 0) {
            throw new AssertionError(
                    "the project made from the docs does not build (exit " + exit + "):\n" + tail(log, 60));
        }
        List<Path> path = new ArrayList<>();
        path.add(dir.resolve("target/classes"));
        for (String entry : Files.readString(classpath).strip().split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (jar.toString().contains("io" + File.separator + "aioduct") && !jar.startsWith(repo)) {
                // A copy installed into the shared repository by hand must not stand in for this build's.
                throw new AssertionError("the project resolved " + jar + ", not this build's artifact from " + repo);
            }
            path.add(jar);
        }
        return path;
    }

    /** Runs the application's main class on {@code classpath} with {@code args}; its output goes to {@code log}. */
    public Run run(List<Path> classpath, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-cp");
        command.add(String.join(
                File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(List.of(args));
        Path log = dir.resolve("run.log");
        Process app = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int exit = await(app, 3, log);
        return new Run(exit, Files.readString(log));
    }

    /** What a run of the application printed, and how it ended. */
    public record Run(int exitCode, String output) {}

    /** An aioduct module of this build, found through one of its classes. */
    public record Artifact(String artifactId, Class<?> anyClass) {}

    /** The flags the docs give every JVM: Netty's native access, and its Unsafe opt-in from JDK 23 on. */
    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        flags.add("--enable-native-access=ALL-UNNAMED");
        return flags;
    }

    private String pom(String parentPom) {
        // The plugins the build itself uses, at its versions, so nothing but the page's dependencies is new.
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>demo</artifactId>
                  <version>0.0.1</version>
                  <properties>
                    <maven.compiler.release>21</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                %s
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-dependency-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(
                        pomSnippet,
                        property(parentPom, "maven-compiler-plugin.version"),
                        property(parentPom, "maven-resources-plugin.version"),
                        property(parentPom, "maven-dependency-plugin.version"));
    }

    /** A {@code <name>value</name>} property of the build's parent pom. */
    public static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!m.find()) {
            throw new AssertionError("no <" + name + "> in the parent pom");
        }
        return m.group(1).strip();
    }

    private static void stage(Path repo, String artifactId, String version, String extension, Path file)
            throws IOException {
        Path target = repo.resolve("io/aioduct")
                .resolve(artifactId)
                .resolve(version)
                .resolve(artifactId + "-" + version + "." + extension);
        Files.createDirectories(target.getParent());
        if (Files.isDirectory(file)) {
            jar(file, target); // a run of only the test phase has classes, not yet a jar
        } else {
            Files.copy(file, target);
        }
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(type.getName(), e);
        }
    }

    /**
     * The local repository this build resolves from, found from where Spring Web's jar sits in it
     * ({@code <repo>/org/springframework/spring-web/<version>/<jar>}).
     */
    private static Path buildLocalRepository() {
        Path jar = jarOf(RestClient.class);
        Path repo = jar.getParent().getParent().getParent().getParent().getParent();
        if (!Files.isDirectory(repo.resolve("org/springframework/spring-web"))) {
            throw new IllegalStateException("spring-web is not in a Maven repository layout: " + jar);
        }
        return repo;
    }

    private static void jar(Path classes, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target);
                JarOutputStream jar = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    private static int await(Process process, int minutes, Path log) throws InterruptedException, IOException {
        // A guard against a hung child, not a time limit on the work: minutes, where seconds are normal.
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("still running after " + minutes + " min, stopped:\n" + tail(log, 60));
        }
        return process.exitValue();
    }

    private static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
