package io.aioduct.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

/**
 * The engine's package graph, as docs/architecture.md draws it. Each rule is one test, so a failure names
 * the rule it breaks; the messages list every offending dependency with its source line.
 */
class LayeringTest {

    /**
     * No cycles among the packages below the root API ({@code io.aioduct.runtime}, {@code engine},
     * {@code http1}, ...; every package is its own slice: {@code runtime} is the SPI below the engine, while
     * {@code runtime.compat} is a runtime built on top of the engine, so lumping them together would draw a
     * cycle that the code does not have). The root package {@code io.aioduct}
     * is left out by the pattern on purpose: it is the API and the model ({@code Request}, {@code Response},
     * {@code HttpHeaders}, the exception hierarchy, {@code Ticker}) that every layer speaks, and it builds
     * clients from the engine faces ({@code Aioduct.pooled()}), so it depends on them and they on it. Moving
     * the model out of {@code io.aioduct} to break that loop would change every user's imports for a graph
     * nicety; the rule that keeps the root honest is {@link #theRootApiDependsOnNoDriverAndNoRuntimeImplementation}.
     */
    @Test
    void thePackagesBelowTheRootApiFormNoCycle() {
        slices().matching("io.aioduct.(**)").should().beFreeOfCycles().check(EnginePackages.mainClasses());
    }

    /**
     * The HTTP/1.1 and HTTP/2 drivers speak to the engine through {@code io.aioduct.exchange} only: they
     * never reach into the engine core, the pool or a runtime, so a driver works unchanged under every
     * runtime and pool topology.
     */
    @Test
    void theProtocolDriversUseNeitherTheEngineCoreNorThePoolNorARuntime() {
        noClasses()
                .that()
                .resideInAnyPackage("io.aioduct.http1..", "io.aioduct.http2..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.aioduct.engine..", "io.aioduct.pool..", "io.aioduct.runtime..")
                .check(EnginePackages.mainClasses());
    }

    /** io_uring stays a plug-in: one package may touch Netty's io_uring transport, the others run without it. */
    @Test
    void onlyTheIoUringRuntimeUsesNettyIoUring() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.aioduct.runtime.uring..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.netty.channel.uring..")
                .check(EnginePackages.mainClasses());
    }

    /** The engine is a plain library: Spring and Micrometer live in the starter, which adapts the engine to them. */
    @Test
    void theEngineUsesNeitherSpringNorMicrometer() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "io.micrometer..")
                .check(EnginePackages.mainClasses());
    }

    /**
     * The root API is what users import: the model and the client never name a protocol driver or a runtime
     * implementation. The one exception is {@code io.aioduct.Aioduct}, the composition root that hands out
     * the ready runtime/connector pairs ({@code Aioduct.pooled()}, {@code virtualThreads()},
     * {@code ioUring()}) and therefore must construct each runtime; nothing else in the root may.
     */
    @Test
    void theRootApiDependsOnNoDriverAndNoRuntimeImplementation() {
        noClasses()
                .that()
                .resideInAPackage("io.aioduct")
                .and()
                .doNotHaveFullyQualifiedName("io.aioduct.Aioduct")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.aioduct.http1..",
                        "io.aioduct.http2..",
                        "io.aioduct.runtime.pooled..",
                        "io.aioduct.runtime.virtual..",
                        "io.aioduct.runtime.uring..",
                        "io.aioduct.runtime.compat..")
                .check(EnginePackages.mainClasses());
        noClasses()
                .that()
                .haveFullyQualifiedName("io.aioduct.Aioduct")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.aioduct.http1..", "io.aioduct.http2..")
                .check(EnginePackages.mainClasses());
    }
}
