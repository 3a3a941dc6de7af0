package io.aioduct.connect;

import java.util.concurrent.CompletionStage;

/**
 * Opens connections for a {@link io.aioduct.runtime.RuntimePoll} runtime. Thread-safe and shareable:
 * {@link #connect} may be called from any thread at once.
 *
 * <p>A connector may layer things over the TCP stream it opens (TLS, a proxy tunnel, logging); the
 * engine only needs the {@link Transport} it returns, of the {@link #kind() kind} it declares.
 */
public interface ConnectorSend {

    /** The kind of transport {@link #connect} returns; fixed for the connector's lifetime. */
    TransportKind kind();

    /**
     * Connects to the first reachable address of {@code config} within its connect timeout. The stage
     * fails with a {@link io.aioduct.ConnectFailedException} or a {@link io.aioduct.TimedOutException}
     * of kind CONNECT. A {@link TransportKind#BLOCKING} connector connects on the calling thread and
     * returns a completed stage.
     */
    CompletionStage<Transport> connect(SocketConfig config);

    /**
     * Whether {@link #connect} takes addresses that arrive after it started ({@link SocketConfig#resolving()},
     * RFC 8305 §3). False (the default): the engine waits for every lookup of the host and passes all its
     * addresses in {@link SocketConfig#addresses()}, as before.
     */
    default boolean takesLateAddresses() {
        return false;
    }
}
