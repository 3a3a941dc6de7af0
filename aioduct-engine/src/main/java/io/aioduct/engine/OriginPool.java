package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.PoolExhaustedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.Ticker;
import io.aioduct.exchange.ConnectionOwner;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The connections to one origin: reused last-in-first-out, capped in number, with a bounded queue of
 * requests waiting for capacity. It counts connections and hands them out; it never does I/O itself
 * beyond {@link PooledConnection#validate()} and {@link PooledConnection#close(String)}.
 *
 * <p>An HTTP/1.1 connection carries one exchange at a time. A {@linkplain PooledConnection#multiplexed()
 * multiplexed} (HTTP/2) connection carries up to its {@linkplain PooledConnection#capacity() capacity}
 * at once: requests share it until it is full, and only then does another connection open, up to the
 * multiplexed limit. While an origin that may speak HTTP/2 has its first connection in flight, further
 * requests wait for it rather than each opening their own; the pool learns the origin's protocol from
 * that connection. Likewise while a multiplexed connection's {@linkplain PooledConnection#capacitySettled()
 * capacity is not settled} (the server's SETTINGS, with its stream limit, have not arrived): it carries
 * one exchange meanwhile, and the others wait for the limit rather than open more connections. A multiplexed connection that stops taking exchanges (GOAWAY) no longer counts
 * against the limit, so a replacement can open while it drains.
 *
 * <p>Threading: a <em>shared</em> pool guards its state with a lock and may be used from any thread; a
 * <em>local</em> pool belongs to one core and must only be used on that core's thread, with no locking
 * at all. Waiter callbacks always run outside the lock.
 *
 * <p>Every connection the pool counts is either idle here, leased to callers, or being opened by a
 * caller that was told {@link PoolWaiter#mayConnect()}; callers report back with {@link #connected},
 * {@link #connectFailed()}, {@link #release} (once per lease) or {@link #closed}.
 *
 * <p>Why one file over 500 lines: every count here ({@code total}, {@code active}, {@code connecting},
 * {@code validating}, the multiplexed leases and the waiter queue) changes under one lock in the same
 * step as the others, and the HTTP/1.1 and HTTP/2 rules read and write the same counts (a multiplexed
 * connection is also idle, active and counted against the limit). Split across classes, each step would
 * either cross that lock boundary or pass all the counts along; the model-based tests
 * ({@code MuxPoolHarness}) check the invariants of the whole.
 */
final class OriginPool<C extends PooledConnection> implements ConnectionOwner<C> {

    /**
     * How the pool treats HTTP/2.
     *
     * @param expected whether this origin may speak HTTP/2 (https with h2 offered, or h2c by prior
     *     knowledge): then the first connect is awaited before others open
     * @param maxConnections the most multiplexed connections to the origin
     */
    public record Multiplexing(boolean expected, int maxConnections) {
        public static final Multiplexing NONE = new Multiplexing(false, 1);

        public Multiplexing {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
            }
        }
    }

    /**
     * What the pool records about a connection, on its own {@link Ticker}: when it joined (the max-lifetime
     * rule) and when it last went idle (the idle-timeout rule). One per connection, never per request.
     */
    private static final class Held {
        final long createdNanos;
        long idleSinceNanos;

        Held(long createdNanos) {
            this.createdNanos = createdNanos;
            this.idleSinceNanos = createdNanos;
        }
    }

    /** Leases of one multiplexed connection. */
    private static final class Mux {
        int leases;
        boolean retired;
        /**
         * The connection's {@link PooledConnection#capacitySettled()} as the pool last saw it (when it joined,
         * at each {@link #capacityChanged}): the pool's own view, in step with the capacity it shares out. The
         * connection's live flag turns true before its capacity change reaches the pool; read directly, a
         * request in that gap saw neither a spare stream nor a reason to wait, and opened a connection.
         */
        boolean settled;
    }

    private final Origin origin;
    /** The key: the origin, and the proxy its connections go through if any. */
    private final Route route;

    private final PoolConfig config;
    private final Ticker ticker;
    private final Multiplexing multiplexing;
    private final @Nullable ReentrantLock lock;
    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private final ArrayDeque<PoolWaiter<C>> waiters = new ArrayDeque<>();
    /** Every connection the pool counts or still has leased, with the times it recorded for it. */
    private final IdentityHashMap<C, Held> all = new IdentityHashMap<>();

    private final IdentityHashMap<C, Mux> muxes = new IdentityHashMap<>();
    private final ArrayList<C> withSpare = new ArrayList<>(2);
    private int total;
    private int active;
    private int connecting;
    /** Multiplexed connections taken from idle and not yet validated: they may carry waiters soon. */
    private int validating;

    private int streams;
    private boolean closed;
    /** null until a connection tells: true = HTTP/2 (multiplexed), false = HTTP/1.1. */
    private @Nullable Boolean multiplexedOrigin;

    private OriginPool(Route route, PoolConfig config, Ticker ticker, Multiplexing multiplexing, boolean shared) {
        this.origin = route.origin;
        this.route = route;
        this.config = config;
        this.ticker = ticker;
        this.multiplexing = multiplexing;
        this.lock = shared ? new ReentrantLock() : null;
    }

    /** A pool usable from any thread, for HTTP/1.1 connections. */
    public static <C extends PooledConnection> OriginPool<C> shared(Origin origin, PoolConfig config, Ticker ticker) {
        return new OriginPool<>(new Route(origin, null), config, ticker, Multiplexing.NONE, true);
    }

    /** A pool confined to one core's thread: no locks. */
    public static <C extends PooledConnection> OriginPool<C> local(Origin origin, PoolConfig config, Ticker ticker) {
        return new OriginPool<>(new Route(origin, null), config, ticker, Multiplexing.NONE, false);
    }

    /** A pool usable from any thread that also takes multiplexed connections. */
    public static <C extends PooledConnection> OriginPool<C> shared(
            Origin origin, PoolConfig config, Ticker ticker, Multiplexing multiplexing) {
        return shared(new Route(origin, null), config, ticker, multiplexing);
    }

    /** A pool usable from any thread for the connections of {@code route}. */
    static <C extends PooledConnection> OriginPool<C> shared(
            Route route, PoolConfig config, Ticker ticker, Multiplexing multiplexing) {
        return new OriginPool<>(route, config, ticker, multiplexing, true);
    }

    /** A core-confined pool that also takes multiplexed connections. */
    public static <C extends PooledConnection> OriginPool<C> local(
            Origin origin, PoolConfig config, Ticker ticker, Multiplexing multiplexing) {
        return local(new Route(origin, null), config, ticker, multiplexing);
    }

    /** A core-confined pool for the connections of {@code route}. */
    static <C extends PooledConnection> OriginPool<C> local(
            Route route, PoolConfig config, Ticker ticker, Multiplexing multiplexing) {
        return new OriginPool<>(route, config, ticker, multiplexing, false);
    }

    public Origin origin() {
        return origin;
    }

    /** How this pool's connections reach the origin: the pool's key. */
    Route route() {
        return route;
    }

    private void lock() {
        if (lock != null) lock.lock();
    }

    private void unlock() {
        if (lock != null) lock.unlock();
    }

    /** The connection limit in force: the multiplexed one once the origin is known to speak HTTP/2. */
    private int limit() {
        return Boolean.TRUE.equals(multiplexedOrigin)
                ? multiplexing.maxConnections()
                : config.maxConnectionsPerOrigin();
    }

    /**
     * Gets a connection for {@code waiter}: returns one (leased to the caller), or returns null after
     * either calling {@link PoolWaiter#mayConnect()} (capacity was free) or queueing the waiter.
     *
     * @param fresh skip existing connections: the caller needs a new one (a retry after a stale reuse)
     * @throws PoolExhaustedException if the pool is full and so is its queue of waiters
     * @throws RequestCancelledException if the pool is closed
     */
    public @Nullable C acquire(PoolWaiter<C> waiter, boolean fresh) {
        while (true) {
            C candidate = null;
            C evicted = null;
            boolean connect = false;
            boolean muxCandidate = false;
            boolean fit = false;
            lock();
            try {
                if (closed) {
                    throw new RequestCancelledException("the connection pool for " + route + " is closed");
                }
                if (!fresh) {
                    C shared = leaseSpare();
                    if (shared != null) {
                        return shared;
                    }
                }
                if (!fresh && !idle.isEmpty()) {
                    candidate = idle.pollFirst();
                    // Also checked here, not only by the sweep: between sweeps an idle connection may already
                    // be past the idle timeout, and the server has probably dropped it.
                    long now = ticker.nanoTime();
                    fit = isUsable(candidate, now) && !idleTooLong(candidate, now);
                    lease(candidate);
                    muxCandidate = muxes.containsKey(candidate);
                    if (muxCandidate) validating++;
                } else if (awaitingFirstMultiplexed()) {
                    // The connection in flight may well carry this request too: wait for it.
                    enqueue(waiter);
                    return null;
                } else if (total < limit()) {
                    total++;
                    connecting++;
                    connect = true;
                } else if (fresh && !idle.isEmpty()) {
                    // Make room for the fresh connection by retiring the oldest idle one.
                    evicted = idle.pollLast();
                    forget(evicted);
                    connecting++;
                    connect = true;
                } else {
                    enqueue(waiter);
                    return null;
                }
            } finally {
                unlock();
            }
            if (evicted != null) {
                evicted.close("retired to make room for a fresh connection");
            }
            if (connect) {
                waiter.mayConnect();
                return null;
            }
            if (fit && candidate.validate()) {
                shareAfterValidation(candidate, muxCandidate);
                return candidate;
            }
            candidate.close("stale: closed by the peer or expired while idle");
            lock();
            try {
                Mux m = muxes.get(candidate);
                unlease(candidate);
                if (m == null || !m.retired) {
                    // A GOAWAY or close during validation already retired it (and took it off the count).
                    total--;
                }
                forget(candidate);
                // Waiters queued behind the validation wait on: this caller goes round again and either
                // validates another idle connection or connects, and either shares with them.
                if (muxCandidate) validating--;
            } finally {
                unlock();
            }
        }
    }

    /** A multiplexed connection just validated and leased: its spare streams go to waiters and others. */
    private void shareAfterValidation(C c, boolean counted) {
        if (!c.multiplexed() && !counted) {
            return;
        }
        List<PoolWaiter<C>> served = null;
        List<PoolWaiter<C>> permits = null;
        lock();
        try {
            if (counted) validating--;
            Mux m = muxes.get(c);
            if (m != null && !m.retired) {
                served = shareWithWaiters(c, m);
            }
            // Waiters it had no room for open their own connection (one at a time), as after a connect.
            if (!closed) permits = grantPermits();
        } finally {
            unlock();
        }
        handOut(c, served, permits);
    }

    /**
     * Whether new requests should wait for a connection being opened rather than open their own: for an
     * origin that speaks (or may speak) HTTP/2, one connection in flight can carry them all, so
     * connections open one at a time, each only once the others are full. A connection whose server has
     * not told its stream limit yet may be able to carry them too: they wait for that as well.
     */
    private boolean awaitingFirstMultiplexed() {
        boolean mayMultiplex =
                Boolean.TRUE.equals(multiplexedOrigin) || (multiplexing.expected() && multiplexedOrigin == null);
        return mayMultiplex && (connecting > 0 || validating > 0 || settling());
    }

    /** Whether a multiplexed connection still taking exchanges has a provisional capacity. Holds the lock. */
    private boolean settling() {
        for (var e : muxes.entrySet()) {
            if (!e.getValue().retired && !e.getValue().settled) {
                return true;
            }
        }
        return false;
    }

    private void enqueue(PoolWaiter<C> waiter) {
        if (waiters.size() >= config.maxPendingAcquires()) {
            throw new PoolExhaustedException("connection pool for " + route + " is exhausted: " + limit()
                    + " connections in use and " + waiters.size() + " requests already waiting (maxPendingAcquires)");
        }
        waiters.addLast(waiter);
    }

    /** A lease on a busy multiplexed connection with room to spare, or null. Holds the lock. */
    private @Nullable C leaseSpare() {
        long now = ticker.nanoTime();
        for (int i = 0; i < withSpare.size(); i++) {
            C c = withSpare.get(i);
            Mux m = muxes.get(c);
            if (m != null && !m.retired && !isUsable(c, now)) {
                // Past its lifetime (or no longer reusable): no new streams; it closes after its last lease.
                retire(c, m);
                i--;
                continue;
            }
            if (m != null && !m.retired && m.leases < c.capacity()) {
                m.leases++;
                streams++;
                if (m.leases >= c.capacity()) {
                    withSpare.remove(i);
                }
                return c;
            }
        }
        return null;
    }

    /**
     * Marks an idle connection as leased. It is offered to others ({@link #withSpare}) only after it
     * passed validation, outside the lock. Holds the lock.
     */
    private void lease(C c) {
        active++;
        Mux m = muxes.get(c);
        if (m != null) {
            m.leases = 1;
            streams++;
        }
    }

    /** Undoes {@link #lease} for a connection found stale. Holds the lock. */
    private void unlease(C c) {
        active--;
        Mux m = muxes.get(c);
        if (m != null) {
            streams -= m.leases;
            m.leases = 0;
            withSpare.remove(c);
        }
    }

    private void forget(C c) {
        all.remove(c);
        muxes.remove(c);
        withSpare.remove(c);
    }

    /** Removes a waiter that gave up (timed out, cancelled). Returns false if it was already served. */
    public boolean cancel(PoolWaiter<C> waiter) {
        lock();
        try {
            return waiters.removeFirstOccurrence(waiter);
        } finally {
            unlock();
        }
    }

    /**
     * A connect allowed by {@link PoolWaiter#mayConnect()} succeeded; the connection is now leased to
     * the caller. A multiplexed connection is also offered at once to requests waiting for capacity.
     */
    public void connected(C connection) {
        long now = ticker.nanoTime();
        boolean reject;
        List<PoolWaiter<C>> served = null;
        List<PoolWaiter<C>> permits = null;
        lock();
        try {
            connecting--;
            reject = closed;
            if (reject) {
                total--;
            } else {
                active++;
                all.put(connection, new Held(now));
                if (connection.multiplexed()) {
                    multiplexedOrigin = Boolean.TRUE;
                    Mux m = new Mux();
                    m.leases = 1;
                    m.settled = connection.capacitySettled();
                    streams++;
                    muxes.put(connection, m);
                    served = shareWithWaiters(connection, m);
                } else if (multiplexedOrigin == null) {
                    multiplexedOrigin = Boolean.FALSE;
                }
                permits = grantPermits();
            }
        } finally {
            unlock();
        }
        if (reject) {
            connection.close("pool closed while connecting");
            throw new RequestCancelledException("the connection pool for " + route + " closed while connecting");
        }
        handOut(connection, served, permits);
    }

    /**
     * Leases spare streams of a multiplexed connection to queued waiters, taking it out of the idle list
     * if it was there. Keeps the connection on the spare list exactly while it is leased but not full.
     * Holds the lock.
     */
    private @Nullable List<PoolWaiter<C>> shareWithWaiters(C c, Mux m) {
        if (m.retired) {
            withSpare.remove(c);
            return null;
        }
        List<PoolWaiter<C>> served = null;
        while (m.leases < c.capacity() && !waiters.isEmpty()) {
            if (m.leases == 0) {
                idle.remove(c);
                active++;
            }
            if (served == null) served = new ArrayList<>();
            served.add(waiters.pollFirst());
            m.leases++;
            streams++;
        }
        boolean spare = m.leases > 0 && m.leases < c.capacity();
        if (spare && !withSpare.contains(c)) {
            withSpare.add(c);
        } else if (!spare) {
            withSpare.remove(c);
        }
        return served;
    }

    /** Lets queued waiters open connections while the limit allows. Holds the lock. */
    private @Nullable List<PoolWaiter<C>> grantPermits() {
        List<PoolWaiter<C>> permits = null;
        while (!closed && !waiters.isEmpty() && total < limit() && !awaitingFirstMultiplexed()) {
            if (permits == null) permits = new ArrayList<>();
            permits.add(waiters.pollFirst());
            total++;
            connecting++;
        }
        return permits;
    }

    private void handOut(C connection, @Nullable List<PoolWaiter<C>> served, @Nullable List<PoolWaiter<C>> permits) {
        if (served != null) {
            for (PoolWaiter<C> w : served) w.acquired(connection);
        }
        if (permits != null) {
            for (PoolWaiter<C> w : permits) w.mayConnect();
        }
    }

    /** A connect allowed by {@link PoolWaiter#mayConnect()} failed; its capacity goes to the next waiter. */
    public void connectFailed() {
        List<PoolWaiter<C>> permits;
        lock();
        try {
            connecting--;
            total--;
            permits = closed ? null : grantPermits();
        } finally {
            unlock();
        }
        handOut(null, null, permits);
    }

    /**
     * An exchange is done with its lease. A reusable connection goes to the next waiter or the idle
     * list; anything else is closed (a multiplexed one once its last lease ends) and its capacity passed
     * on.
     */
    public void release(C connection, boolean reusable) {
        long now = ticker.nanoTime();
        boolean keep;
        PoolWaiter<C> handTo = null;
        List<PoolWaiter<C>> served = null;
        List<PoolWaiter<C>> permits = null;
        boolean close = false;
        boolean poolClosed;
        lock();
        try {
            poolClosed = closed;
            keep = reusable && isUsable(connection, now);
            Mux m = muxes.get(connection);
            if (m != null) {
                close = releaseMultiplexed(connection, m, keep, now);
                if (!close && !m.retired) {
                    served = shareWithWaiters(connection, m);
                }
                permits = grantPermits();
            } else {
                active--;
                if (keep && !closed) {
                    handTo = waiters.pollFirst();
                    if (handTo != null) {
                        active++;
                    } else if (idle.size() < config.maxIdlePerOrigin()) {
                        wentIdle(connection, now);
                        idle.addFirst(connection);
                    } else {
                        close = true;
                    }
                } else {
                    close = true;
                }
                if (close) {
                    total--;
                    all.remove(connection);
                    permits = grantPermits();
                }
            }
        } finally {
            unlock();
        }
        if (close) {
            connection.close(!keep ? "not reusable" : poolClosed ? "pool closed" : "idle limit reached");
        }
        if (handTo != null) {
            handTo.acquired(connection);
        }
        handOut(connection, served, permits);
    }

    /** Returns one lease of a multiplexed connection; true when it must now be closed. Holds the lock. */
    private boolean releaseMultiplexed(C c, Mux m, boolean keep, long now) {
        m.leases--;
        streams--;
        if (!keep || closed || c.capacity() == 0) {
            retire(c, m);
        }
        if (m.retired) {
            if (m.leases == 0) {
                active--;
                forget(c);
                return true;
            }
            return false;
        }
        if (m.leases == 0) {
            withSpare.remove(c);
            active--;
            // Idle now; queued waiters (served right after) take it out of the idle list again.
            if (!waiters.isEmpty() || idle.size() < config.maxIdlePerOrigin()) {
                wentIdle(c, now);
                idle.addFirst(c);
                return false;
            }
            total--;
            m.retired = true;
            forget(c);
            return true;
        }
        return false;
    }

    /** A multiplexed connection takes no more exchanges; it stops counting against the limit. */
    private void retire(C c, Mux m) {
        if (!m.retired) {
            m.retired = true;
            total--;
            withSpare.remove(c);
        }
    }

    /**
     * A multiplexed connection's capacity changed: the server raised or lowered its stream limit, or
     * sent GOAWAY (capacity 0). Waiters get the new room; a connection with no room left and no lease is
     * closed.
     */
    @Override
    public void capacityChanged(C connection) {
        List<PoolWaiter<C>> served = null;
        List<PoolWaiter<C>> permits;
        boolean close = false;
        lock();
        try {
            Mux m = muxes.get(connection);
            if (m == null) {
                return;
            }
            m.settled = connection.capacitySettled();
            if (connection.capacity() == 0) {
                retire(connection, m);
                if (m.leases == 0) {
                    idle.remove(connection);
                    forget(connection);
                    close = true;
                }
            } else if (!m.retired) {
                served = shareWithWaiters(connection, m);
            }
            permits = grantPermits();
        } finally {
            unlock();
        }
        if (close) {
            connection.close("the server stopped taking requests on it (GOAWAY)");
        }
        handOut(connection, served, permits);
    }

    /**
     * A connection closed by itself (the peer closed it, an error). Removes it if idle; passes its
     * capacity on. Leased connections must still be {@link #release released}.
     */
    @Override
    public void closed(C connection) {
        List<PoolWaiter<C>> permits = null;
        lock();
        try {
            Mux m = muxes.get(connection);
            if (m != null && m.leases > 0) {
                retire(connection, m);
            } else if (idle.remove(connection)) {
                if (m == null || !m.retired) {
                    total--;
                }
                forget(connection);
            } else {
                return;
            }
            permits = closed ? null : grantPermits();
        } finally {
            unlock();
        }
        handOut(connection, null, permits);
    }

    /** Closes idle connections past the idle timeout or max lifetime. Returns how many. */
    public int evict() {
        long now = ticker.nanoTime();
        List<C> expired = null;
        lock();
        try {
            Iterator<C> it = idle.descendingIterator();
            while (it.hasNext()) {
                C c = it.next();
                if (!isUsable(c, now) || idleTooLong(c, now)) {
                    it.remove();
                    Mux m = muxes.get(c);
                    if (m == null || !m.retired) {
                        total--;
                    }
                    forget(c);
                    if (expired == null) expired = new ArrayList<>();
                    expired.add(c);
                }
            }
        } finally {
            unlock();
        }
        if (expired == null) {
            return 0;
        }
        for (C c : expired) {
            c.close("evicted: idle timeout or max lifetime");
        }
        return expired.size();
    }

    /** Records that {@code c} went idle at {@code now}. Holds the lock. */
    private void wentIdle(C c, long now) {
        Held h = all.get(c);
        if (h != null) h.idleSinceNanos = now;
    }

    /** Whether idle {@code c} has been idle for the idle timeout. Holds the lock. */
    private boolean idleTooLong(C c, long now) {
        long timeout = config.idleTimeout().toNanos();
        if (timeout == 0) {
            return false;
        }
        Held h = all.get(c);
        return h != null && now - h.idleSinceNanos >= timeout;
    }

    /** Whether {@code c} may take another exchange: reusable and within its max lifetime. Holds the lock. */
    private boolean isUsable(C c, long now) {
        if (!c.isReusable()) {
            return false;
        }
        long lifetime = config.maxLifetime().toNanos();
        if (lifetime == 0) {
            return true; // no lifetime limit (the default): no need to look up its record on every exchange
        }
        Held h = all.get(c);
        return h == null || now - h.createdNanos < lifetime;
    }

    /** When {@code c} last went idle, as this pool recorded it; {@link Long#MIN_VALUE} if it holds no such connection. */
    long idleSinceNanos(C c) {
        lock();
        try {
            Held h = all.get(c);
            return h == null ? Long.MIN_VALUE : h.idleSinceNanos;
        } finally {
            unlock();
        }
    }

    /** Whether the pool holds no connection and no waiter (so it can be dropped). */
    public boolean isEmpty() {
        lock();
        try {
            return total == 0 && waiters.isEmpty() && all.isEmpty();
        } finally {
            unlock();
        }
    }

    public PoolStats stats() {
        lock();
        try {
            boolean h2 = Boolean.TRUE.equals(multiplexedOrigin);
            return new PoolStats(
                    origin, h2 ? "h2" : "http/1.1", active, idle.size(), connecting, waiters.size(), limit(), streams);
        } finally {
            unlock();
        }
    }

    /** Idle connections open to this origin (a snapshot). */
    public int idleCount() {
        lock();
        try {
            return idle.size();
        } finally {
            unlock();
        }
    }

    /**
     * Closes the pool: idle connections are closed, waiters fail, and every connection still leased is
     * returned so the caller can abort it. Later releases just close.
     */
    public List<C> close(String reason) {
        List<C> idleNow;
        List<PoolWaiter<C>> waiting;
        List<C> busy;
        lock();
        try {
            closed = true;
            idleNow = new ArrayList<>(idle);
            for (C c : idleNow) {
                Mux m = muxes.get(c);
                if (m == null || !m.retired) {
                    total--;
                }
                forget(c);
            }
            idle.clear();
            waiting = new ArrayList<>(waiters);
            waiters.clear();
            busy = new ArrayList<>(all.keySet());
        } finally {
            unlock();
        }
        for (C c : idleNow) {
            c.close(reason);
        }
        for (PoolWaiter<C> w : waiting) {
            w.failed(new RequestCancelledException("request refused: " + reason));
        }
        return busy;
    }
}
