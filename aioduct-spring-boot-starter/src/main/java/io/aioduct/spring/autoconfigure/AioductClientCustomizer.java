package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;

/**
 * A bean that adjusts the auto-configured {@link AioductClient} before it is built: interceptors,
 * headers, timeouts. Customizers run in {@link org.springframework.core.Ordered order}, after the
 * {@code aioduct.*} properties are applied; every Spring HTTP client running on aioduct inherits the
 * result.
 */
@FunctionalInterface
public interface AioductClientCustomizer {

    void customize(AioductClient.Builder builder);
}
