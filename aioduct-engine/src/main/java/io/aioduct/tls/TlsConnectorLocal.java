package io.aioduct.tls;

import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Layers TLS over a thread-per-core connector: the handshake runs on the core that opened the
 * connection, which keeps it. See {@link TlsConnector}.
 */
final class TlsConnectorLocal implements ConnectorLocal {
    private final ConnectorLocal plain;
    private final TlsLayer layer;

    TlsConnectorLocal(ConnectorLocal plain, TlsLayer layer) {
        this.plain = Objects.requireNonNull(plain, "plain");
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    /** The TLS implementation in use ({@code JDK} or {@code OPENSSL}). */
    public String provider() {
        return layer.provider();
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig socket) {
        return plain.connect(socket).thenCompose(t -> layer.handshake(t, socket));
    }

    @Override
    public String toString() {
        return "TlsConnectorLocal[" + plain + "]";
    }
}
