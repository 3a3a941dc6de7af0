package io.aioduct.tunnel;

import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Opens a tunnel to {@code host:port} through {@code proxy} over {@code transport}, a connection to the
 * proxy itself. Completes with the same transport, now carrying bytes to the origin, or fails with a
 * {@link io.aioduct.proxy.ProxyConnectException} after closing it.
 */
public final class Tunnel {
    private Tunnel() {}

    /**
     * @param proxyAuthorization the {@code Proxy-Authorization} value for an HTTP {@code CONNECT} (from the
     *     proxy's credentials or an authenticator's answer), or null to send none
     * @param timeout how long the whole handshake may take; {@link Duration#ZERO} for no limit
     */
    public static CompletionStage<Transport> open(
            Transport transport,
            Proxy proxy,
            String host,
            int port,
            @Nullable String proxyAuthorization,
            Duration timeout,
            ConnectObserver observer) {
        // Placeholder until the handshakes land: fails rather than sending anything.
        transport.close();
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("tunnels through " + proxy.type() + " proxies are not built yet"));
    }
}
