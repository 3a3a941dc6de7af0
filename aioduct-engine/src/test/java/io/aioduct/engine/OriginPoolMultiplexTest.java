package io.aioduct.engine;

import static io.aioduct.engine.MuxPoolHarness.h2;
import static io.aioduct.engine.MuxPoolHarness.http11;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.PoolExhaustedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.engine.MuxPoolHarness.Kind;
import io.aioduct.engine.MuxPoolHarness.Waiter;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pool with multiplexed (HTTP/2) connections, driven by hand through {@link MuxPoolHarness}, which
 * checks leases against capacity, the stats, double closes and the connection limit after every step.
 * Every rule is checked on both the shared and the local pool; the interleavings only a shared pool can
 * see (another thread acting while an idle connection is validated) are run on the shared pool alone.
 */
class OriginPoolMultiplexTest {
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** maxConnectionsPerOrigin: deliberately far above the multiplexed limits used here. */
    private static final int MAX = 10;

    private static PoolConfig config() {
        return PoolConfig.DEFAULT
                .withMaxConnectionsPerOrigin(MAX)
                .withIdleTimeout(IDLE_TIMEOUT)
                .withMaxPendingAcquires(16);
    }

    private static MuxPoolHarness harness(Kind kind, int multiplexedMax) {
        return harness(kind, config(), multiplexedMax);
    }

    private static MuxPoolHarness harness(Kind kind, PoolConfig config, int multiplexedMax) {
        return new MuxPoolHarness(kind, config, new OriginPool.Multiplexing(true, multiplexedMax));
    }

    /** Acquires expecting a connect permit, and connects an HTTP/2 connection of that capacity (one lease held). */
    private static FakeConnection open(MuxPoolHarness h, int capacity) {
        Waiter w = h.acquire();
        assertThat(w.mayConnect).as(w + ": connect permit").isEqualTo(1);
        return h.connectMultiplexed(w, capacity);
    }

    /** Acquires expecting {@code c} back from acquire itself: shared or reused, no callback. */
    private static void acquireExpecting(MuxPoolHarness h, FakeConnection c) {
        Waiter w = h.acquire();
        assertThat(w.returned).as(w + " given " + c + " at once").isSameAs(c);
    }

    private static Waiter acquireQueued(MuxPoolHarness h) {
        Waiter w = h.acquire();
        assertThat(w.queued())
                .as(w + " queued, but returned " + w.returned + ", callbacks " + w.callbacks())
                .isTrue();
        return w;
    }

    private static void onOtherThread(Runnable action) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("other-caller").start(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (failure.get() != null) {
            throw new AssertionError("on the other thread", failure.get());
        }
    }

    // ---- learning the protocol from the first connection ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whileTheFirstConnectIsInFlightFurtherAcquiresWaitInsteadOfConnecting(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        Waiter first = h.acquire();
        assertThat(first.mayConnect).isEqualTo(1);

        for (int i = 0; i < 4; i++) {
            acquireQueued(h);
        }

        PoolStats s = h.stats();
        assertThat(s.connecting())
                .as("only the first connect, though maxConnectionsPerOrigin is " + MAX)
                .isEqualTo(1);
        assertThat(s.pending()).isEqualTo(4);
        assertThat(s.activeStreams()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMultiplexedFirstConnectionIsSharedWithWaitersAndTheRestMayConnectUpToTheMultiplexedLimit(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        Waiter first = h.acquire();
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);
        Waiter w4 = acquireQueued(h);
        Waiter w5 = acquireQueued(h);

        FakeConnection c = h.connectMultiplexed(first, 3);

        assertThat(w2.acquired).containsExactly(c);
        assertThat(w3.acquired).containsExactly(c);
        assertThat(w4.mayConnect)
                .as("c is full: w4 may open the second (of 2) connection")
                .isEqualTo(1);
        assertThat(w5.queued())
                .as("the multiplexed limit 2 is reached, not maxConnectionsPerOrigin")
                .isTrue();
        assertThat(h.stats()).isEqualTo(h2(1, 0, 1, 1, 2, 3));

        FakeConnection d = h.connectMultiplexed(w4, 3);

        assertThat(w5.acquired).containsExactly(d);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 5));

        acquireExpecting(h, d);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 6));

        acquireQueued(h);
        acquireQueued(h);
        assertThat(h.stats())
                .as("2 connections x capacity 3 in use: the rest wait")
                .isEqualTo(h2(2, 0, 0, 2, 2, 6));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whenTheFirstConnectionIsHttp11QueuedWaitersMayConnectUpToMaxConnectionsPerOrigin(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxConnectionsPerOrigin(3), 2);
        Waiter first = h.acquire();
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);
        Waiter w4 = acquireQueued(h);
        Waiter w5 = acquireQueued(h);

        FakeConnection c = h.connectHttp11(first);

        assertThat(w2.mayConnect).isEqualTo(1);
        assertThat(w3.mayConnect).isEqualTo(1);
        assertThat(w4.queued()).isTrue();
        assertThat(w5.queued()).isTrue();
        assertThat(h.stats()).isEqualTo(http11(1, 0, 2, 2, 3));

        h.connectHttp11(w2);
        h.release(c, true);

        assertThat(w4.acquired)
                .as("an HTTP/1.1 connection is handed over whole")
                .containsExactly(c);
        assertThat(h.stats()).isEqualTo(http11(2, 0, 1, 1, 3));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFailedFirstConnectLetsOneWaiterTryInsteadAndTheOthersKeepWaitingForIt(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        Waiter first = h.acquire();
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);

        h.connectFailed(first);

        assertThat(w2.mayConnect).isEqualTo(1);
        assertThat(w3.queued())
                .as("the protocol is still unknown: one connect at a time")
                .isTrue();

        FakeConnection c = h.connectMultiplexed(w2, 2);

        assertThat(w3.acquired).containsExactly(c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aWaiterCancelledWhileQueuedForTheFirstConnectionIsNotServedByIt(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        Waiter first = h.acquire();
        Waiter gaveUp = acquireQueued(h);
        Waiter patient = acquireQueued(h);

        assertThat(h.cancel(gaveUp)).isTrue();
        FakeConnection c = h.connectMultiplexed(first, 3);

        assertThat(gaveUp.callbacks()).isZero();
        assertThat(patient.acquired).containsExactly(c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theQueueForTheFirstConnectionIsBoundedByMaxPendingAcquires(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxPendingAcquires(2), 2);
        h.acquire();
        acquireQueued(h);
        acquireQueued(h);

        assertThatThrownBy(h::acquire)
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("2 requests already waiting");
        assertThat(h.stats().pending()).isEqualTo(2);
    }

    // ---- sharing a busy connection ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBusyMultiplexedConnectionWithSpareCapacityIsSharedWithoutConnecting(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);

        acquireExpecting(h, c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 2));
        acquireExpecting(h, c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 3));

        Waiter w = h.acquire();

        assertThat(w.mayConnect)
                .as("c is full, the limit allows a second connection")
                .isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 1, 0, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFreshAcquireDoesNotShareABusyConnection(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);

        Waiter fresh = h.acquire(true);

        assertThat(fresh.returned).isNull();
        assertThat(fresh.mayConnect)
                .as("a retry after a stale reuse needs a new connection")
                .isEqualTo(1);
        FakeConnection d = h.connectMultiplexed(fresh, 3);
        assertThat(d).isNotSameAs(c);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 2));
        Waiter atLimit = h.acquire(true);
        assertThat(atLimit.queued())
                .as("both connections busy, none idle to retire")
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void activeCountsConnectionsWithALeaseAndActiveStreamsCountsEveryLease(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        FakeConnection d = h.connectMultiplexed(h.acquire(), 4);
        acquireExpecting(h, d);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 4));

        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 3));

        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(1, 1, 0, 0, 2, 2));
    }

    // ---- releasing leases ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releasingOneLeaseKeepsTheConnectionActiveWhileOthersRemain(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);
        acquireExpecting(h, c);
        acquireExpecting(h, c);

        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 2));
        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 1));

        assertThat(c.isClosed()).isFalse();
        assertThat(h.pool.idleCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whenTheLastLeaseIsReleasedTheConnectionGoesIdleAndIsTakenFromThereWhenReused(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);
        h.advance(Duration.ofSeconds(2));

        h.release(c, true);

        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 2, 0));
        assertThat(h.pool.idleSinceNanos(c)).isEqualTo(h.ticker.nanoTime());

        acquireExpecting(h, c);
        assertThat(h.stats()).as("leased again: active, no longer idle").isEqualTo(h2(1, 0, 0, 0, 2, 1));
        acquireExpecting(h, c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 2, 2));

        h.release(c, true);
        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 2, 0));
        assertThat(c.isClosed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void idleConnectionsAreReusedLastReleasedFirstAndFilledBeforeTheNextIsTaken(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection a = open(h, 2);
        acquireExpecting(h, a);
        FakeConnection b = h.connectMultiplexed(h.acquire(), 2);
        acquireExpecting(h, b);
        h.release(a, true);
        h.release(a, true);
        h.release(b, true);
        h.release(b, true);
        assertThat(h.stats()).isEqualTo(h2(0, 2, 0, 0, 2, 0));

        acquireExpecting(h, b);
        acquireExpecting(h, b);
        acquireExpecting(h, a);

        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictClosesMultiplexedConnectionsIdleForTheTimeout(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection a = open(h, 1);
        FakeConnection b = h.connectMultiplexed(h.acquire(), 1);
        h.release(a, true); // idle from t=0
        h.advance(Duration.ofSeconds(5));
        h.release(b, true); // idle from t=5
        h.advance(Duration.ofSeconds(5)); // t=10: a idle exactly the timeout

        assertThat(h.evict()).isEqualTo(1);

        assertThat(a.closeReasons()).containsExactly("evicted: idle timeout or max lifetime");
        assertThat(b.isClosed()).isFalse();
        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 2, 0));
        acquireExpecting(h, b);
        Waiter w = h.acquire();
        assertThat(w.mayConnect).as("a's place in the limit is free again").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionLeasedAgainIsNotEvictedForTheTimeItSpentIdleBefore(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);
        h.release(c, true); // idle from t=0
        h.advance(Duration.ofSeconds(9));
        acquireExpecting(h, c);
        h.advance(Duration.ofSeconds(5)); // t=14: in use, though last idle 14 s ago

        assertThat(h.evict()).isZero();
        assertThat(c.isClosed()).isFalse();

        h.release(c, true); // idle from t=14
        h.advance(IDLE_TIMEOUT.minusNanos(1));
        assertThat(h.evict()).isZero();
        h.advance(Duration.ofNanos(1));
        assertThat(h.evict()).isEqualTo(1);
        assertThat(c.closeCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aWaiterQueuedWhileTheConnectionWasFullGetsItWhenALeaseIsReleased(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        Waiter w = acquireQueued(h);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 1, 1, 2));

        h.release(c, true);

        assertThat(w.acquired).containsExactly(c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void waitersQueuedForAFullConnectionShareItWhenItsLastLeasesEnd(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 1);
        Waiter w1 = acquireQueued(h);
        Waiter w2 = acquireQueued(h);

        h.release(c, true);
        assertThat(w1.acquired).containsExactly(c);
        assertThat(w2.queued()).isTrue();
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 1, 1, 1));

        h.release(c, true);
        assertThat(w2.acquired).containsExactly(c);
        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 1, 0));
    }

    // ---- capacity changes ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void untilAConnectionsCapacityIsSettledFurtherRequestsWaitForItInsteadOfConnecting(Kind kind) {
        MuxPoolHarness h = harness(kind, 3);
        Waiter first = h.acquire();
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);
        Waiter w4 = acquireQueued(h);

        // Connected before the server's SETTINGS: one stream, and no more connections while it may say more.
        FakeConnection c = h.connect(first, h.newConnection().multiplexed(1).unsettled());
        assertThat(List.of(w2, w3, w4))
                .as("waiting for c's SETTINGS, not connecting: %s", h.stats())
                .allSatisfy(w -> assertThat(w.queued()).isTrue());
        Waiter late = acquireQueued(h);
        assertThat(h.stats().connecting()).isZero();

        h.settle(c, 3);

        assertThat(w2.acquired).containsExactly(c);
        assertThat(w3.acquired).containsExactly(c);
        assertThat(w4.mayConnect)
                .as("c is full once settled: w4 opens the next connection")
                .isEqualTo(1);
        assertThat(late.queued()).as("while w4's connection is in flight").isTrue();
    }

    /**
     * The connection's own flag turns true (the SETTINGS were read) before it tells the pool: a request in
     * between must still wait for that news, not find the connection full yet settled and open another.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRequestBetweenTheSettingsAndThePoolHearingOfThemWaits(Kind kind) {
        MuxPoolHarness h = harness(kind, 3);
        Waiter first = h.acquire();
        FakeConnection c = h.connect(first, h.newConnection().multiplexed(1).unsettled());

        c.settle(3); // read on the connection's loop; its capacityChanged is still to come
        Waiter between = acquireQueued(h);
        assertThat(h.stats().connecting())
                .as("no connection opened while c's news is on its way: %s", h.stats())
                .isZero();

        h.capacity(c, 3);
        assertThat(between.acquired).containsExactly(c);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionClosedBeforeItsCapacitySettledLetsTheWaitersConnect(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        Waiter first = h.acquire();
        Waiter w2 = acquireQueued(h);
        FakeConnection c = h.connect(first, h.newConnection().multiplexed(1).unsettled());
        assertThat(w2.queued()).isTrue();

        h.peerClosed(c);

        assertThat(w2.mayConnect).as("c never settled, and is gone").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void raisingTheCapacityServesQueuedWaiters(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 1);
        Waiter w1 = acquireQueued(h);
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);

        h.capacity(c, 3);

        assertThat(w1.acquired).containsExactly(c);
        assertThat(w2.acquired).containsExactly(c);
        assertThat(w3.queued()).isTrue();
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 1, 1, 3));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loweringTheCapacityStopsSharingUntilTheLeasesFallBelowIt(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 3);
        acquireExpecting(h, c);

        h.capacity(c, 2);
        Waiter w = acquireQueued(h);
        h.capacity(c, 1);
        h.release(c, true);
        assertThat(w.queued())
                .as("one lease left on a connection of capacity 1")
                .isTrue();

        h.release(c, true);

        assertThat(w.acquired).containsExactly(c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 1, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void raisingTheCapacityOfAnIdleConnectionLeavesItIdle(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        h.release(c, true);

        h.capacity(c, 5);

        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 1, 0));
        acquireExpecting(h, c);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 1, 1));
        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void goawayRetiresABusyConnectionSoAWaiterMayConnectWhileItDrains(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        Waiter w = acquireQueued(h);

        h.goaway(c);

        assertThat(w.mayConnect).as("c no longer counts against the limit of 1").isEqualTo(1);
        assertThat(c.isClosed()).as("two exchanges still run on it").isFalse();
        assertThat(h.stats()).isEqualTo(h2(1, 0, 1, 0, 1, 2));

        FakeConnection d = h.connectMultiplexed(w, 2);
        acquireExpecting(h, d);
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 1, 4));

        h.release(c, true);
        assertThat(c.isClosed()).as("one exchange still runs on it").isFalse();
        h.release(c, true);
        assertThat(c.closeCount()).as("closed with its last lease").isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 1, 2));
        acquireQueued(h);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void goawayOnAnIdleConnectionClosesItAtOnce(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        h.release(c, true);

        h.goaway(c);

        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 0, 0, 1, 0));
        assertThat(h.pool.isEmpty()).isTrue();
        Waiter w = h.acquire();
        assertThat(w.mayConnect).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void goawayOnAFullConnectionWithAQueueHandsTheQueueToTheReplacement(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 1);
        Waiter w1 = acquireQueued(h);
        Waiter w2 = acquireQueued(h);
        Waiter w3 = acquireQueued(h);

        h.goaway(c);

        assertThat(w1.mayConnect).isEqualTo(1);
        assertThat(w2.queued()).isTrue();
        FakeConnection d = h.connectMultiplexed(w1, 3);
        assertThat(w2.acquired).containsExactly(d);
        assertThat(w3.acquired).containsExactly(d);
        h.release(c, true);
        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 0, 0, 1, 3));
    }

    // ---- connections that close by themselves ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedOfALeasedConnectionRetiresItAndItsLastReleaseClosesItOnce(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        Waiter w = acquireQueued(h);

        h.peerClosed(c);
        h.peerClosed(c); // told twice: counted once

        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(1, 0, 1, 0, 1, 2));
        acquireQueued(h);

        h.release(c, true);
        assertThat(c.closeCount()).isZero();
        h.release(c, true);
        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 1, 1, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedOfAnIdleConnectionRemovesItWithoutClosingItAgain(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        h.release(c, true);

        h.peerClosed(c);

        assertThat(c.closeCount()).isZero();
        assertThat(h.stats()).isEqualTo(h2(0, 0, 0, 0, 1, 0));
        assertThat(h.pool.isEmpty()).isTrue();
        Waiter w = h.acquire();
        assertThat(w.mayConnect).isEqualTo(1);
    }

    // ---- not reusable, idle limit, lifetime ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releasingALeaseAsNotReusableRetiresTheConnection(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 3);
        acquireExpecting(h, c);

        h.release(c, false);

        assertThat(c.isClosed()).as("one exchange still runs on it").isFalse();
        Waiter w = h.acquire();
        assertThat(w.mayConnect)
                .as("c takes no new exchange and no longer counts")
                .isEqualTo(1);
        h.release(c, true);
        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 1, 0, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void maxIdlePerOriginAppliesToMultiplexedConnections(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxIdlePerOrigin(1), 2);
        FakeConnection a = open(h, 1);
        FakeConnection b = h.connectMultiplexed(h.acquire(), 1);

        h.release(a, true);
        h.release(b, true);

        assertThat(a.isClosed()).isFalse();
        assertThat(b.closeReasons()).containsExactly("idle limit reached");
        assertThat(h.stats()).isEqualTo(h2(0, 1, 0, 0, 2, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void zeroMaxIdleClosesAMultiplexedConnectionWithItsLastLease(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxIdlePerOrigin(0), 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);

        h.release(c, true);
        assertThat(c.isClosed()).isFalse();
        h.release(c, true);

        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionReleasedPastItsMaxLifetimeIsRetiredAndClosedWithItsLastLease(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxLifetime(Duration.ofSeconds(60)), 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        Waiter queued = acquireQueued(h);
        h.advance(Duration.ofSeconds(60));

        h.release(c, true);

        assertThat(queued.acquired)
                .as("an expired connection takes no new exchange")
                .isEmpty();
        assertThat(queued.mayConnect).isEqualTo(1);
        assertThat(c.isClosed()).isFalse();
        h.release(c, true);
        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 1, 0, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBusyConnectionPastItsMaxLifetimeIsNotSharedAnyMore(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxLifetime(Duration.ofSeconds(60)), 1);
        FakeConnection c = open(h, 3);
        h.advance(Duration.ofSeconds(60));

        Waiter w = h.acquire();

        assertThat(w.returned)
                .as("c is past maxLifetime: no new exchange on it")
                .isNull();
        assertThat(c.isClosed()).as("its exchange still runs").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anIdleConnectionPastItsMaxLifetimeIsClosedInsteadOfReusedAndByEvict(Kind kind) {
        MuxPoolHarness h =
                harness(kind, config().withMaxLifetime(Duration.ofSeconds(60)).withIdleTimeout(Duration.ZERO), 2);
        FakeConnection a = open(h, 1); // created t=0
        h.advance(Duration.ofSeconds(30));
        FakeConnection b = h.connectMultiplexed(h.acquire(), 1); // created t=30
        h.release(b, true);
        h.advance(Duration.ofSeconds(30)); // t=60
        h.release(a, true); // a, expired, is not kept

        assertThat(a.closeCount()).isEqualTo(1);
        assertThat(h.evict()).isZero();
        h.advance(Duration.ofSeconds(30)); // t=90: b is 60 s old
        Waiter w = h.acquire();

        assertThat(w.returned).isNull();
        assertThat(b.closeReasons()).singleElement().asString().startsWith("stale");
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 1, 0, 2, 0));
    }

    // ---- closing the pool ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeClosesIdleConnectionsAndReturnsLeasedOnesWhoseLastReleaseClosesThem(Kind kind) {
        MuxPoolHarness h = harness(kind, 3);
        FakeConnection a = open(h, 1);
        FakeConnection b = h.connectMultiplexed(h.acquire(), 2);
        acquireExpecting(h, b);
        FakeConnection c = h.connectMultiplexed(h.acquire(), 1);
        h.release(c, true);
        assertThat(h.stats()).isEqualTo(h2(2, 1, 0, 0, 3, 3));

        List<FakeConnection> busy = h.close("engine shutdown");

        assertThat(busy).containsExactlyInAnyOrder(a, b);
        assertThat(c.closeReasons()).containsExactly("engine shutdown");
        assertThat(a.isClosed()).as("leased ones are for the caller to abort").isFalse();
        assertThat(b.isClosed()).isFalse();
        assertThat(h.stats()).isEqualTo(h2(2, 0, 0, 0, 3, 3));

        h.release(b, true);
        assertThat(b.isClosed()).isFalse();
        h.release(b, true);
        h.release(a, true);
        assertThat(b.closeCount()).isEqualTo(1);
        assertThat(a.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 0, 0, 3, 0));
        assertThat(h.pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeFailsWaitersQueuedBehindAFullMultiplexedConnection(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 2);
        acquireExpecting(h, c);
        Waiter w1 = acquireQueued(h);
        Waiter w2 = acquireQueued(h);

        assertThat(h.close("engine shutdown")).containsExactly(c);

        for (Waiter w : List.of(w1, w2)) {
            assertThat(w.failures)
                    .singleElement()
                    .isInstanceOf(RequestCancelledException.class)
                    .extracting(Throwable::getMessage)
                    .asString()
                    .contains("engine shutdown");
        }
        h.release(c, true);
        h.release(c, true);
        assertThat(c.closeCount()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 0, 0, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeWhileTheFirstConnectIsInFlightFailsTheWaitersAndRefusesTheConnection(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        h.acquire();
        Waiter w2 = acquireQueued(h);

        h.close("engine shutdown");

        assertThat(w2.failures).singleElement().isInstanceOf(RequestCancelledException.class);
        FakeConnection late = new FakeConnection("late", h.ticker.nanoTime()).multiplexed(3);
        assertThatThrownBy(() -> h.pool.connected(late)).isInstanceOf(RequestCancelledException.class);
        assertThat(late.closeReasons()).containsExactly("pool closed while connecting");
        assertThat(h.pool.isEmpty()).isTrue();
        assertThat(h.stats().activeStreams()).isZero();
    }

    // ---- a script through many rules, checked at every step ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLongScriptKeepsEveryInvariant(Kind kind) {
        MuxPoolHarness h = harness(kind, config().withMaxIdlePerOrigin(1), 2);
        Waiter first = h.acquire();
        List<Waiter> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) queued.add(acquireQueued(h));
        FakeConnection c = h.connectMultiplexed(first, 2); // serves queued[0]; queued[1] may connect
        FakeConnection d = h.connectMultiplexed(queued.get(1), 3); // serves queued[2], queued[3]
        assertThat(queued.get(4).queued()).isTrue();
        h.capacity(d, 4); // serves queued[4]
        assertThat(queued.get(4).acquired).containsExactly(d);
        h.goaway(c); // c drains; a replacement may open
        Waiter replacement = h.acquire();
        assertThat(replacement.mayConnect).isEqualTo(1);
        h.release(c, true);
        h.release(c, true);
        FakeConnection e = h.connectMultiplexed(replacement, 1);
        Waiter wait = acquireQueued(h); // d full (4), e full (1)
        h.release(d, false); // d retired: wait may connect
        assertThat(wait.mayConnect).isEqualTo(1);
        h.connectFailed(wait);
        for (int i = 0; i < 3; i++) h.release(d, true);
        h.release(e, true);
        h.advance(IDLE_TIMEOUT);
        assertThat(h.evict()).isEqualTo(1);
        assertThat(h.stats()).isEqualTo(h2(0, 0, 0, 0, 2, 0));
        assertThat(List.of(c, d, e)).allSatisfy(x -> assertThat(x.closeCount()).isEqualTo(1));
        assertThat(h.pool.isEmpty()).isTrue();
    }

    // ---- another thread acting while an idle connection is validated (shared pool only) ----

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "SHARED")
    void anIdleConnectionBeingValidatedIsNotSharedWithAnotherCaller(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 3);
        h.release(c, true);
        AtomicReference<Waiter> other = new AtomicReference<>();
        c.onValidate(() -> {
            onOtherThread(() -> other.set(h.acquireUnchecked()));
            c.failsValidation(); // the peer closed it meanwhile
        });

        Waiter w = h.acquire();

        assertThat(c.validateCalls())
                .as("c came from the idle list and was validated")
                .isEqualTo(1);
        assertThat(other.get().returned)
                .as("the other caller was given the connection still being validated")
                .isNull();
        assertThat(w.mayConnect).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "SHARED")
    void aCallerArrivingWhileAnIdleConnectionIsValidatedWaitsForItInsteadOfConnecting(Kind kind) {
        MuxPoolHarness h = harness(kind, 2); // room for a second connection, which must not be opened
        FakeConnection c = open(h, 3);
        h.release(c, true);
        AtomicReference<Waiter> other = new AtomicReference<>();
        c.onValidate(() -> onOtherThread(() -> other.set(h.acquireUnchecked())));

        Waiter w = h.acquire();

        assertThat(w.returned).isSameAs(c);
        assertThat(other.get().mayConnect)
                .as("the other caller opened a connection while one with spare streams was validated")
                .isZero();
        assertThat(other.get().acquired)
                .as("the other caller shares the validated connection")
                .containsExactly(c);
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "SHARED")
    void aCallerQueuedBehindAFailedValidationGetsTheConnectionOpenedInstead(Kind kind) {
        MuxPoolHarness h = harness(kind, 2);
        FakeConnection c = open(h, 3);
        h.release(c, true);
        AtomicReference<Waiter> other = new AtomicReference<>();
        c.onValidate(() -> {
            onOtherThread(() -> other.set(h.acquireUnchecked()));
            c.failsValidation();
        });

        Waiter w = h.acquire();

        assertThat(w.mayConnect)
                .as("the first caller connects after the failed validation")
                .isEqualTo(1);
        assertThat(other.get().mayConnect)
                .as("only one connection opens at a time")
                .isZero();
        FakeConnection d = h.connectMultiplexed(w, 3);
        assertThat(other.get().acquired)
                .as("the queued caller shares the new connection")
                .containsExactly(d);
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "SHARED")
    void closedWhileAnIdleConnectionIsValidatedFreesItsPlaceOnlyOnce(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 3);
        h.release(c, true);
        c.onValidate(() -> onOtherThread(() -> {
            c.notReusable();
            h.markRetired(c);
            h.pool.closed(c);
        }));

        Waiter w = h.acquire();

        assertThat(c.validateCalls()).isEqualTo(1);
        assertThat(w.mayConnect).isEqualTo(1);
        acquireQueued(h); // limit 1, one connect under way
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "SHARED")
    void goawayWhileAnIdleConnectionIsValidatedFreesItsPlaceOnlyOnce(Kind kind) {
        MuxPoolHarness h = harness(kind, 1);
        FakeConnection c = open(h, 3);
        h.release(c, true);
        c.onValidate(() -> {
            onOtherThread(() -> {
                c.capacity(0);
                h.markRetired(c);
                h.pool.capacityChanged(c);
            });
            c.failsValidation(); // it will not carry a new exchange either
        });

        Waiter w = h.acquire();

        assertThat(c.validateCalls()).isEqualTo(1);
        assertThat(w.mayConnect).isEqualTo(1);
        acquireQueued(h); // limit 1, one connect under way
    }
}
