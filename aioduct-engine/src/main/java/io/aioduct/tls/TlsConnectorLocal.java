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
    private final TlsContexts contexts;
    private final TlsConfig config;

    TlsConnectorLocal(ConnectorLocal plain, TlsConfig config, boolean offerHttp2) {
        this.plain = Objects.requireNonNull(plain, "plain");
        this.config = Objects.requireNonNull(config, "config");
        this.contexts = new TlsContexts(config, TlsContexts.alpn(offerHttp2));
    }

    /** The TLS implementation in use ({@code JDK} or {@code OPENSSL}). */
    public String provider() {
        return contexts.providerName();
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig socket) {
        return plain.connect(socket).thenCompose(t -> TlsHandshake.run(t, socket, contexts, config));
    }

    @Override
    public String toString() {
        return "TlsConnectorLocal[" + plain + "]";
    }
}
