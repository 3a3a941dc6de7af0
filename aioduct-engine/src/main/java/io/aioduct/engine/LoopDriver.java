package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.connect.LoopTransport;
import io.aioduct.exchange.LoopConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The loop exchange driver: each exchange is a {@link LoopExchange}, started on its pool's home and run
 * on its connection's event loop. Works over either topology: the shared one ({@link HttpEngineSend} on
 * an event-loop connector) or per core ({@link HttpEngineLocal}).
 */
final class LoopDriver implements ExchangeDriver {
    private final EngineCore engine;
    private final PoolTopology<LoopConnection> topology;
    private final Dialer dialer;
    private final long acquireNanos;

    LoopDriver(EngineCore engine, PoolTopology<LoopConnection> topology, Dialer dialer) {
        this.engine = engine;
        this.topology = topology;
        this.dialer = dialer;
        this.acquireNanos = engine.config.pool().acquireTimeout().toNanos();
    }

    @Override
    public CompletableFuture<Response> send(Request request, ExchangeSettings settings) {
        if (engine.closed()) {
            return CompletableFuture.failedFuture(engine.refused());
        }
        engine.begin();
        PoolHome<LoopConnection> home = topology.home();
        LoopExchange exchange = new LoopExchange(
                this,
                home,
                request,
                settings,
                acquireNanos,
                engine.config.ticker().nanoTime());
        CompletableFuture<Response> future = exchange.future();
        try {
            home.onHome(exchange);
        } catch (RejectedExecutionException e) {
            exchange.fail(engine.refused());
        }
        return future;
    }

    @Override
    public Response execute(Request request, ExchangeSettings settings) {
        return engine.awaitHead(request, send(request, settings));
    }

    @Override
    public PoolTopology<LoopConnection> topology() {
        return topology;
    }

    @Override
    public void closePools(String reason) {
        topology.close(reason, c -> c.abortForShutdown(reason));
    }

    /** Resolves and connects for {@code exchange}; see {@link Dialer#dial}. */
    void connect(Route route, long connectTimeoutNanos, LoopExchange exchange, PoolHome<LoopConnection> home) {
        dialer.dial(route, connectTimeoutNanos, exchange, home);
    }

    /** The connection for a freshly connected transport: HTTP/2 if ALPN or prior knowledge says so. */
    LoopConnection newConnection(
            LoopTransport transport, OriginPool<LoopConnection> pool, PoolHome<LoopConnection> home) {
        LoopConnection c = Connections.onChannel(engine, transport, pool.route(), pool, home.core);
        home.connectionOpened();
        return c;
    }
}
