package io.aioduct.tunnel;

import io.aioduct.TimedOutException;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Opens a tunnel to {@code host:port} through {@code proxy} over {@code transport}, a connection to the
 * proxy itself: HTTP {@code CONNECT}, SOCKS5 (RFC 1928/1929) or SOCKS4a, by the proxy's type. Completes with
 * the same transport, now carrying bytes to the origin (TLS with the origin, if any, comes after), or fails
 * after closing it, with nothing sent to the origin. See docs/proxies.md, "How tunnels are opened".
 *
 * <p>Threading: on a {@link LoopTransport} the handshake runs on the channel's event loop and the stage
 * completes there; nothing blocks. On a {@link BlockingTransport} it runs on the calling thread (the
 * request's virtual thread) and the returned stage is already complete. Bytes the proxy sent past its
 * answer are kept for the transport's next reader.
 *
 * <p>Failures: {@link ProxyConnectException} with its {@link ProxyConnectException.Reason} (a 407 as {@link
 * ProxyChallengeException}, carrying the challenges); {@link TimedOutException} of kind {@code CONNECT}
 * when the handshake outlasts {@code timeout}; {@link IllegalArgumentException} for a target the protocol
 * cannot carry (a SOCKS4a IPv6 address, a SOCKS5 name over 255 bytes, a control character). The message
 * names the proxy (never its password) and the target.
 */
public final class Tunnel {
    private Tunnel() {}

    /**
     * @param host the origin's host: a name, or an IP literal (an IPv6 one with or without brackets)
     * @param proxyAuthorization the {@code Proxy-Authorization} value for an HTTP {@code CONNECT} (from the
     *     proxy's credentials or an authenticator's answer), or null to send none; ignored for SOCKS, which
     *     takes its credentials from {@code proxy}
     * @param timeout how long the whole handshake may take; {@link Duration#ZERO} for no limit
     * @param observer told when the handshake starts and how it ends
     */
    public static CompletionStage<Transport> open(
            Transport transport,
            Proxy proxy,
            String host,
            int port,
            @Nullable String proxyAuthorization,
            Duration timeout,
            ConnectObserver observer) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(observer, "observer");
        Handshake handshake;
        try {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 1..65535");
            }
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
            }
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            handshake = Handshake.of(proxy, bare, port, proxyAuthorization);
        } catch (RuntimeException e) {
            transport.close();
            return CompletableFuture.failedFuture(e);
        }
        observer.tunnelStart(proxy);
        CompletionStage<Transport> opened = switch (transport) {
            case LoopTransport loop -> LoopTunnel.open(loop, handshake, timeout);
            case BlockingTransport blocking -> openBlocking(blocking, handshake, timeout);
        };
        CompletableFuture<Transport> result = new CompletableFuture<>();
        // Not opened.whenComplete(...): its stage would fail with the failure wrapped in a CompletionException.
        opened.whenComplete((t, failure) -> {
            if (failure == null) {
                observer.tunnelEnd(proxy);
                result.complete(t);
            } else {
                observer.tunnelFailed(proxy, failure);
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private static CompletionStage<Transport> openBlocking(
            BlockingTransport transport, Handshake handshake, Duration timeout) {
        try {
            return CompletableFuture.completedFuture(BlockingTunnel.open(transport, handshake, timeout));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
