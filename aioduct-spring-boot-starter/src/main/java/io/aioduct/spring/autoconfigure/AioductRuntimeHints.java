package io.aioduct.spring.autoconfigure;

import io.aioduct.Response;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image of an application on the starter needs beyond what Spring AOT infers from the bean
 * definitions: the classes the starter and the engine look up by name. Registered through {@code
 * META-INF/spring/aot.factories}, so Spring's AOT processing applies it to every application that has the
 * starter.
 *
 * <ul>
 *   <li>{@value EngineFactory#IO_URING_CLASS}: the starter checks for it by name before it picks the
 *       io-uring runtime; without the hint a native image would always report io_uring absent.
 *   <li>{@link Response}: the engine initialises it by name, which installs its response factory.
 *   <li>{@link AioductFailureAnalyzer}: made reflectively from {@code META-INF/spring.factories}.
 * </ul>
 *
 * <p>Netty's own native-image metadata (shipped in its jars) covers its transports; Spring Boot's AOT
 * covers the binding of {@code aioduct.*} properties and the beans. Stateless.
 */
final class AioductRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        hints.reflection().registerTypeIfPresent(classLoader, EngineFactory.IO_URING_CLASS);
        hints.reflection().registerType(Response.class);
        hints.reflection().registerType(AioductFailureAnalyzer.class, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
    }
}
