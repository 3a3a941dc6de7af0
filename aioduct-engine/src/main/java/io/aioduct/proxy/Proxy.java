package io.aioduct.proxy;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A proxy a connection goes through: its kind, host and port, and optional credentials. Immutable.
 * Equal proxies (same kind, address, tunnelling choice and credentials) share pooled connections; a
 * connection is never reused across different proxies or credentials. {@link #toString()} never shows
 * the password.
 *
 * <ul>
 *   <li>{@link Type#HTTP}: {@code https} requests (and every request when {@link #tunnelAll()}) go
 *       through a {@code CONNECT} tunnel, then TLS and ALPN with the origin, so HTTP/2 works through it;
 *       plain {@code http} requests otherwise go to the proxy in absolute form. Credentials are sent as
 *       {@code Proxy-Authorization: Basic}, to the proxy only.
 *   <li>{@link Type#SOCKS5}: RFC 1928, the origin's host name resolved by the proxy; with credentials,
 *       username/password authentication (RFC 1929).
 *   <li>{@link Type#SOCKS4}: SOCKS4a, the origin's host name resolved by the proxy; a username only.
 * </ul>
 */
public final class Proxy {

    /** The proxy protocol. */
    public enum Type {
        HTTP,
        SOCKS4,
        SOCKS5
    }

    private final Type type;
    private final String host;
    private final int port;
    private final @Nullable String username;
    private final @Nullable String password;
    private final boolean tunnelAll;

    private Proxy(
            Type type, String host, int port, @Nullable String username, @Nullable String password, boolean tunnelAll) {
        this.type = Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) throw new IllegalArgumentException("proxy host is empty");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("proxy port " + port + " is outside 1..65535");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        this.host = h;
        this.port = port;
        this.username = username;
        this.password = password;
        this.tunnelAll = tunnelAll;
    }

    /** An HTTP proxy. */
    public static Proxy http(String host, int port) {
        return new Proxy(Type.HTTP, host, port, null, null, false);
    }

    /** A SOCKS5 proxy (RFC 1928). */
    public static Proxy socks5(String host, int port) {
        return new Proxy(Type.SOCKS5, host, port, null, null, false);
    }

    /** A SOCKS4a proxy. */
    public static Proxy socks4(String host, int port) {
        return new Proxy(Type.SOCKS4, host, port, null, null, false);
    }

    /**
     * This proxy with credentials: Basic {@code Proxy-Authorization} for HTTP, username/password for
     * SOCKS5, the user id for SOCKS4 (which has no password: pass an empty one).
     *
     * @throws IllegalArgumentException if the username contains ':' (HTTP) or either part is longer than 255
     *     bytes (SOCKS5) or contains a control character
     */
    public Proxy withCredentials(String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        checkCredential("username", username);
        checkCredential("password", password);
        if (type == Type.HTTP && username.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an HTTP proxy's username must not contain ':' (Basic, RFC 7617)");
        }
        if (type == Type.SOCKS5 && (utf8Length(username) > 255 || utf8Length(password) > 255)) {
            throw new IllegalArgumentException("SOCKS5 credentials are limited to 255 bytes each (RFC 1929)");
        }
        return new Proxy(type, host, port, username, password, tunnelAll);
    }

    /** This HTTP proxy, used through a {@code CONNECT} tunnel for plain {@code http} requests too. */
    public Proxy tunnellingAll() {
        if (type != Type.HTTP) throw new IllegalStateException("only an HTTP proxy has a choice to tunnel");
        return new Proxy(type, host, port, username, password, true);
    }

    private static void checkCredential(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("proxy " + what + " contains a control character");
            }
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    public Type type() {
        return type;
    }

    /** The proxy's host: lower case, an IPv6 literal without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public @Nullable String username() {
        return username;
    }

    public @Nullable String password() {
        return password;
    }

    /** Whether plain {@code http} requests also go through a {@code CONNECT} tunnel (HTTP proxies only). */
    public boolean tunnelAll() {
        return tunnelAll;
    }

    /** Whether a request to an origin of this scheme goes through a tunnel (always, for SOCKS). */
    public boolean tunnels(boolean secureOrigin) {
        return type != Type.HTTP || secureOrigin || tunnelAll;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Proxy p
                && p.type == type
                && p.port == port
                && p.tunnelAll == tunnelAll
                && p.host.equals(host)
                && Objects.equals(p.username, username)
                && Objects.equals(p.password, password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, host, port, username, password, tunnelAll);
    }

    /** {@code http://user@host:port}: the scheme, the username if any, never the password. */
    @Override
    public String toString() {
        String scheme = switch (type) {
            case HTTP -> "http";
            case SOCKS4 -> "socks4a";
            case SOCKS5 -> "socks5";
        };
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + (username != null ? username + "@" : "") + h + ":" + port;
    }
}
