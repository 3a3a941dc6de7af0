package io.aioduct.pool;

import io.aioduct.Origin;
import io.aioduct.PoolExhaustedException;
import io.aioduct.RequestCancelledException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The connections to one origin: reused last-in-first-out, capped in number, with a bounded queue of
 * requests waiting for capacity. It counts connections and hands them out; it never does I/O itself
 * beyond {@link PooledConnection#validate()} and {@link PooledConnection#close(String)}.
 *
 * <p>Threading: a <em>shared</em> pool ({@link #shared}) guards its state with a lock and may be used
 * from any thread; a <em>local</em> pool ({@link #local}) belongs to one core and must only be used on
 * that core's thread, with no locking at all. Waiter callbacks always run outside the lock.
 *
 * <p>Every connection the pool counts is either idle here, active with a caller, or being opened by a
 * caller that was told {@link PoolWaiter#mayConnect()}; callers must report back with {@link
 * #connected}, {@link #connectFailed()}, {@link #release} or {@link #closed} exactly once per
 * connection state change.
 */
public final class OriginPool<C extends PooledConnection> {
    private final Origin origin;
    private final String protocol;
    private final PoolConfig config;
    private final Ticker ticker;
    private final @Nullable ReentrantLock lock;
    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private final ArrayDeque<PoolWaiter<C>> waiters = new ArrayDeque<>();
    private final Set<C> all = Collections.newSetFromMap(new IdentityHashMap<>());
    private int total;
    private int active;
    private int connecting;
    private boolean closed;

    private OriginPool(Origin origin, String protocol, PoolConfig config, Ticker ticker, boolean shared) {
        this.origin = origin;
        this.protocol = protocol;
        this.config = config;
        this.ticker = ticker;
        this.lock = shared ? new ReentrantLock() : null;
    }

    /** A pool usable from any thread. */
    public static <C extends PooledConnection> OriginPool<C> shared(Origin origin, PoolConfig config, Ticker ticker) {
        return new OriginPool<>(origin, "http/1.1", config, ticker, true);
    }

    /** A pool confined to one core's thread: no locks. */
    public static <C extends PooledConnection> OriginPool<C> local(Origin origin, PoolConfig config, Ticker ticker) {
        return new OriginPool<>(origin, "http/1.1", config, ticker, false);
    }

    public Origin origin() {
        return origin;
    }

    private void lock() {
        if (lock != null) lock.lock();
    }

    private void unlock() {
        if (lock != null) lock.unlock();
    }

    /**
     * Gets a connection for {@code waiter}: returns an idle one (now active), or returns null after
     * either calling {@link PoolWaiter#mayConnect()} (capacity was free) or queueing the waiter.
     *
     * @param fresh skip idle connections: the caller needs a new one (a retry after a stale reuse)
     * @throws PoolExhaustedException if the pool is full and so is its queue of waiters
     * @throws RequestCancelledException if the pool is closed
     */
    public @Nullable C acquire(PoolWaiter<C> waiter, boolean fresh) {
        while (true) {
            C candidate = null;
            C evicted = null;
            boolean connect = false;
            lock();
            try {
                if (closed) {
                    throw new RequestCancelledException("the connection pool for " + origin + " is closed");
                }
                if (!fresh && !idle.isEmpty()) {
                    candidate = idle.pollFirst();
                    active++;
                } else if (total < config.maxConnectionsPerOrigin()) {
                    total++;
                    connecting++;
                    connect = true;
                } else if (fresh && !idle.isEmpty()) {
                    // Make room for the fresh connection by retiring the oldest idle one.
                    evicted = idle.pollLast();
                    all.remove(evicted);
                    connecting++;
                    connect = true;
                } else if (waiters.size() >= config.maxPendingAcquires()) {
                    throw new PoolExhaustedException("connection pool for " + origin + " is exhausted: "
                            + config.maxConnectionsPerOrigin() + " connections in use and " + waiters.size()
                            + " requests already waiting (maxPendingAcquires)");
                } else {
                    waiters.addLast(waiter);
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
            long now = ticker.nanoTime();
            // Also checked here, not only by the sweep: between sweeps an idle connection may already be
            // past the idle timeout, and the server has probably dropped it.
            if (isUsable(candidate, now) && !idleTooLong(candidate, now) && candidate.validate()) {
                return candidate;
            }
            candidate.close("stale: closed by the peer or expired while idle");
            lock();
            try {
                active--;
                total--;
                all.remove(candidate);
            } finally {
                unlock();
            }
        }
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

    /** A connect allowed by {@link PoolWaiter#mayConnect()} succeeded; the connection is now active. */
    public void connected(C connection) {
        boolean reject;
        lock();
        try {
            connecting--;
            reject = closed;
            if (!reject) {
                active++;
                all.add(connection);
            } else {
                total--;
            }
        } finally {
            unlock();
        }
        if (reject) {
            connection.close("pool closed while connecting");
            throw new RequestCancelledException("the connection pool for " + origin + " closed while connecting");
        }
    }

    /** A connect allowed by {@link PoolWaiter#mayConnect()} failed; its capacity goes to the next waiter. */
    public void connectFailed() {
        PoolWaiter<C> next;
        lock();
        try {
            connecting--;
            total--;
            next = closed ? null : waiters.pollFirst();
            if (next != null) {
                total++;
                connecting++;
            }
        } finally {
            unlock();
        }
        if (next != null) {
            next.mayConnect();
        }
    }

    /**
     * An exchange is done with an active connection. A reusable one goes to the next waiter or the idle
     * list; anything else is closed and its capacity passed on.
     */
    public void release(C connection, boolean reusable) {
        long now = ticker.nanoTime();
        boolean keep = reusable && isUsable(connection, now);
        PoolWaiter<C> handTo = null;
        PoolWaiter<C> mayConnect = null;
        boolean close = false;
        boolean poolClosed;
        lock();
        try {
            poolClosed = closed;
            active--;
            if (keep && !closed) {
                handTo = waiters.pollFirst();
                if (handTo != null) {
                    active++;
                } else if (idle.size() < config.maxIdlePerOrigin()) {
                    connection.idleSinceNanos(now);
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
                mayConnect = closed ? null : waiters.pollFirst();
                if (mayConnect != null) {
                    total++;
                    connecting++;
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
        if (mayConnect != null) {
            mayConnect.mayConnect();
        }
    }

    /**
     * A connection closed by itself (the peer closed it, an error). Removes it if idle; passes its
     * capacity on. Active connections must instead be {@link #release released} as not reusable.
     */
    public void closed(C connection) {
        PoolWaiter<C> next = null;
        lock();
        try {
            if (!idle.remove(connection)) {
                return;
            }
            total--;
            all.remove(connection);
            next = closed ? null : waiters.pollFirst();
            if (next != null) {
                total++;
                connecting++;
            }
        } finally {
            unlock();
        }
        if (next != null) {
            next.mayConnect();
        }
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
                    total--;
                    all.remove(c);
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

    private boolean idleTooLong(C c, long now) {
        long timeout = config.idleTimeout().toNanos();
        return timeout > 0 && now - c.idleSinceNanos() >= timeout;
    }

    private boolean isUsable(C c, long now) {
        long lifetime = config.maxLifetime().toNanos();
        return c.isReusable() && (lifetime == 0 || now - c.createdNanos() < lifetime);
    }

    /** Whether the pool holds no connection and no waiter (so it can be dropped). */
    public boolean isEmpty() {
        lock();
        try {
            return total == 0 && waiters.isEmpty();
        } finally {
            unlock();
        }
    }

    public PoolStats stats() {
        lock();
        try {
            return new PoolStats(
                    origin,
                    protocol,
                    active,
                    idle.size(),
                    connecting,
                    waiters.size(),
                    config.maxConnectionsPerOrigin());
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
     * Closes the pool: idle connections are closed, waiters fail, and every connection still active is
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
            for (C c : idleNow) all.remove(c);
            total -= idleNow.size();
            idle.clear();
            waiting = new ArrayList<>(waiters);
            waiters.clear();
            busy = new ArrayList<>(all);
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
