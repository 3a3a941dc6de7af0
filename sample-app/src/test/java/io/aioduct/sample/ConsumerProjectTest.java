package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.aioduct.Aioduct;
import io.aioduct.sample.testing.ConsumerProject;
import io.aioduct.sample.testing.ConsumerProject.Artifact;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/getting-started.md tells a Spring Boot user what to put in a pom and a class; this builds a project of
 * exactly that text (the page's {@code <!-- consumer-pom -->} block and the class after it) against the aioduct
 * jars of this build, runs it against a local server, and checks that its {@code RestClient} request went out
 * through aioduct. A page that loses a module a client needs (Spring Boot 4 splits them out) fails here.
 */
class ConsumerProjectTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String PAGE = "docs/getting-started.md";

    @Test
    void theGettingStartedPomAndClassBuildAndRunARestClientCallOnAioduct() throws Exception {
        String parentPom = Files.readString(ROOT.resolve("pom.xml"));
        String version = projectVersion(parentPom);
        ConsumerProject project = ConsumerProject.fromPage(ROOT, PAGE, Path.of("target", "consumer-project"));

        // The page names this build's version of the starter and the Netty version the engine is tested on.
        assertThat(project.pomSnippet())
                .as(PAGE + ": the starter's version in the consumer-pom block")
                .containsPattern(dependency("io.aioduct", "aioduct-spring-boot-starter", version));
        assertThat(project.pomSnippet())
                .as(PAGE + ": the netty-bom version in the consumer-pom block (the parent pom's netty.version)")
                .containsPattern(
                        dependency("io.netty", "netty-bom", ConsumerProject.property(parentPom, "netty.version")));

        List<Path> classpath = project.build(
                version,
                List.of(
                        new Artifact("aioduct-engine", Aioduct.class),
                        new Artifact("aioduct-spring-boot-starter", AioductAutoConfiguration.class)));

        List<String> userAgents = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/orders/42", exchange -> {
            userAgents.add(String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
            byte[] body = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        ConsumerProject.Run run;
        try {
            run = project.run(
                    classpath,
                    "--orders.url=http://127.0.0.1:" + server.getAddress().getPort());
        } finally {
            server.stop(0);
        }

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("the order the application printed").containsPattern("(?m)^\\{\"id\":42}$");
        assertThat(run.output()).as("the starter's start-up line").contains("aioduct: pooled runtime (");
        assertThat(userAgents)
                .as("the User-Agent of the request the server got: aioduct's, not the JDK client's")
                .singleElement()
                .asString()
                .startsWith("aioduct-java/");
    }

    @Test
    void aPageWithoutTheMarkedPomOrClassFailsNamingWhatIsGone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("no-pom.md"), "# Getting started\n\n```xml\n<dependencies/>\n```\n");
        assertThatThrownBy(() -> ConsumerProject.fromPage(dir, "no-pom.md", dir))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no-pom.md has no ```xml block marked <!-- consumer-pom: ... -->");

        Files.writeString(
                dir.resolve("no-class.md"), "<!-- consumer-pom: x -->\n```xml\n<dependencies/>\n```\nno class\n");
        assertThatThrownBy(() -> ConsumerProject.fromPage(dir, "no-class.md", dir))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no-class.md has no ```java block after its <!-- consumer-pom --> block");
    }

    private static String projectVersion(String parentPom) {
        var m = Pattern.compile("<artifactId>aioduct-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(parentPom);
        assertThat(m.find()).as("the parent pom's version").isTrue();
        return m.group(1);
    }

    private static String dependency(String groupId, String artifactId, String version) {
        return "<groupId>" + Pattern.quote(groupId) + "</groupId>\\s*<artifactId>" + Pattern.quote(artifactId)
                + "</artifactId>\\s*<version>" + Pattern.quote(version) + "</version>";
    }
}
