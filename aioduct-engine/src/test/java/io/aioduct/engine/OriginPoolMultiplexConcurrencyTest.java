package io.aioduct.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductException;
import io.aioduct.Origin;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads sharing multiplexed connections of one shared pool, with connects completing on other
 * threads and GOAWAYs (capacity 0) arriving at random, from the lease holders and from a "server"
 * thread. Checked throughout: no connection carries more leases than its capacity, none is handed out
 * or released after it was closed, the connections still counting against the limit plus the connects
 * under way never exceed the multiplexed limit. At the end: every lease released, nothing active,
 * streaming, connecting or waiting, no connection closed twice, and the idle count matches the
 * connections left open.
 */
class OriginPoolMultiplexConcurrencyTest {
    private static final Origin ORIGIN = new Origin("https", "example.com", 443);
    private static final int MULTIPLEXED_MAX = 2;
    private static final int MAX_CAPACITY = 3;
    private static final int THREADS = 8;
    private static final int ROUNDS = 2_000;

    /** What the test knows of one connection. */
    private static final class Tracked {
        final FakeConnection connection;
        final int capacity; // as opened: capacity only ever drops (to 0) afterwards
        final AtomicInteger leases = new AtomicInteger();
        final AtomicInteger maxLeases = new AtomicInteger();
        /** Set together with the decrement of {@code counted}, under this object's monitor. */
        volatile boolean retired;

        Tracked(FakeConnection connection, int capacity) {
            this.connection = connection;
            this.capacity = capacity;
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final OriginPool<FakeConnection> pool = OriginPool.shared(
            ORIGIN,
            PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(64).withMaxPendingAcquires(THREADS),
            ticker,
            new OriginPool.Multiplexing(true, MULTIPLEXED_MAX));
    private final Map<FakeConnection, Tracked> tracked = new ConcurrentHashMap<>();
    private final List<Tracked> every = new CopyOnWriteArrayList<>();
    /**
     * Connects under way plus open connections not yet retired, never above the pool's own count: it
     * rises after the pool grants a permit and falls before the test retires a connection or reports
     * a failed connect, and no connection is closed by the pool before the test retired it.
     */
    private final AtomicInteger counted = new AtomicInteger();

    private final AtomicInteger maxCounted = new AtomicInteger();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger violationCount = new AtomicInteger();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger goaways = new AtomicInteger();
    private final AtomicInteger connectFailures = new AtomicInteger();

    private final class FutureWaiter implements PoolWaiter<FakeConnection> {
        /** The connection leased to this waiter, or null for a connect permit. */
        final CompletableFuture<FakeConnection> grant = new CompletableFuture<>();

        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void acquired(FakeConnection connection) {
            called();
            leased(connection, "acquired()");
            grant.complete(connection);
        }

        @Override
        public void mayConnect() {
            called();
            int n = counted.incrementAndGet();
            maxCounted.accumulateAndGet(n, Math::max);
            if (n > MULTIPLEXED_MAX) {
                violation("a connect permit with " + (n - 1) + " connections and connects already counted: "
                        + pool.stats() + ", open: " + describeOpen());
            }
            grant.complete(null);
        }

        @Override
        public void failed(AioductException cause) {
            called();
            grant.completeExceptionally(cause);
        }

        private void called() {
            if (calls.incrementAndGet() > 1) {
                violation("a waiter was called back more than once");
            }
        }
    }

    /** Records a broken rule: all are counted, the first few are kept for the failure message. */
    private void violation(String what) {
        if (violationCount.incrementAndGet() <= 20) {
            violations.add(what);
        }
    }

    private void leased(FakeConnection c, String how) {
        Tracked t = tracked.get(c);
        if (t == null) {
            violation(how + ": a connection the test never opened: " + c);
            return;
        }
        int n = t.leases.incrementAndGet();
        t.maxLeases.accumulateAndGet(n, Math::max);
        if (n > t.capacity) {
            violation(how + ": " + n + " leases on " + c + " of capacity " + t.capacity);
        }
        if (c.isClosed()) {
            violation(how + ": " + c + " handed out after it was closed " + c.closeReasons());
        }
    }

    private String describeOpen() {
        StringBuilder b = new StringBuilder();
        for (Tracked t : every) {
            if (!t.connection.isClosed()) {
                b.append(t.connection)
                        .append("{capacity ")
                        .append(t.connection.capacity())
                        .append(", leases ")
                        .append(t.leases.get())
                        .append(t.retired ? ", retired" : "")
                        .append("} ");
            }
        }
        return b.toString();
    }

    /**
     * Retires {@code t} in the test's count, once, before the pool hears of it. Whoever calls this
     * returns only once the count is down, even if another thread retired it first: else that thread
     * could still be about to decrement while this one already tells the pool, which may then grant a
     * permit the count has no room for yet.
     */
    private void retire(Tracked t) {
        synchronized (t) {
            if (!t.retired) {
                t.retired = true;
                counted.decrementAndGet();
            }
        }
    }

    private void goaway(Tracked t) {
        retire(t);
        if (ThreadLocalRandom.current().nextBoolean()) {
            t.connection.notReusable(); // and then it fails validation, if it was idle
        }
        t.connection.capacity(0);
        pool.capacityChanged(t.connection);
        goaways.incrementAndGet();
    }

    private final ExecutorService connector = Executors.newFixedThreadPool(
            3, r -> Thread.ofPlatform().name("connector").daemon().unstarted(r));

    /** Gets a lease: shared, handed over, or a connect completed by a connector thread. */
    private FakeConnection lease(String name) throws Exception {
        while (true) {
            FutureWaiter w = new FutureWaiter();
            FakeConnection c = pool.acquire(w, false);
            if (c != null) {
                leased(c, "acquire()");
                return c;
            }
            c = w.grant.get(1, TimeUnit.MINUTES); // a hang guard only
            if (c != null) {
                return c;
            }
            CompletableFuture<FakeConnection> connected = new CompletableFuture<>();
            connector.execute(() -> {
                try {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    if (random.nextInt(10) == 0) {
                        counted.decrementAndGet();
                        connectFailures.incrementAndGet();
                        pool.connectFailed();
                        connected.complete(null);
                        return;
                    }
                    int capacity = 1 + random.nextInt(MAX_CAPACITY);
                    FakeConnection opened = new FakeConnection(name, ticker.nanoTime()).multiplexed(capacity);
                    Tracked t = new Tracked(opened, capacity);
                    tracked.put(opened, t);
                    every.add(t);
                    leased(opened, "connected()");
                    pool.connected(opened);
                    connected.complete(opened);
                } catch (Throwable e) {
                    connected.completeExceptionally(e);
                }
            });
            c = connected.get(1, TimeUnit.MINUTES);
            if (c != null) {
                return c;
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only
    void sharedMultiplexedConnectionsStayWithinCapacityAndLimitAndEndWithNothingLeased() throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        AtomicBoolean done = new AtomicBoolean();
        Thread server = Thread.ofPlatform().name("goaway-server").start(() -> {
            try {
                start.await();
                while (!done.get()) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    if (!every.isEmpty() && random.nextInt(20) == 0) {
                        Tracked t = every.get(random.nextInt(every.size()));
                        if (!t.connection.isClosed() && !t.retired) {
                            goaway(t);
                        }
                    }
                    LockSupport.parkNanos(20_000);
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        });
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int id = i;
            workers.add(Thread.ofPlatform().name("worker-" + id).start(() -> {
                try {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int round = 0; round < ROUNDS; round++) {
                        FakeConnection c = lease("t" + id + "-" + round);
                        Tracked t = tracked.get(c);
                        if (random.nextInt(50) == 0) {
                            goaway(t);
                        }
                        if (random.nextInt(4) == 0) {
                            Thread.yield();
                        }
                        if (c.isClosed()) {
                            violation(c + " closed while a lease on it was held: " + c.closeReasons());
                        }
                        boolean reusable = random.nextInt(40) != 0;
                        if (!reusable) {
                            retire(t);
                        }
                        t.leases.decrementAndGet();
                        pool.release(c, reusable);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        done.set(true);
        server.join();
        connector.shutdown();
        assertThat(connector.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

        assertThat(errors).isEmpty();
        assertThat(violations)
                .as(violationCount.get() + " broken rules, the first ones")
                .isEmpty();
        assertThat(maxCounted.get())
                .as("open unretired connections + connects under way, at most the multiplexed limit")
                .isLessThanOrEqualTo(MULTIPLEXED_MAX);
        PoolStats end = pool.stats();
        assertThat(end.protocol()).isEqualTo("h2");
        assertThat(end.active()).isZero();
        assertThat(end.activeStreams()).isZero();
        assertThat(end.connecting()).isZero();
        assertThat(end.pending()).isZero();
        assertThat(every).as("every lease released, none above capacity").allSatisfy(t -> {
            assertThat(t.leases.get()).isZero();
            assertThat(t.maxLeases.get()).isLessThanOrEqualTo(t.capacity);
        });
        assertThat(every)
                .as("no connection closed twice")
                .allSatisfy(t -> assertThat(t.connection.closeCount()).isLessThanOrEqualTo(1));
        List<Tracked> open =
                every.stream().filter(t -> !t.connection.isClosed()).toList();
        assertThat(open)
                .as("what is left open is idle in the pool and not retired")
                .hasSize(end.idle())
                .allSatisfy(t -> assertThat(t.retired).isFalse());
        assertThat(counted.get()).isEqualTo(end.idle());
        assertThat(every.stream().mapToInt(t -> t.maxLeases.get()).max().orElse(0))
                .as("connections really were shared")
                .isGreaterThan(1);
        assertThat(every).as("the test really reconnected").hasSizeGreaterThan(MULTIPLEXED_MAX);
        assertThat(goaways.get()).isPositive();
    }
}
