package io.aioduct.connect;

import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A connected byte stream a connector hands to the engine, of one of two kinds: a {@link
 * LoopTransport} driven by an event loop, or a {@link BlockingTransport} read and written by blocking
 * calls. The engine owns it from then on and closes it exactly once.
 */
public sealed interface Transport permits LoopTransport, BlockingTransport {

    boolean isOpen();

    /** Closes the connection; idempotent. */
    void close();

    @Nullable
    SocketAddress remoteAddress();

    /**
     * The protocol TLS's ALPN settled on ({@code "h2"} or {@code "http/1.1"}), or null for a plain
     * connection or when the server chose none.
     */
    @Nullable
    String applicationProtocol();
}
