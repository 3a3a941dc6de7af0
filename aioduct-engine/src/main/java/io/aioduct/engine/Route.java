package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.proxy.Proxy;
import io.aioduct.tls.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How connections of one pool reach their origin: directly, through a tunnel a proxy opens ({@code
 * CONNECT}, SOCKS), or to a forwarding HTTP proxy that takes plain-{@code http} requests in absolute form.
 * A pool is keyed by its route (see {@link PoolHome#poolFor}), so a connection is reused only for the same
 * origin through the same proxy with the same credentials and the same TLS settings. Immutable; {@link #toString()} never shows a
 * password.
 */
final class Route {
    final Origin origin;
    /** The proxy, or null for a direct connection. */
    final @Nullable Proxy proxy;
    /**
     * The TLS settings of an https route when they are not the engine's (a client's {@code tls(...)}), else
     * null: null for the engine's own, and always null for plain {@code http}, whose connections are shared
     * whatever TLS a client names. Compared by identity: a {@link TlsConfig} holds trust and key manager
     * factories, which have no value equality (two configs read from the same files are different objects,
     * and may even trust differently if a store changed in between), so only the same instance is known to
     * make interchangeable connections.
     */
    final @Nullable TlsConfig tls;

    private final int hash;

    Route(Origin origin, @Nullable Proxy proxy) {
        this(origin, proxy, null);
    }

    /** @param tls the TLS settings if not the engine's; ignored (null) for a plain-http origin */
    Route(Origin origin, @Nullable Proxy proxy, @Nullable TlsConfig tls) {
        this.origin = origin;
        this.proxy = proxy;
        this.tls = origin.secure() ? tls : null;
        this.hash = (origin.hashCode() * 31 + Objects.hashCode(proxy)) * 31 + System.identityHashCode(this.tls);
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
        return o instanceof Route r
                && r.hash == hash
                && r.origin.equals(origin)
                && Objects.equals(r.proxy, proxy)
                && r.tls == tls;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The origin, {@code via} the proxy (without its password) if any, and a client's own TLS settings if any. */
    @Override
    public String toString() {
        String s = proxy == null ? origin.toString() : origin + " via " + proxy;
        return tls == null ? s : s + " with TLS settings@" + Integer.toHexString(System.identityHashCode(tls));
    }
}
