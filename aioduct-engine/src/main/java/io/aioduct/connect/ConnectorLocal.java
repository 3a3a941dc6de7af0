package io.aioduct.connect;

import java.util.concurrent.CompletionStage;

/**
 * Opens connections for a {@link io.aioduct.runtime.RuntimeLocal} (thread-per-core) runtime. {@link
 * #connect} is called on a core's own thread, and the connection it returns belongs to that core for
 * its whole life. Its transports are always {@link TransportKind#EVENT_LOOP event-loop} transports.
 */
public interface ConnectorLocal {

    /**
     * Connects from the calling core. Fails like {@link ConnectorSend#connect}.
     *
     * @throws IllegalStateException if the caller is not one of the runtime's core threads
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
