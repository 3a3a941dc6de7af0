package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.Response;
import java.util.concurrent.CompletableFuture;

/**
 * How an engine's exchanges run, one of the engine core's two strategies: {@linkplain LoopDriver loop}
 * (asynchronous, on the connection's event loop) or {@linkplain BlockingDriver blocking} (start to
 * finish on one thread). Each drives its exchanges over a {@link PoolTopology}.
 *
 * <p>Threading: thread-safe. The engine has checked that it is open and that the caller may block.
 */
interface ExchangeDriver {

    /** Sends without blocking; see {@link HttpEngine#send}. */
    CompletableFuture<Response> send(Request request, ExchangeSettings settings);

    /** Sends and waits for the head on the calling thread; see {@link HttpEngine#execute}. */
    Response execute(Request request, ExchangeSettings settings);

    /** Where the exchanges' connections live. */
    PoolTopology<?> topology();

    /** Closes every pool, aborting the exchanges still on a connection with {@code reason}. */
    void closePools(String reason);
}
