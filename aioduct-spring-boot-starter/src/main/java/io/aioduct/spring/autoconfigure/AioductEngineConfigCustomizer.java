package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.EngineConfig;

/**
 * A bean that adjusts the engine's fixed settings (resolver, socket options, codec limits, clock)
 * before the auto-configured engine is created. Runs after the {@code aioduct.pool.*} properties are
 * applied, in {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface AioductEngineConfigCustomizer {

    void customize(EngineConfig.Builder builder);
}
