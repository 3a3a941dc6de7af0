package io.aioduct.event;

import io.aioduct.Origin;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EventListener} may know about a connection: a read-only view, valid after the connection
 * closed too. Implemented by the engine's connections; not for users to implement.
 */
public interface ConnectionInfo {

    /** A number unique among the engine's connections, in the order they were opened. */
    long id();

    Origin origin();

    /** {@code "http/1.1"} or {@code "h2"}. */
    String protocol();

    /** The peer's address, or null when the transport does not know it. */
    @Nullable
    InetSocketAddress remoteAddress();

    /** The io_uring core that owns the connection, or -1 on runtimes without cores. */
    default int core() {
        return -1;
    }

    /**
     * The proxy the connection goes through, as {@code http://user@host:port} (its scheme, the username if
     * any, never the password), or null for a direct connection.
     */
    default @Nullable String proxy() {
        return null;
    }

    /**
     * Whether the connection reaches the origin through a tunnel the proxy opened ({@code CONNECT} or SOCKS),
     * rather than handing each request to a forwarding HTTP proxy; false for a direct connection.
     */
    default boolean tunnelled() {
        return false;
    }
}
