package io.aioduct;

import java.util.Locale;
import java.util.Objects;

/**
 * Where requests go: scheme, host and port. Connections are pooled per origin. The host is lower
 * case; an IPv6 literal is held without brackets. Immutable; equal origins share a pool.
 */
public final class Origin {
    private final String scheme;
    private final String host;
    private final int port;
    private final String hostHeader;
    private final int hash;

    public Origin(String scheme, String host, int port) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        this.scheme = scheme.toLowerCase(Locale.ROOT);
        this.host = host.toLowerCase(Locale.ROOT);
        this.port = port;
        String h = this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host;
        this.hostHeader = port == defaultPort(this.scheme) ? h : h + ":" + port;
        this.hash = (this.scheme.hashCode() * 31 + this.host.hashCode()) * 31 + port;
    }

    public String scheme() {
        return scheme;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Whether connections to this origin use TLS. */
    public boolean secure() {
        return scheme.equals("https");
    }

    /** The port a URL of this scheme leaves out. */
    public static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** The value of the {@code Host} header: the host, bracketed if IPv6, with the port unless default. */
    public String hostHeader() {
        return hostHeader;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other
                && other.port == port
                && other.host.equals(host)
                && other.scheme.equals(scheme);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + h + ":" + port;
    }
}
