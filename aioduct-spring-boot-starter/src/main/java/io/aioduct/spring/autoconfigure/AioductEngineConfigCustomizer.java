package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.EngineConfig;

/**
 * A bean that adjusts the engine's fixed settings (resolver, socket options, codec limits, clock)
 * before the auto-configured engine is created. Runs after the {@code aioduct.pool.*}, {@code
 * aioduct.http2.*} and {@code aioduct.tls.*} properties are applied, in {@link
 * org.springframework.core.Ordered order}. Engines made for SSL bundles start from the result, with the
 * bundle's TLS.
 */
@FunctionalInterface
public interface AioductEngineConfigCustomizer {

    void customize(EngineConfig.Builder builder);
}
