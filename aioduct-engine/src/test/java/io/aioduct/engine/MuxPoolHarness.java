package io.aioduct.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductException;
import io.aioduct.Origin;
import io.aioduct.Ticker;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Drives one {@link OriginPool} by hand, keeping its own account of every lease, connect permit,
 * waiter and retirement, and checks that account against the pool after every step:
 *
 * <ul>
 *   <li>no connection is handed out beyond its capacity, after it was retired, or once closed;
 *   <li>{@link PoolStats} agree: active = connections with a lease, activeStreams = the sum of the leases
 *       of multiplexed connections, idle, connecting and pending match;
 *   <li>no connection is closed twice, nor closed while a lease on it is still held;
 *   <li>connections still counting against the limit (open, not retired) plus connects under way never
 *       exceed the limit in force ({@link PoolStats#max()});
 *   <li>every waiter is called back at most once.
 * </ul>
 *
 * <p>Single-threaded: one test drives it (a hook on another thread must finish before the step ends).
 */
final class MuxPoolHarness {
    static final Origin ORIGIN = new Origin("https", "example.com", 443);

    enum Kind {
        SHARED {
            @Override
            OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker, OriginPool.Multiplexing mux) {
                return OriginPool.shared(ORIGIN, config, ticker, mux);
            }
        },
        LOCAL {
            @Override
            OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker, OriginPool.Multiplexing mux) {
                return OriginPool.local(ORIGIN, config, ticker, mux);
            }
        };

        abstract OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker, OriginPool.Multiplexing mux);
    }

    /** A waiter that records its callbacks and reports leases and permits to the harness. */
    final class Waiter implements PoolWaiter<FakeConnection> {
        final String name;
        final List<FakeConnection> acquired = new ArrayList<>();
        final List<AioductException> failures = new ArrayList<>();
        int mayConnect;
        /** What {@code acquire} itself returned. */
        @Nullable
        FakeConnection returned;
        /** The connection opened with this waiter's permit. */
        @Nullable
        FakeConnection opened;

        boolean cancelled;

        Waiter(String name) {
            this.name = name;
        }

        @Override
        public void acquired(FakeConnection connection) {
            acquired.add(connection);
            leased(connection, name + " acquired(" + connection + ")");
        }

        @Override
        public void mayConnect() {
            mayConnect++;
            permits++;
        }

        @Override
        public void failed(AioductException cause) {
            failures.add(cause);
        }

        int callbacks() {
            return acquired.size() + failures.size() + mayConnect;
        }

        /** Still in the pool's queue: nothing returned, nothing called back, not cancelled. */
        boolean queued() {
            return returned == null && callbacks() == 0 && !cancelled;
        }

        /** The connection this waiter holds a lease on: returned, handed over, or opened with its permit. */
        FakeConnection connection() {
            if (returned != null) return returned;
            if (opened != null) return opened;
            assertThat(acquired).as(name + " was handed a connection").hasSize(1);
            return acquired.get(0);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final OriginPool<FakeConnection> pool;
    final FakeTicker ticker;
    private final PoolConfig config;
    private final IdentityHashMap<FakeConnection, Integer> leases = new IdentityHashMap<>();
    /** Connections the test made stop counting: GOAWAY, closed by the peer, released as not reusable. */
    private final Set<FakeConnection> retired = Collections.newSetFromMap(new IdentityHashMap<>());

    private final List<FakeConnection> connections = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int permits;
    private int connectionCount;
    private String step = "start";

    MuxPoolHarness(Kind kind, PoolConfig config, OriginPool.Multiplexing multiplexing) {
        this.ticker = new FakeTicker();
        this.config = config;
        this.pool = kind.create(config, ticker, multiplexing);
    }

    // ---- steps ----

    /** Acquires for a new waiter; whatever happens (a connection, a permit, a place in the queue) is recorded. */
    Waiter acquire() {
        return acquire(false);
    }

    Waiter acquire(boolean fresh) {
        Waiter w = new Waiter("w" + (waiters.size() + 1));
        waiters.add(w);
        step = "acquire " + w + (fresh ? " (fresh)" : "");
        FakeConnection c = pool.acquire(w, fresh);
        if (c != null) {
            w.returned = c;
            leased(c, w + " got " + c + " from acquire");
        }
        check();
        return w;
    }

    /** The waiter's connect succeeded with an HTTP/2 connection of the given capacity. */
    FakeConnection connectMultiplexed(Waiter w, int capacity) {
        return connect(w, newConnection().multiplexed(capacity));
    }

    /** The waiter's connect succeeded with an HTTP/1.1 connection. */
    FakeConnection connectHttp11(Waiter w) {
        return connect(w, newConnection());
    }

    FakeConnection connect(Waiter w, FakeConnection c) {
        assertThat(w.mayConnect).as(w + " holds a connect permit").isEqualTo(1);
        assertThat(w.opened).as(w + " already connected").isNull();
        step = "connected(" + c + ") for " + w;
        connections.add(c);
        permits--;
        w.opened = c;
        leased(c, w + " connected " + c);
        pool.connected(c);
        check();
        return c;
    }

    void connectFailed(Waiter w) {
        assertThat(w.mayConnect).as(w + " holds a connect permit").isEqualTo(1);
        step = "connectFailed() for " + w;
        permits--;
        w.mayConnect = -1; // used up
        pool.connectFailed();
        check();
    }

    void release(FakeConnection c, boolean reusable) {
        step = "release(" + c + ", " + reusable + ")";
        int held = leases.getOrDefault(c, 0);
        assertThat(held).as("the test holds a lease on " + c).isPositive();
        leases.put(c, held - 1);
        if (!reusable) {
            retired.add(c);
        }
        pool.release(c, reusable);
        check();
    }

    /** The server changed the stream limit (SETTINGS): the connection tells the pool. */
    void capacity(FakeConnection c, int capacity) {
        step = "capacityChanged(" + c + ") to " + capacity;
        c.capacity(capacity);
        if (capacity == 0) {
            retired.add(c);
        }
        pool.capacityChanged(c);
        check();
    }

    /** The server's first SETTINGS: the provisional capacity becomes {@code capacity}, and the pool is told. */
    void settle(FakeConnection c, int capacity) {
        step = "capacityChanged(" + c + ") settled at " + capacity;
        c.settle(capacity);
        pool.capacityChanged(c);
        check();
    }

    /** GOAWAY: no more streams on this connection. */
    void goaway(FakeConnection c) {
        capacity(c, 0);
    }

    /** The peer closed the connection (it did not close itself through the pool): the pool is told. */
    void peerClosed(FakeConnection c) {
        step = "closed(" + c + ")";
        c.notReusable();
        retired.add(c);
        pool.closed(c);
        check();
    }

    int evict() {
        step = "evict() at +" + ticker.nanoTime();
        int n = pool.evict();
        check();
        return n;
    }

    void advance(Duration d) {
        ticker.advance(d);
    }

    boolean cancel(Waiter w) {
        step = "cancel(" + w + ")";
        boolean removed = pool.cancel(w);
        if (removed) {
            w.cancelled = true;
        }
        check();
        return removed;
    }

    List<FakeConnection> close(String reason) {
        step = "close(" + reason + ")";
        List<FakeConnection> busy = pool.close(reason);
        check();
        return busy;
    }

    /**
     * Acquires for a new waiter without checking afterwards: for a hook that runs while another step is
     * half done (the step's own check covers it).
     */
    Waiter acquireUnchecked() {
        Waiter w = new Waiter("w" + (waiters.size() + 1));
        waiters.add(w);
        FakeConnection c = pool.acquire(w, false);
        if (c != null) {
            w.returned = c;
            leased(c, w + " got " + c + " from acquire");
        }
        return w;
    }

    /** Notes that {@code c} no longer counts against the limit, for a hook that tells the pool itself. */
    void markRetired(FakeConnection c) {
        retired.add(c);
    }

    // ---- what the test knows ----

    int leasesOn(FakeConnection c) {
        return leases.getOrDefault(c, 0);
    }

    List<FakeConnection> connections() {
        return List.copyOf(connections);
    }

    PoolStats stats() {
        return pool.stats();
    }

    static PoolStats h2(int active, int idle, int connecting, int pending, int max, int streams) {
        return new PoolStats(ORIGIN, "h2", active, idle, connecting, pending, max, streams);
    }

    static PoolStats http11(int active, int idle, int connecting, int pending, int max) {
        return new PoolStats(ORIGIN, "http/1.1", active, idle, connecting, pending, max, 0);
    }

    FakeConnection newConnection() {
        return new FakeConnection("c" + (++connectionCount), ticker.nanoTime());
    }

    private void leased(FakeConnection c, String how) {
        int n = leases.getOrDefault(c, 0) + 1;
        leases.put(c, n);
        if (n > c.capacity()) {
            violations.add(how + ": lease " + n + " on " + c + " whose capacity is " + c.capacity());
        }
        if (c.isClosed()) {
            violations.add(how + ": " + c + " was already closed " + c.closeReasons());
        }
        if (retired.contains(c)) {
            violations.add(how + ": " + c + " was retired (GOAWAY, closed or not reusable)");
        }
    }

    private boolean expired(FakeConnection c) {
        long lifetime = config.maxLifetime().toNanos();
        return lifetime > 0 && ticker.nanoTime() - c.createdNanos() >= lifetime;
    }

    /** Checks every invariant against what the pool says; fails naming the step. */
    void check() {
        String after = "after " + step;
        assertThat(violations).as(after).isEmpty();
        for (Waiter w : waiters) {
            assertThat(w.callbacks())
                    .as(after + ": " + w + " called back at most once")
                    .isLessThanOrEqualTo(1);
            if (w.returned != null) {
                assertThat(w.callbacks())
                        .as(after + ": " + w + " got a connection from acquire and a callback")
                        .isZero();
            }
        }
        int active = 0;
        int streams = 0;
        int idle = 0;
        int counted = 0;
        for (FakeConnection c : connections) {
            int held = leasesOn(c);
            assertThat(c.closeCount())
                    .as(after + ": " + c + " closed at most once, was closed for " + c.closeReasons())
                    .isLessThanOrEqualTo(1);
            if (held > 0) {
                assertThat(c.isClosed())
                        .as(after + ": " + c + " closed while " + held + " lease(s) on it are held: "
                                + c.closeReasons())
                        .isFalse();
                active++;
                if (c.multiplexed()) {
                    streams += held;
                }
            } else if (!c.isClosed() && !retired.contains(c)) {
                idle++;
            }
            if (!c.isClosed() && !retired.contains(c) && c.capacity() > 0 && !expired(c)) {
                counted++;
            }
        }
        PoolStats s = pool.stats();
        assertThat(s.active())
                .as(after + ": active (connections with a lease) in " + s)
                .isEqualTo(active);
        assertThat(s.activeStreams())
                .as(after + ": activeStreams (leases on multiplexed connections) in " + s)
                .isEqualTo(streams);
        assertThat(s.idle()).as(after + ": idle in " + s).isEqualTo(idle);
        assertThat(s.connecting())
                .as(after + ": connecting (permits held) in " + s)
                .isEqualTo(permits);
        long pending = waiters.stream().filter(Waiter::queued).count();
        assertThat(s.pending()).as(after + ": pending in " + s).isEqualTo((int) pending);
        assertThat(counted + permits)
                .as(after + ": open connections still counted (" + counted + ") + connects (" + permits
                        + ") within the limit in " + s)
                .isLessThanOrEqualTo(s.max());
    }
}
