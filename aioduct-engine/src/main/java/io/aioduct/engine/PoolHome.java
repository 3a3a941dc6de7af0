package io.aioduct.engine;

import io.aioduct.ConnectFailedException;
import io.aioduct.Origin;
import io.aioduct.Ticker;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.pool.PoolStats;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.runtime.CoreCounters;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.tls.TlsConfig;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One home of an engine's pools ({@link PoolTopology}): the shared home, whose locked pools any thread
 * may touch, or one core's home, whose lock-free pools only that core's thread may touch. Whatever
 * touches a pool runs through {@link #onHome}; timers and the eviction loop come back through it too.
 *
 * <p>Threading: {@link #poolFor}, {@link #onHome}, {@link #schedule} from any thread; the pools
 * themselves only where {@link #onHome} runs its task.
 */
final class PoolHome<C extends PooledConnection> {
    private final EngineCore engine;
    /** The core this home belongs to; -1 for the shared home. */
    final int core;
    /** The thread-per-core runtime for a core's home; null for the shared home. */
    private final @Nullable RuntimeLocal cores;

    private final Function<Duration, CompletionStage<Void>> sleep;
    private final @Nullable CoreCounters counters;
    private final ProxyRouting routing;
    /** The pools of direct routes, keyed by origin alone: the common case looks up without allocating. */
    private final ConcurrentHashMap<Origin, OriginPool<C>> pools = new ConcurrentHashMap<>();
    /**
     * The pools of every other route (through a proxy, or https with a client's own TLS settings), keyed by
     * the whole route.
     */
    private final ConcurrentHashMap<Route, OriginPool<C>> proxied = new ConcurrentHashMap<>();
    /** Per origin, the proxied pool it was last routed to: a stable routing looks up without allocating. */
    private final ConcurrentHashMap<Origin, OriginPool<C>> lastProxied = new ConcurrentHashMap<>();
    /**
     * The pools of direct https routes with a client's own TLS settings, by those settings then origin: the
     * same pools as in {@link #proxied}, looked up without allocating.
     */
    private final ConcurrentHashMap<TlsConfig, ConcurrentHashMap<Origin, OriginPool<C>>> byTls =
            new ConcurrentHashMap<>();
    /** The engine's own TLS settings: a client naming these instead of its own shares the engine's pools. */
    private final TlsConfig engineTls;

    private volatile CompletableFuture<?> eviction = CompletableFuture.completedFuture(null);

    PoolHome(
            EngineCore engine,
            int core,
            @Nullable RuntimeLocal cores,
            Function<Duration, CompletionStage<Void>> sleep,
            @Nullable CoreCounters counters) {
        this.engine = engine;
        this.core = core;
        this.cores = cores;
        this.sleep = sleep;
        this.counters = counters;
        // Over a Unix domain socket the socket is the path: no proxy is asked for.
        this.routing = engine.config.socket().unixSocket() != null ? ProxyRouting.DIRECT : engine.config.proxy();
        this.engineTls = engine.config.tls();
    }

    /**
     * The pool of the route a request to {@code origin} takes, made on first use: locked in the shared home,
     * lock-free in a core's. The engine's {@link ProxyRouting} is asked here, once per request (so a routing
     * that changes its mind, a {@code ProxySelector}, takes effect on the next request; connections already
     * pooled keep their route); the default {@link ProxyRouting#DIRECT} is not asked at all.
     *
     * <p>{@code tls}, a client's own TLS settings (null for the engine's), is part of the route of an https
     * origin only: plain-http pools are shared whatever it is. With the engine's TLS settings and no proxy
     * the lookup is by origin alone and allocates nothing; so does a client's own, once its pool exists.
     *
     * @throws ConnectFailedException if the routing threw (its exception the cause)
     */
    OriginPool<C> poolFor(Origin origin, @Nullable TlsConfig tls) {
        TlsConfig own = tls == null || tls == engineTls || !origin.secure() ? null : tls;
        ProxyRouting r = routing;
        if (r != ProxyRouting.DIRECT) {
            Proxy proxy;
            try {
                proxy = r.proxyFor(origin);
            } catch (RuntimeException e) {
                throw new ConnectFailedException("the proxy routing " + r + " failed for " + origin + ": " + e, e);
            }
            if (proxy != null) return proxiedPool(origin, proxy, own);
        }
        if (own != null) return tlsPool(origin, own);
        OriginPool<C> p = pools.get(origin);
        return p != null ? p : pools.computeIfAbsent(origin, o -> newPool(new Route(o, null)));
    }

    /** {@link #poolFor(Origin, TlsConfig)} with the engine's TLS settings. */
    OriginPool<C> poolFor(Origin origin) {
        return poolFor(origin, null);
    }

    private OriginPool<C> proxiedPool(Origin origin, Proxy proxy, @Nullable TlsConfig tls) {
        OriginPool<C> last = lastProxied.get(origin);
        if (last != null && proxy.equals(last.route().proxy) && last.route().tls == tls) return last;
        OriginPool<C> p = proxied.computeIfAbsent(new Route(origin, proxy, tls), this::newPool);
        lastProxied.put(origin, p);
        return p;
    }

    private OriginPool<C> tlsPool(Origin origin, TlsConfig tls) {
        ConcurrentHashMap<Origin, OriginPool<C>> ofTls = byTls.get(tls);
        if (ofTls == null) ofTls = byTls.computeIfAbsent(tls, t -> new ConcurrentHashMap<>());
        OriginPool<C> p = ofTls.get(origin);
        if (p != null) return p;
        return ofTls.computeIfAbsent(origin, o -> proxied.computeIfAbsent(new Route(o, null, tls), this::newPool));
    }

    private OriginPool<C> newPool(Route route) {
        EngineConfig config = engine.config;
        OriginPool.Multiplexing mux = Connections.multiplexing(config, route);
        return cores == null
                ? OriginPool.shared(route, config.pool(), config.ticker(), mux)
                : OriginPool.local(route, config.pool(), config.ticker(), mux);
    }

    /** Runs {@code task} where this home's pools may be touched: inline when shared or already on the core. */
    void onHome(Runnable task) {
        if (cores == null || cores.currentCore() == core) {
            task.run();
        } else {
            cores.spawnOn(core, task);
        }
    }

    /**
     * Runs a new channel's first task: on its own event loop for the shared home (the connector may complete
     * on another thread, a TLS connector or a loop other than the channel's, and a release racing the
     * set-up would see a half-built connection), on the core for a core's home (its channels live there).
     */
    void handOver(EventLoop channelLoop, Runnable task) {
        if (cores != null) {
            onHome(task);
        } else if (channelLoop.inEventLoop()) {
            task.run();
        } else {
            channelLoop.execute(task);
        }
    }

    /** Runs {@code task} after {@code nanos} where the pools may be touched; cancel the result to stop it. */
    CompletableFuture<?> schedule(Runnable task, long nanos) {
        if (cores == null) {
            CompletableFuture<Void> timer = sleep.apply(Duration.ofNanos(nanos)).toCompletableFuture();
            timer.thenRun(task);
            return timer;
        }
        CompletableFuture<Void> timer = new CompletableFuture<>();
        onHome(() -> {
            CompletableFuture<Void> sleeping =
                    sleep.apply(Duration.ofNanos(nanos)).toCompletableFuture();
            sleeping.thenRun(() -> onHome(task));
            timer.whenComplete((v, e) -> sleeping.cancel(false));
        });
        return timer;
    }

    // ---- eviction, close, stats ----

    /** Starts the eviction loop; on the home (the sleep of a core's home is that core's timer). */
    void scheduleEviction() {
        if (engine.closed()) return;
        CompletableFuture<Void> next =
                sleep.apply(engine.config.pool().evictionInterval()).toCompletableFuture();
        eviction = next;
        next.thenRun(() -> onHome(() -> {
            evict();
            scheduleEviction();
        }));
    }

    void stopEviction() {
        eviction.cancel(false);
    }

    /** Closes idle connections past the idle timeout or max lifetime. On the home. */
    void evict() {
        pools.values().forEach(OriginPool::evict);
        proxied.values().forEach(OriginPool::evict);
    }

    /** Closes every pool, handing each connection still leased to {@code abort}. On the home. */
    void close(String reason, Consumer<C> abort) {
        for (OriginPool<C> p : pools.values()) {
            for (C c : p.close(reason)) abort.accept(c);
        }
        for (OriginPool<C> p : proxied.values()) {
            for (C c : p.close(reason)) abort.accept(c);
        }
    }

    /** Adds a snapshot of each pool; read off-core without locking, each number current. */
    void stats(List<PoolStats> out) {
        pools.values().forEach(p -> out.add(p.stats()));
        proxied.values().forEach(p -> out.add(p.stats()));
    }

    // ---- what the exchanges of this home report ----

    void connectionOpened() {
        if (counters != null) counters.connectionOpened(core);
    }

    /** An exchange of this home finished: the in-flight count goes down. */
    void finished() {
        if (counters != null) counters.requestServed(core);
        engine.finished();
    }

    boolean closed() {
        return engine.closed();
    }

    /** The guarded event listener, {@link EventListener#NONE} when none is set. */
    EventListener events() {
        return engine.events;
    }

    EngineCore engine() {
        return engine;
    }

    /** The engine's clock. */
    Ticker ticker() {
        return engine.config.ticker();
    }
}
