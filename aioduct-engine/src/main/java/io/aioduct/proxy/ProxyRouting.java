package io.aioduct.proxy;

import io.aioduct.Origin;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which proxy, if any, a connection to an origin goes through. Asked once per request, before the pool is
 * looked up (the pool is keyed by origin and proxy, so pooled connections keep the proxy they were opened
 * through and a changed answer takes effect on the next request); {@link #DIRECT} is never asked. Must be
 * fast and thread-safe, and must not block: it may be called on an event loop; what it throws fails the
 * request with a {@code ConnectFailedException}. Installed with {@code EngineConfig.Builder.proxy(...)};
 * {@link #DIRECT} by default.
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
