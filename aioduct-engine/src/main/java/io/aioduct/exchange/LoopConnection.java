package io.aioduct.exchange;

import io.netty.channel.EventLoop;

/**
 * A connection driven by an event loop (HTTP/1.1 or HTTP/2 over a Netty channel), as the engine's
 * exchanges see it. All state lives on {@link #loop()}; exchanges start there.
 */
public interface LoopConnection extends PooledConnection {

    /** What event listeners see of this connection. */
    ConnectionTag tag();

    /** The event loop that owns the connection. */
    EventLoop loop();

    /** Starts {@code call} on this connection, which the caller leased from the pool. On {@link #loop()}. */
    void start(ExchangeCall call);

    /** Aborts {@code call} if it still runs here (its future was cancelled). Any thread. */
    void cancel(ExchangeCall call, String reason);

    /** Aborts whatever runs here and closes: the engine is shutting down. Any thread. */
    void abortForShutdown(String reason);
}
