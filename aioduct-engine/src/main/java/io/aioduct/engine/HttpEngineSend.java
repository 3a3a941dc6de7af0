package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.TransportKind;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.observe.ExchangeEvents;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http1Options;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.tls.TlsConnector;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * An engine for a {@link RuntimePoll} runtime and a thread-safe {@link ConnectorSend}: one connection
 * pool per origin, shared by every thread. How exchanges run follows the connector's {@link
 * TransportKind}: on event-loop transports they are asynchronous and hop onto the connection's loop;
 * on blocking transports each runs start to finish on one thread (the caller's for {@link #execute},
 * a freshly spawned one for {@link #send}).
 *
 * <p>The ready pairs are {@link io.aioduct.Aioduct#pooled()} (pooled runtime, epoll connector) and
 * {@link io.aioduct.Aioduct#virtualThreads()} (virtual-thread runtime, blocking connector); any other
 * runtime and connector can be combined with the constructors. Thread-safe.
 *
 * @param <R> the runtime
 * @param <C> the connector
 */
public final class HttpEngineSend<R extends RuntimePoll, C extends ConnectorSend> extends EngineCore {
    private final R runtime;
    private final C connector;
    private final ConnectorSend tlsConnector;
    private final boolean blocking;
    private final ConcurrentHashMap<Origin, OriginPool<LoopConnection>> channelPools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Origin, OriginPool<BlockingConnection>> socketPools = new ConcurrentHashMap<>();
    private final Host host = new Host();
    private final long acquireNanos;
    private volatile CompletableFuture<?> eviction = CompletableFuture.completedFuture(null);

    /** An engine over a runtime its caller keeps ownership of (and closes). */
    public HttpEngineSend(R runtime, C connector, EngineConfig config) {
        this(runtime, connector, config, false);
    }

    /**
     * @param closeRuntime whether closing the engine also closes {@code runtime}
     */
    public HttpEngineSend(R runtime, C connector, EngineConfig config, boolean closeRuntime) {
        super(Objects.requireNonNull(config, "config"), closeRuntime);
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.blocking = connector.kind() == TransportKind.BLOCKING;
        // Both transports speak HTTP/2 (H2LoopConnection on a loop, H2BlockingConnection on a blocking
        // socket), so ALPN offers h2 on either when it is enabled.
        this.tlsConnector =
                new TlsConnector(connector, config.tls(), config.http2().enabled());
        this.acquireNanos = config.pool().acquireTimeout().toNanos();
        scheduleEviction();
    }

    @Override
    public R runtime() {
        return runtime;
    }

    public C connector() {
        return connector;
    }

    @Override
    public CompletableFuture<Response> send(Request request, ExchangeSettings settings) {
        if (closed()) {
            return CompletableFuture.failedFuture(refused());
        }
        begin();
        if (!blocking) {
            LoopExchange exchange = new LoopExchange(host, request, settings, acquireNanos, System.nanoTime());
            CompletableFuture<Response> future = exchange.future();
            exchange.start();
            return future;
        }
        BlockingExchange exchange = new BlockingExchange(this, request, settings);
        BlockingFuture future = new BlockingFuture(exchange);
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
            finished();
            future.completeExceptionally(refused());
        }
        return future;
    }

    @Override
    public Response execute(Request request, ExchangeSettings settings) {
        // Before anything is sent: a refused blocking call must not leave a request on the wire.
        runtime.checkMayBlock("execute()");
        if (!blocking) {
            return awaitHead(request, send(request, settings));
        }
        if (closed()) {
            throw refused();
        }
        begin();
        try {
            return new BlockingExchange(this, request, settings).run();
        } catch (BodySourceFailure e) {
            throw BodySourceFailure.surface(e); // the source's exception, or (checked) an AioductException caused by it
        }
    }

    @Override
    public List<PoolStats> poolStats() {
        List<PoolStats> out = new ArrayList<>();
        channelPools.values().forEach(p -> out.add(p.stats()));
        socketPools.values().forEach(p -> out.add(p.stats()));
        return out;
    }

    // ---- used by the exchanges ----

    OriginPool<BlockingConnection> socketPool(Origin origin) {
        OriginPool<BlockingConnection> p = socketPools.get(origin);
        return p != null
                ? p
                : socketPools.computeIfAbsent(
                        origin,
                        o -> OriginPool.shared(o, config.pool(), config.ticker(), Connections.multiplexing(config, o)));
    }

    /** The connector for {@code origin}: TLS layered over ours for https. */
    ConnectorSend connectorFor(Origin origin) {
        return origin.secure() ? tlsConnector : connector;
    }

    Executor blockingExecutor() {
        return runtime::spawnSend;
    }

    CompletableFuture<?> scheduleWatchdog(Runnable action, long nanos) {
        CompletableFuture<Void> timer =
                runtime.sleep(java.time.Duration.ofNanos(nanos)).toCompletableFuture();
        timer.thenRun(action);
        return timer;
    }

    // ---- lifecycle ----

    private void scheduleEviction() {
        if (closed()) return;
        CompletableFuture<Void> next =
                runtime.sleep(config.pool().evictionInterval()).toCompletableFuture();
        eviction = next;
        next.thenRun(() -> {
            channelPools.values().forEach(OriginPool::evict);
            socketPools.values().forEach(OriginPool::evict);
            scheduleEviction();
        });
    }

    @Override
    public void evictIdle() {
        channelPools.values().forEach(OriginPool::evict);
        socketPools.values().forEach(OriginPool::evict);
    }

    @Override
    void stopBackgroundWork() {
        eviction.cancel(false);
    }

    @Override
    void closePools(String reason) {
        for (OriginPool<LoopConnection> p : channelPools.values()) {
            for (LoopConnection c : p.close(reason)) c.abortForShutdown(reason);
        }
        for (OriginPool<BlockingConnection> p : socketPools.values()) {
            for (BlockingConnection c : p.close(reason)) c.close(reason);
        }
    }

    @Override
    public String toString() {
        return "HttpEngineSend[" + runtime.name() + ", " + connector.getClass().getSimpleName() + "]";
    }

    /** The send future of a blocking exchange: cancelling closes its connection. */
    private static final class BlockingFuture extends CompletableFuture<Response> {
        private final BlockingExchange exchange;

        BlockingFuture(BlockingExchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) exchange.abort();
            return cancelled;
        }
    }

    /** The event-loop exchanges' view of this engine: one shared pool per origin. */
    private final class Host implements LoopHost {
        @Override
        public OriginPool<LoopConnection> poolFor(Origin origin) {
            OriginPool<LoopConnection> p = channelPools.get(origin);
            return p != null
                    ? p
                    : channelPools.computeIfAbsent(
                            origin,
                            o -> OriginPool.shared(
                                    o, config.pool(), config.ticker(), Connections.multiplexing(config, o)));
        }

        @Override
        public void connect(Origin origin, long connectTimeoutNanos, LoopExchange exchange) {
            ExchangeEvents ev = exchange.events();
            if (ev != null) ev.dnsStart(origin.host());
            config.resolver().resolve(origin.host()).whenComplete((addresses, failure) -> {
                if (failure != null) {
                    if (ev != null) ev.dnsFailed(failure);
                    exchange.connectFailed(failure);
                    return;
                }
                if (ev != null) ev.dnsEnd(addresses);
                try {
                    connectorFor(origin)
                            .connect(socketConfig(origin, addresses, connectTimeoutNanos, ev))
                            .whenComplete((t, e) -> {
                                if (e != null) {
                                    exchange.connectFailed(e);
                                } else if (t instanceof LoopTransport ct) {
                                    // The connector may complete on another thread (a TLS connector, a loop
                                    // other than the channel's): the exchange takes the channel over on its own
                                    // loop, or a release racing the set-up sees a half-built connection.
                                    EventLoop loop = ct.channel().eventLoop();
                                    if (loop.inEventLoop()) {
                                        exchange.connected(ct);
                                    } else {
                                        loop.execute(() -> exchange.connected(ct));
                                    }
                                } else {
                                    t.close();
                                    exchange.connectFailed(new IllegalStateException(
                                            "connector " + connector + " declared EVENT_LOOP but returned " + t));
                                }
                            });
                } catch (RuntimeException e) {
                    exchange.connectFailed(e);
                }
            });
        }

        @Override
        public LoopConnection newConnection(LoopTransport transport, Origin origin, OriginPool<LoopConnection> pool) {
            return Connections.onChannel(HttpEngineSend.this, transport, origin, pool, -1);
        }

        @Override
        public void onHome(Runnable task) {
            task.run();
        }

        @Override
        public CompletableFuture<?> schedule(Runnable task, long nanos) {
            CompletableFuture<Void> timer =
                    runtime.sleep(java.time.Duration.ofNanos(nanos)).toCompletableFuture();
            timer.thenRun(task);
            return timer;
        }

        @Override
        public Http1Options http1() {
            return config.http1();
        }

        @Override
        public Ticker ticker() {
            return config.ticker();
        }

        @Override
        public boolean closed() {
            return HttpEngineSend.this.closed();
        }

        @Override
        public @Nullable EventListener events() {
            return events;
        }

        @Override
        public void finished() {
            HttpEngineSend.this.finished();
        }
    }
}
