package io.aioduct.proxy;

import io.aioduct.Origin;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Asks a {@link ProxySelector} for {@code scheme://host:port} and takes its first answer: {@code DIRECT}
 * is null, {@code HTTP} an HTTP proxy, {@code SOCKS} a SOCKS5 proxy (a {@code java.net.Proxy} does not say
 * which SOCKS version; the JDK's own sockets try 5 first). The other answers are not tried when the first
 * fails, and {@link ProxySelector#connectFailed} is not called.
 */
final class SelectorRouting implements ProxyRouting {
    private final Supplier<@Nullable ProxySelector> selector;
    private final String name;

    SelectorRouting(Supplier<@Nullable ProxySelector> selector, String name) {
        this.selector = selector;
        this.name = name;
    }

    @Override
    public @Nullable Proxy proxyFor(Origin origin) {
        ProxySelector s = selector.get();
        if (s == null) return null;
        URI uri;
        try {
            uri = new URI(origin.scheme(), null, origin.host(), origin.port(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("origin " + origin + " is not a URI a ProxySelector can take", e);
        }
        List<java.net.Proxy> answers = s.select(uri);
        if (answers == null || answers.isEmpty()) return null;
        java.net.Proxy first = answers.get(0);
        if (first.type() == java.net.Proxy.Type.DIRECT) return null;
        SocketAddress address = first.address();
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalStateException(
                    name + " answered " + first + " for " + origin + ": not a host and port aioduct can connect to");
        }
        // getHostString: the name as given, never a reverse lookup.
        String host = inet.getHostString();
        return first.type() == java.net.Proxy.Type.HTTP
                ? Proxy.http(host, inet.getPort())
                : Proxy.socks5(host, inet.getPort());
    }

    @Override
    public String toString() {
        return name;
    }
}
