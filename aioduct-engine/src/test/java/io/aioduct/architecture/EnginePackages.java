package io.aioduct.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import java.util.Set;

/** The engine's package map as documented in docs/architecture.md ("Modules and packages"). */
final class EnginePackages {
    /** What {@code module io.aioduct} exports: what a user or a third-party runtime/connector needs. */
    static final Set<String> EXPORTED = Set.of(
            "io.aioduct",
            "io.aioduct.runtime",
            "io.aioduct.runtime.pooled",
            "io.aioduct.runtime.virtual",
            "io.aioduct.runtime.uring",
            "io.aioduct.runtime.compat",
            "io.aioduct.connect",
            "io.aioduct.tls",
            "io.aioduct.event",
            "io.aioduct.engine",
            "io.aioduct.pool",
            "io.aioduct.protocol",
            "io.aioduct.policy",
            "io.aioduct.proxy");

    /** Inside the module only: the engine/driver contract, plumbing and the two protocol drivers. */
    static final Set<String> INTERNAL = Set.of(
            "io.aioduct.exchange",
            "io.aioduct.body",
            "io.aioduct.syntax",
            "io.aioduct.concurrent",
            "io.aioduct.http1",
            "io.aioduct.http2",
            "io.aioduct.chain",
            "io.aioduct.tunnel");

    /** The compiled engine (target/classes), relative to the module directory surefire runs in. */
    static final Path MAIN_CLASSES = Path.of("target", "classes");

    private static JavaClasses main;

    private EnginePackages() {}

    /** The engine's main classes only (no tests, no jars), imported once per JVM. */
    static synchronized JavaClasses mainClasses() {
        if (main == null) {
            main = new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                    .importPath(MAIN_CLASSES.toAbsolutePath());
        }
        return main;
    }
}
