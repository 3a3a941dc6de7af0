package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.proxy.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How connections of one pool reach their origin: directly, through a tunnel a proxy opens ({@code
 * CONNECT}, SOCKS), or to a forwarding HTTP proxy that takes plain-{@code http} requests in absolute form.
 * A pool is keyed by its route (see {@link PoolHome#poolFor}), so a connection is reused only for the same
 * origin through the same proxy with the same credentials. Immutable; {@link #toString()} never shows a
 * password.
 */
final class Route {
    final Origin origin;
    /** The proxy, or null for a direct connection. */
    final @Nullable Proxy proxy;

    private final int hash;

    Route(Origin origin, @Nullable Proxy proxy) {
        this.origin = origin;
        this.proxy = proxy;
        this.hash = origin.hashCode() * 31 + Objects.hashCode(proxy);
    }

    /** A connection through a tunnel: to the proxy first, then bytes to the origin (and TLS with it, for https). */
    boolean tunnelled() {
        Proxy p = proxy;
        return p != null && p.tunnels(origin.secure());
    }

    /**
     * A connection to a forwarding HTTP proxy: requests in absolute form, HTTP/1.1 only (HTTP/2 by prior
     * knowledge is a promise about the origin, which this connection does not reach).
     */
    boolean forwarding() {
        Proxy p = proxy;
        return p != null && !p.tunnels(origin.secure());
    }

    /** The {@code Proxy-Authorization} value the proxy's own credentials make, or null without credentials. */
    @Nullable
    String proxyAuthorization() {
        Proxy p = proxy;
        if (p == null || p.type() != Proxy.Type.HTTP) return null;
        String user = p.username();
        if (user == null) return null;
        String password = Objects.requireNonNullElse(p.password(), "");
        // RFC 7617: user-id ":" password, in UTF-8, Base64.
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Route r && r.hash == hash && r.origin.equals(origin) && Objects.equals(r.proxy, proxy);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The origin, and {@code via} the proxy (without its password) if any. */
    @Override
    public String toString() {
        return proxy == null ? origin.toString() : origin + " via " + proxy;
    }
}
