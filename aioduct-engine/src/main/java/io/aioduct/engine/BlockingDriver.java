package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.tls.TlsConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The blocking exchange driver: each exchange is a {@link BlockingExchange} run start to finish on one
 * thread, the caller's for {@link #execute}, one the runtime spawns for {@link #send}. Over the shared
 * topology only ({@link HttpEngineSend} on a blocking connector).
 */
final class BlockingDriver implements ExchangeDriver {
    private final EngineCore engine;
    private final RuntimePoll runtime;
    private final PoolTopology<BlockingConnection> topology;
    private final Dialer dialer;
    /** Where an HTTP/2 reader thread hands body callbacks off: a thread of the runtime. */
    private final Executor callbacks;

    BlockingDriver(EngineCore engine, RuntimePoll runtime, Dialer dialer) {
        this.engine = engine;
        this.runtime = runtime;
        this.topology = PoolTopology.shared(engine, runtime);
        this.dialer = dialer;
        this.callbacks = runtime::spawnSend;
    }

    @Override
    public CompletableFuture<Response> send(Request request, ExchangeSettings settings) {
        if (engine.closed()) {
            return CompletableFuture.failedFuture(engine.refused());
        }
        engine.begin();
        BlockingExchange exchange = new BlockingExchange(engine, this, request, settings);
        ExchangeFuture future = new ExchangeFuture(exchange);
        try {
            runtime.spawnSend(() -> {
                try {
                    Response response = exchange.run();
                    if (!future.complete(response)) response.close();
                } catch (Throwable e) {
                    // A failing body source fails the future with its own exception, as on the loops.
                    future.completeExceptionally(BodySourceFailure.unwrap(e));
                }
            });
        } catch (RejectedExecutionException e) {
            engine.finished();
            future.completeExceptionally(engine.refused());
        }
        return future;
    }

    @Override
    public Response execute(Request request, ExchangeSettings settings) {
        if (engine.closed()) {
            throw engine.refused();
        }
        engine.begin();
        try {
            return new BlockingExchange(engine, this, request, settings).run();
        } catch (BodySourceFailure e) {
            throw BodySourceFailure.surface(e); // the source's exception, or (checked) an AioductException caused by it
        }
    }

    @Override
    public PoolTopology<BlockingConnection> topology() {
        return topology;
    }

    @Override
    public void closePools(String reason) {
        topology.close(reason, c -> c.close(reason));
    }

    // ---- used by the exchanges ----

    OriginPool<BlockingConnection> pool(Origin origin, @Nullable TlsConfig tls) {
        return topology.home().poolFor(origin, tls);
    }

    Executor callbacks() {
        return callbacks;
    }

    /** Runs {@code action} after {@code nanos} (the total timeout's watchdog); cancel the result to stop it. */
    CompletableFuture<?> schedule(Runnable action, long nanos) {
        return topology.home().schedule(action, nanos);
    }

    /** Resolves and connects on the calling thread; see {@link Dialer#dialBlocking}. */
    BlockingTransport dial(Route route, Request request, long connectTimeoutNanos, ExchangeEvents events) {
        return dialer.dialBlocking(route, request, connectTimeoutNanos, events);
    }

    /** The connection for a freshly connected socket: HTTP/2 if ALPN or prior knowledge says so. */
    BlockingConnection newConnection(BlockingTransport transport, OriginPool<BlockingConnection> pool) {
        return Connections.onSocket(engine, transport, pool.route(), pool, callbacks);
    }
}
