package io.aioduct.proxy;

import io.aioduct.Origin;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which proxy, if any, a connection to an origin goes through. Asked once per new connection (pooled
 * connections keep the proxy they were opened through: the pool is keyed by origin and proxy). Must be
 * fast and thread-safe, and must not block: it may be called on an event loop. Installed with {@code
 * EngineConfig.Builder.proxy(...)} or {@code AioductClient.Builder.proxy(...)}; {@link #DIRECT} by default.
 */
@FunctionalInterface
public interface ProxyRouting {

    /** Every connection direct: the default. */
    ProxyRouting DIRECT = origin -> null;

    /** The proxy for connections to {@code origin}, or null to connect directly. */
    @Nullable
    Proxy proxyFor(Origin origin);

    /** Every connection through {@code proxy}, loopback origins included. */
    static ProxyRouting always(Proxy proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return origin -> proxy;
    }
}
