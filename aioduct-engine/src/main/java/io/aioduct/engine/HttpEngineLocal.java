package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.concurrent.Completions;
import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.CoreCounters;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.observe.ExchangeEvents;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http1Options;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.tls.TlsConnectorLocal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * An engine for a thread-per-core {@link RuntimeLocal} runtime and its {@link ConnectorLocal}: every
 * core owns its own connection pools, and a connection lives and dies on the core that opened it. A
 * request sent from a core stays on that core; a request from any other thread goes to the cores in
 * round-robin order ({@link RuntimeLocal#nextCore()}). Pool operations take no lock at all.
 *
 * <p>The ready pair is {@link io.aioduct.Aioduct#ioUring()}. Thread-safe to call from anywhere.
 *
 * @param <R> the runtime
 * @param <C> the connector
 */
public final class HttpEngineLocal<R extends RuntimeLocal, C extends ConnectorLocal> extends EngineCore {
    private final R runtime;
    private final C connector;
    private final ConnectorLocal tlsConnector;
    private final List<CoreHost> cores;
    private final long acquireNanos;
    private final @Nullable CoreCounters counters;

    /** An engine over a runtime its caller keeps ownership of (and closes). */
    public HttpEngineLocal(R runtime, C connector, EngineConfig config) {
        this(runtime, connector, config, false);
    }

    /**
     * @param closeRuntime whether closing the engine also closes {@code runtime}
     */
    public HttpEngineLocal(R runtime, C connector, EngineConfig config, boolean closeRuntime) {
        super(Objects.requireNonNull(config, "config"), closeRuntime);
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.acquireNanos = config.pool().acquireTimeout().toNanos();
        this.counters = runtime instanceof io.aioduct.exchange.CoreCounters c ? c : null;
        this.tlsConnector =
                new TlsConnectorLocal(connector, config.tls(), config.http2().enabled());
        List<CoreHost> hosts = new ArrayList<>();
        for (int i = 0; i < runtime.cores(); i++) {
            hosts.add(new CoreHost(i));
        }
        this.cores = List.copyOf(hosts);
        for (CoreHost c : cores) {
            runtime.spawnOn(c.core, c::scheduleEviction);
        }
    }

    @Override
    @Nullable
    CoreCounters coreCounters() {
        return counters;
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
        int current = runtime.currentCore();
        int core = current >= 0 ? current : runtime.nextCore();
        LoopExchange exchange = new LoopExchange(cores.get(core), request, settings, acquireNanos, System.nanoTime());
        CompletableFuture<Response> future = exchange.future();
        if (current >= 0) {
            exchange.start();
        } else {
            try {
                runtime.spawnOn(core, exchange);
            } catch (RejectedExecutionException e) {
                exchange.fail(refused());
            }
        }
        return future;
    }

    @Override
    public Response execute(Request request, ExchangeSettings settings) {
        // Before anything is sent: a refused blocking call must not leave a request on the wire.
        runtime.checkMayBlock("execute()");
        return awaitHead(request, send(request, settings));
    }

    @Override
    public List<PoolStats> poolStats() {
        List<PoolStats> out = new ArrayList<>();
        for (CoreHost c : cores) {
            // Read off-core without locking: each number is current, the set may be momentarily uneven.
            c.pools.values().forEach(p -> out.add(p.stats()));
        }
        return out;
    }

    /** Pool snapshots of one core: the connections it owns. */
    public List<PoolStats> poolStats(int core) {
        List<PoolStats> out = new ArrayList<>();
        cores.get(core).pools.values().forEach(p -> out.add(p.stats()));
        return out;
    }

    @Override
    public void evictIdle() {
        Completions.checkMayBlock(runtime.inEventLoop(), "evictIdle()");
        onEveryCore(c -> c.pools.values().forEach(OriginPool::evict));
    }

    /** Runs {@code action} on each core (where its pools may be touched) and waits for all of them. */
    private void onEveryCore(java.util.function.Consumer<CoreHost> action) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (CoreHost c : cores) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            try {
                runtime.spawnOn(c.core, () -> {
                    try {
                        action.accept(c);
                    } finally {
                        f.complete(null);
                    }
                });
                done.add(f);
            } catch (RejectedExecutionException e) {
                // The core is already stopping; its channels close with it.
            }
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("engine on {}: work on every core did not finish: {}", runtime.name(), e.toString());
        }
    }

    @Override
    void stopBackgroundWork() {
        for (CoreHost c : cores) {
            c.eviction.cancel(false);
        }
    }

    @Override
    void closePools(String reason) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (CoreHost c : cores) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            try {
                runtime.spawnOn(c.core, () -> {
                    try {
                        c.closePools(reason);
                    } finally {
                        f.complete(null);
                    }
                });
                done.add(f);
            } catch (RejectedExecutionException e) {
                // The core is already stopping; its channels close with it.
            }
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("engine on {}: closing the per-core pools did not finish: {}", runtime.name(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "HttpEngineLocal[" + runtime.name() + ", " + cores.size() + " cores]";
    }

    /** One core's view of the engine: its own pools, used only on that core's thread. */
    private final class CoreHost implements LoopHost {
        private final int core;
        private final ConcurrentHashMap<Origin, OriginPool<LoopConnection>> pools = new ConcurrentHashMap<>();
        private volatile CompletableFuture<?> eviction = CompletableFuture.completedFuture(null);

        CoreHost(int core) {
            this.core = core;
        }

        @Override
        public OriginPool<LoopConnection> poolFor(Origin origin) {
            OriginPool<LoopConnection> p = pools.get(origin);
            return p != null
                    ? p
                    : pools.computeIfAbsent(
                            origin,
                            o -> OriginPool.local(
                                    o, config.pool(), config.ticker(), Connections.multiplexing(config, o)));
        }

        @Override
        public void connect(Origin origin, long connectTimeoutNanos, LoopExchange exchange) {
            ExchangeEvents ev = exchange.events();
            if (ev != null) ev.dnsStart(origin.host());
            CompletionStage<List<InetAddress>> resolved = config.resolver().resolve(origin.host());
            resolved.whenComplete((addresses, failure) -> {
                if (failure != null) {
                    onHome(() -> {
                        if (ev != null) ev.dnsFailed(failure);
                        exchange.connectFailed(failure);
                    });
                } else {
                    onHome(() -> {
                        if (ev != null) ev.dnsEnd(addresses);
                        connectOnCore(origin, addresses, connectTimeoutNanos, exchange);
                    });
                }
            });
        }

        private void connectOnCore(Origin origin, List<InetAddress> addresses, long nanos, LoopExchange exchange) {
            CompletionStage<Transport> connecting;
            try {
                connecting = (origin.secure() ? tlsConnector : connector)
                        .connect(socketConfig(origin, addresses, nanos, exchange.events()));
            } catch (RuntimeException e) {
                exchange.connectFailed(e);
                return;
            }
            connecting.whenComplete((t, e) -> onHome(() -> {
                if (e != null) {
                    exchange.connectFailed(e);
                } else if (t instanceof LoopTransport ct) {
                    exchange.connected(ct);
                } else {
                    t.close();
                    exchange.connectFailed(
                            new IllegalStateException("a local connector must return channel transports, got " + t));
                }
            }));
        }

        @Override
        public LoopConnection newConnection(LoopTransport transport, Origin origin, OriginPool<LoopConnection> pool) {
            LoopConnection c = Connections.onChannel(HttpEngineLocal.this, transport, origin, pool, core);
            if (counters != null) counters.connectionOpened(core);
            return c;
        }

        @Override
        public void onHome(Runnable task) {
            if (runtime.currentCore() == core) {
                task.run();
            } else {
                runtime.spawnOn(core, task);
            }
        }

        @Override
        public CompletableFuture<?> schedule(Runnable task, long nanos) {
            CompletableFuture<Void> timer = new CompletableFuture<>();
            onHome(() -> {
                CompletableFuture<Void> sleep =
                        runtime.sleep(Duration.ofNanos(nanos)).toCompletableFuture();
                sleep.thenRun(() -> onHome(task));
                timer.whenComplete((v, e) -> sleep.cancel(false));
            });
            return timer;
        }

        void scheduleEviction() {
            if (closed()) return;
            CompletableFuture<Void> next =
                    runtime.sleep(config.pool().evictionInterval()).toCompletableFuture();
            eviction = next;
            next.thenRun(() -> onHome(() -> {
                pools.values().forEach(OriginPool::evict);
                scheduleEviction();
            }));
        }

        void closePools(String reason) {
            for (OriginPool<LoopConnection> p : pools.values()) {
                for (LoopConnection c : p.close(reason)) c.abortForShutdown(reason);
            }
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
            return HttpEngineLocal.this.closed();
        }

        @Override
        public @Nullable EventListener events() {
            return events;
        }

        @Override
        public void finished() {
            if (counters != null) counters.requestServed(core);
            HttpEngineLocal.this.finished();
        }
    }
}
