package io.aioduct.connect;

import io.aioduct.proxy.Proxy;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Told what a connector does while it opens one connection: each TCP connect attempt (one per address
 * tried) and the TLS handshake. The engine puts one into the {@link SocketConfig} it passes to a
 * connector when an {@link io.aioduct.event.EventListener} is set; a custom connector should report its
 * attempts to {@link SocketConfig#observer()} the same way. Calls arrive in order, on the connecting
 * thread (the loop, or the caller of a blocking connect); the observer measures time itself.
 * Implementations must not throw.
 *
 * <p>Happy Eyeballs attempts overlap, so their events interleave ({@code connectStart a, connectStart b,
 * connectEnd b, connectFailed a}); each {@code connectStart} still gets exactly one {@code connectEnd} or
 * {@code connectFailed}, an abandoned attempt's carrying why (another connected first, the timeout, an
 * interrupt). See docs/connect.md.
 */
public interface ConnectObserver {

    /** Observes nothing: the default, and what connectors see when no listener is set. */
    ConnectObserver NONE = new ConnectObserver() {};

    default void connectStart(InetSocketAddress address) {}

    default void connectEnd(InetSocketAddress address) {}

    default void connectFailed(InetSocketAddress address, Throwable error) {}

    default void tlsStart() {}

    /**
     * @param tlsProtocol the negotiated TLS version ({@code "TLSv1.3"})
     * @param applicationProtocol what ALPN chose, or null when the server chose none
     */
    default void tlsEnd(String tlsProtocol, @Nullable String applicationProtocol) {}

    default void tlsFailed(Throwable error) {}

    /** A tunnel through {@code proxy} starts opening over the connection just made to it (before any TLS). */
    default void tunnelStart(Proxy proxy) {}

    /** The tunnel through {@code proxy} is open: what follows goes to the origin. */
    default void tunnelEnd(Proxy proxy) {}

    /** The tunnel through {@code proxy} failed; the connection is closed. */
    default void tunnelFailed(Proxy proxy, Throwable error) {}
}
