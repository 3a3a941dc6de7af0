package io.aioduct.tls;

import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The client side of TLS with one set of settings, run over a transport that is already connected: a
 * fresh TCP connection ({@link TlsConfig#layeredOver}), or a tunnel through a proxy, where the transport
 * reaches the proxy but the handshake, SNI and host-name verification are the origin's. Made once per
 * engine (its contexts are costly to build); thread-safe.
 */
public final class TlsLayer {
    private final TlsContexts contexts;
    private final TlsConfig config;

    TlsLayer(TlsConfig config, boolean offerHttp2) {
        this.config = Objects.requireNonNull(config, "config");
        this.contexts = new TlsContexts(config, TlsContexts.alpn(offerHttp2));
    }

    /**
     * Runs the client handshake over {@code plain}, on its thread (a channel's loop, or the calling thread
     * for a blocking socket): SNI and host-name verification for {@code socket.host()}, ALPN as offered,
     * progress to {@code socket.observer()}. Completes with a transport carrying the negotiated protocol, or
     * fails with a {@link TlsHandshakeException} (or a timeout) after closing {@code plain}.
     */
    public CompletionStage<Transport> handshake(Transport plain, SocketConfig socket) {
        return TlsHandshake.run(plain, socket, contexts, config);
    }

    /** The TLS implementation in use on event-loop transports ({@code JDK} or {@code OPENSSL}). */
    public String provider() {
        return contexts.providerName();
    }

    /** The protocols ALPN offers, in order of preference. */
    public List<String> alpn() {
        return contexts.alpn();
    }

    @Override
    public String toString() {
        return "TlsLayer[" + provider() + ", " + alpn() + "]";
    }
}
