package io.aioduct.engine;

import io.aioduct.concurrent.Completions;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.CoreCounters;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.RuntimePoll;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where an engine's connections live, one of the engine core's two strategies: <em>shared</em> (one
 * {@link PoolHome} whose locked pools any thread uses) or <em>per core</em> (one home per core of a
 * thread-per-core runtime, lock-free, and a connection never leaves the core that opened it). It picks
 * the home of a new exchange and runs eviction, close and stats over every home.
 *
 * <p>Threading: thread-safe; work on a home's pools runs on that home ({@link PoolHome#onHome}).
 */
final class PoolTopology<C extends PooledConnection> {
    private final List<PoolHome<C>> homes;
    /** The thread-per-core runtime, or null for the shared topology. */
    private final @Nullable RuntimeLocal cores;

    private final @Nullable CoreCounters counters;

    private PoolTopology(List<PoolHome<C>> homes, @Nullable RuntimeLocal cores, @Nullable CoreCounters counters) {
        this.homes = homes;
        this.cores = cores;
        this.counters = counters;
        for (PoolHome<C> h : homes) {
            h.onHome(h::scheduleEviction);
        }
    }

    /** One pool per origin, shared by every thread. */
    static <C extends PooledConnection> PoolTopology<C> shared(EngineCore engine, RuntimePoll runtime) {
        return new PoolTopology<>(List.of(new PoolHome<C>(engine, -1, null, runtime::sleep, null)), null, null);
    }

    /** One lock-free pool per origin per core; a runtime that counts per core gets told of opens and requests. */
    static <C extends PooledConnection> PoolTopology<C> perCore(EngineCore engine, RuntimeLocal runtime) {
        CoreCounters counters = runtime instanceof CoreCounters c ? c : null;
        List<PoolHome<C>> homes = new ArrayList<>();
        for (int i = 0; i < runtime.cores(); i++) {
            homes.add(new PoolHome<>(engine, i, runtime, runtime::sleep, counters));
        }
        return new PoolTopology<>(List.copyOf(homes), runtime, counters);
    }

    /**
     * The home of an exchange started by the calling thread: the shared one; or for per core, the
     * caller's own core, and for any other thread the cores in round-robin order.
     */
    PoolHome<C> home() {
        if (cores == null) return homes.get(0);
        int current = cores.currentCore();
        return homes.get(current >= 0 ? current : cores.nextCore());
    }

    /** Where connections of a thread-per-core runtime report opening and closing, or null. */
    @Nullable
    CoreCounters counters() {
        return counters;
    }

    List<PoolStats> stats() {
        List<PoolStats> out = new ArrayList<>();
        for (PoolHome<C> h : homes) h.stats(out);
        return out;
    }

    /** Pool snapshots of one core: the connections it owns. */
    List<PoolStats> stats(int core) {
        List<PoolStats> out = new ArrayList<>();
        homes.get(core).stats(out);
        return out;
    }

    /** Runs the eviction sweep on every home now and waits for it. */
    void evictIdle() {
        if (cores != null) Completions.checkMayBlock(cores.inEventLoop(), "evictIdle()");
        onEveryHome(PoolHome::evict, "the eviction sweep");
    }

    void stopEviction() {
        for (PoolHome<C> h : homes) h.stopEviction();
    }

    /** Closes every pool on its home, handing each connection still leased to {@code abort}; waits. */
    void close(String reason, Consumer<C> abort) {
        onEveryHome(h -> h.close(reason, abort), "closing the pools");
    }

    /** Runs {@code action} on each home (inline for the shared one) and waits for all of them. */
    private void onEveryHome(Consumer<PoolHome<C>> action, String what) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (PoolHome<C> h : homes) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            try {
                h.onHome(() -> {
                    try {
                        action.accept(h);
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
            // Bounded: a core stuck on something else must not hang the caller (close() has its own grace).
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            EngineCore.log.warn("engine: {} did not finish on every core: {}", what, e.toString());
        }
    }
}
