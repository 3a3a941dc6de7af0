package io.aioduct.tls;

import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.aioduct.connect.TransportKind;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Layers TLS over any thread-safe connector: the TCP connection comes from the connector it wraps,
 * then the handshake runs (verifying the certificate and host name, sending SNI, offering ALPN) and
 * the transport it returns carries the negotiated protocol. On an event-loop transport Netty's
 * SslHandler does the work on the channel's loop; on a blocking socket the JDK's SSLSocket does it on
 * the calling thread (the request's virtual thread, on the virtual runtime). Thread-safe.
 */
final class TlsConnector implements ConnectorSend {
    private final ConnectorSend plain;
    private final TlsLayer layer;

    TlsConnector(ConnectorSend plain, TlsLayer layer) {
        this.plain = Objects.requireNonNull(plain, "plain");
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    @Override
    public TransportKind kind() {
        return plain.kind();
    }

    /** The TLS implementation in use on event-loop transports ({@code JDK} or {@code OPENSSL}). */
    public String provider() {
        return plain.kind() == TransportKind.BLOCKING ? "JDK" : layer.provider();
    }

    /** The protocols ALPN offers, in order of preference. */
    public List<String> alpn() {
        return layer.alpn();
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig socket) {
        return plain.connect(socket).thenCompose(t -> layer.handshake(t, socket));
    }

    @Override
    public String toString() {
        return "TlsConnector[" + plain + "]";
    }
}
