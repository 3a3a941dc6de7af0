package io.aioduct.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Keeps the published poms consistent where Maven cannot: {@code aioduct-bom} has no parent (an imported BOM
 * must not carry the parent's dependency management), so nothing but this test ties its version, its
 * metadata and the artifacts it manages to the root pom's. docs/publishing.md says why.
 */
class PublishedPomsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBomHasTheRootPomsVersionAndMetadata() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("aioduct-bom/pom.xml"));

        assertThat(child(bom, "parent")).as("aioduct-bom must have no parent").isNull();
        assertThat(text(bom, "groupId")).isEqualTo(text(root, "groupId"));
        assertThat(text(bom, "version")).isEqualTo(text(root, "version"));
        for (String field : List.of("url", "licenses", "developers", "scm", "issueManagement")) {
            assertThat(normalised(child(bom, field)))
                    .as("aioduct-bom's <%s> repeats the root pom's", field)
                    .isEqualTo(normalised(child(root, field)))
                    .isNotEmpty();
        }
    }

    @Test
    void theBomManagesExactlyThePublishedJarModules() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        List<String> published = new ArrayList<>();
        for (Element module : children(child(root, "modules"), "module")) {
            Element pom = pom(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
            Element properties = child(pom, "properties");
            boolean deployed = properties == null
                    || child(properties, "maven.deploy.skip") == null
                    || !text(properties, "maven.deploy.skip").equals("true");
            String packaging = child(pom, "packaging") == null ? "jar" : text(pom, "packaging");
            if (deployed && packaging.equals("jar")) {
                published.add(text(pom, "artifactId"));
            }
        }

        Element bom = pom(ROOT.resolve("aioduct-bom/pom.xml"));
        List<String> managed = new ArrayList<>();
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo("io.aioduct");
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            managed.add(text(dependency, "artifactId"));
        }
        assertThat(published).contains("aioduct-engine", "aioduct-spring-boot-starter");
        assertThat(managed).containsExactlyInAnyOrderElementsOf(published);
    }

    private static Element pom(Path file) throws Exception {
        assertThat(file).exists();
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document doc = factory.newDocumentBuilder().parse(Files.newInputStream(file));
        return doc.getDocumentElement();
    }

    /** The first direct child element named {@code name}, or null. */
    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        assertThat(e).as("<%s> in <%s>", name, parent.getTagName()).isNotNull();
        return e.getTextContent().trim();
    }

    /** An element's text with all whitespace collapsed, so that indentation differences do not count. */
    private static String normalised(Element e) {
        return e == null ? "" : e.getTextContent().replaceAll("\\s+", " ").trim();
    }
}
