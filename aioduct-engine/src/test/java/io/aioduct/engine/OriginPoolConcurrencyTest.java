package io.aioduct.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductException;
import io.aioduct.Origin;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many threads hammering one shared pool: the counts must stay exact and the limit must hold. */
class OriginPoolConcurrencyTest {
    private static final Origin ORIGIN = new Origin("http", "example.com", 80);
    private static final int MAX = 3;
    private static final int THREADS = 8;
    private static final int ROUNDS = 3_000;

    /** What a waiter was given: a connection, or permission to open one. */
    private record Grant(FakeConnection connection) {
        static final Grant CONNECT = new Grant(new FakeConnection("permit", 0));
    }

    private static final class FutureWaiter implements PoolWaiter<FakeConnection> {
        final CompletableFuture<Grant> grant = new CompletableFuture<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void acquired(FakeConnection connection) {
            calls.incrementAndGet();
            grant.complete(new Grant(connection));
        }

        @Override
        public void mayConnect() {
            calls.incrementAndGet();
            grant.complete(Grant.CONNECT);
        }

        @Override
        public void failed(AioductException cause) {
            calls.incrementAndGet();
            grant.completeExceptionally(cause);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only
    void sharedPoolNeverExceedsItsLimitAndEndsWithNothingActive() throws Exception {
        FakeTicker ticker = new FakeTicker();
        OriginPool<FakeConnection> pool = OriginPool.shared(
                ORIGIN, PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(MAX).withMaxPendingAcquires(THREADS), ticker);
        AtomicInteger held = new AtomicInteger(); // connections and connect permits owned by callers
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicInteger maxCounted = new AtomicInteger(); // active + idle + connecting, as the pool sees it
        AtomicInteger doubleHandOuts = new AtomicInteger();
        AtomicInteger handedOutClosed = new AtomicInteger();
        AtomicInteger badWaiterCalls = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        Queue<FakeConnection> everyConnection = new ConcurrentLinkedQueue<>();
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        java.util.Set<FakeConnection> inUse = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CyclicBarrier start = new CyclicBarrier(THREADS);

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("pool-hammer-" + t).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        FutureWaiter w = new FutureWaiter();
                        FakeConnection c = pool.acquire(w, (i + id) % 17 == 0);
                        boolean permit = false;
                        if (c == null) {
                            Grant g = w.grant.get(1, TimeUnit.MINUTES);
                            if (g == Grant.CONNECT) {
                                permit = true;
                            } else {
                                c = g.connection();
                            }
                        }
                        if (w.calls.get() > 1) badWaiterCalls.incrementAndGet();
                        maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                        PoolStats s = pool.stats();
                        maxCounted.accumulateAndGet(s.active() + s.idle() + s.connecting(), Math::max);
                        if (permit) {
                            if ((i + id) % 13 == 0) {
                                held.decrementAndGet();
                                pool.connectFailed();
                                continue;
                            }
                            c = new FakeConnection("t" + id + "-" + i, ticker.nanoTime());
                            created.incrementAndGet();
                            everyConnection.add(c);
                            pool.connected(c);
                        }
                        if (!inUse.add(c)) doubleHandOuts.incrementAndGet();
                        if (c.isClosed()) handedOutClosed.incrementAndGet();
                        boolean reusable = (i + id) % 7 != 0;
                        inUse.remove(c);
                        held.decrementAndGet();
                        pool.release(c, reusable);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(errors).isEmpty();
        assertThat(maxHeld.get()).isLessThanOrEqualTo(MAX);
        assertThat(maxCounted.get()).isLessThanOrEqualTo(MAX);
        assertThat(doubleHandOuts.get())
                .as("a connection given to two callers at once")
                .isZero();
        assertThat(handedOutClosed.get()).as("a closed connection handed out").isZero();
        assertThat(badWaiterCalls.get()).as("a waiter called more than once").isZero();
        PoolStats end = pool.stats();
        assertThat(end.active()).isZero();
        assertThat(end.connecting()).isZero();
        assertThat(end.pending()).isZero();
        assertThat(end.idle()).isBetween(0, MAX);
        long open = everyConnection.stream().filter(c -> !c.isClosed()).count();
        assertThat(open).as("every connection not idle in the pool was closed").isEqualTo(end.idle());
        assertThat(everyConnection)
                .as("no connection closed twice")
                .allSatisfy(c -> assertThat(c.closeReasons().size()).isLessThanOrEqualTo(1));
        assertThat(created.get()).as("the test really reconnected").isGreaterThan(MAX);
    }
}
