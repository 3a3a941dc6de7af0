package io.aioduct.spring.http;

import io.aioduct.engine.HttpEngine;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where the starter's request-factory and connector builders get the engine for an SSL bundle that
 * Spring Boot's {@code HttpClientSettings} carry ({@code spring.http.clients.ssl.bundle}, a service
 * group's bundle, or one given to a builder in code). TLS is fixed for an engine's lifetime, so a bundle
 * needs an engine whose TLS comes from it; the auto-configured implementation makes one per bundle on the
 * shared engine's runtime (the same threads) and closes it with the context.
 *
 * <p>The engines returned belong to the implementation, never to the clients built on them. Implementations
 * are thread-safe.
 */
@FunctionalInterface
public interface SslBundleEngines {

    /**
     * The engine whose TLS is {@code bundle}'s: the same engine every time for the same bundle.
     *
     * @throws IllegalStateException if the bundle cannot configure TLS (naming why), or the engines are shut
     *     down
     */
    HttpEngine engineFor(SslBundle bundle);
}
