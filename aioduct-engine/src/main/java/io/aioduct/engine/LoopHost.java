package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Ticker;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.protocol.Http1Options;
import java.util.concurrent.CompletableFuture;

/**
 * What an event-loop exchange needs from its engine: the right pool (shared, or the current core's),
 * connecting, a timer, and the in-flight count. Implemented by both engines.
 */
interface LoopHost {

    /** The pool for {@code origin} as seen from the calling thread. */
    OriginPool<LoopConnection> poolFor(Origin origin);

    /** Resolves and connects, then calls {@code exchange.connected} or {@code connectFailed} on the new channel's loop. */
    void connect(Origin origin, long connectTimeoutNanos, LoopExchange exchange);

    /** The connection for a freshly connected transport: HTTP/2 if ALPN or prior knowledge says so. */
    LoopConnection newConnection(
            io.aioduct.connect.LoopTransport transport, Origin origin, OriginPool<LoopConnection> pool);

    /** Runs {@code task} where the exchange's pool may be touched (inline for a shared pool). */
    void onHome(Runnable task);

    /** Runs {@code task} after {@code nanos} where the exchange's pool may be touched; cancel the result to stop it. */
    CompletableFuture<?> schedule(Runnable task, long nanos);

    Http1Options http1();

    Ticker ticker();

    boolean closed();

    /** The guarded event listener, or null when none is set. */
    io.aioduct.event.@org.jspecify.annotations.Nullable EventListener events();

    /** An exchange finished (in-flight count down). */
    void finished();
}
