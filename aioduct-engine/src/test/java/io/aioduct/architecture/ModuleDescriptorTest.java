package io.aioduct.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled {@code module io.aioduct} is the one docs/architecture.md describes: it exports exactly
 * {@link EnginePackages#EXPORTED}, unqualified, opens nothing, and every package it contains is either
 * exported or listed as internal (a new package has to be placed on the map on purpose).
 */
class ModuleDescriptorTest {

    static ModuleDescriptor engineModule() throws IOException {
        try (InputStream in = Files.newInputStream(EnginePackages.MAIN_CLASSES.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theEngineModuleExportsTheDocumentedPackagesAndOpensNone() throws IOException {
        ModuleDescriptor module = engineModule();

        assertThat(module.name()).isEqualTo("io.aioduct");
        assertThat(module.exports())
                .allSatisfy(e -> assertThat(e.isQualified())
                        .as("qualified export of " + e.source())
                        .isFalse());
        assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
                .containsExactlyInAnyOrderElementsOf(EnginePackages.EXPORTED);
        assertThat(module.opens()).isEmpty();
        assertThat(module.isOpen()).isFalse();
    }

    @Test
    void everyPackageOfTheEngineIsEitherExportedOrKnownInternal() throws IOException {
        Set<String> placed = new HashSet<>(EnginePackages.EXPORTED);
        placed.addAll(EnginePackages.INTERNAL);

        // javac writes no ModulePackages attribute, so the packages are read from the classes themselves.
        Set<String> packages = EnginePackages.mainClasses().stream()
                .map(JavaClass::getPackageName)
                .collect(Collectors.toSet());

        assertThat(packages).containsExactlyInAnyOrderElementsOf(placed);
    }

    /**
     * Counts the engine's top-level types (no nested, no package-info): all, public, and public in an
     * exported package, the figures docs/architecture.md quotes. The exported public types must be a
     * strict subset of the public ones: a package that is public only to wire the engine together stays
     * inside the module.
     */
    @Test
    void countsTheEnginesTopLevelTypes() {
        Set<JavaClass> topLevel = EnginePackages.mainClasses().stream()
                .filter(JavaClass::isTopLevelClass)
                .filter(c -> !c.getSimpleName().equals("package-info")
                        && !c.getSimpleName().equals("module-info"))
                .collect(Collectors.toSet());
        Set<JavaClass> open = topLevel.stream()
                .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
                .collect(Collectors.toSet());
        Set<JavaClass> exported = open.stream()
                .filter(c -> EnginePackages.EXPORTED.contains(c.getPackageName()))
                .collect(Collectors.toSet());

        System.out.printf(
                "engine top-level types: %d, public: %d (%d%%), public in exported packages: %d (%d%%)%n",
                topLevel.size(),
                open.size(),
                100 * open.size() / topLevel.size(),
                exported.size(),
                100 * exported.size() / topLevel.size());
        assertThat(topLevel).isNotEmpty();
        assertThat(exported.size()).isLessThan(open.size());
        // The architecture issue's target: at most 40% of the engine's types are API a user can reach.
        assertThat(100.0 * exported.size() / topLevel.size())
                .as("share of the engine's top-level types that are public in an exported package")
                .isLessThanOrEqualTo(40.0);
    }
}
