package io.aioduct.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Origin;
import io.aioduct.PoolExhaustedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.Ticker;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pool's bookkeeping, driven by hand with fake connections and a fake clock; every rule is checked
 * on both the locked (shared) and the lock-free (local) pool.
 */
class OriginPoolTest {
    private static final Origin ORIGIN = new Origin("http", "example.com", 80);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

    enum Kind {
        SHARED {
            @Override
            OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker) {
                return OriginPool.shared(ORIGIN, config, ticker);
            }
        },
        LOCAL {
            @Override
            OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker) {
                return OriginPool.local(ORIGIN, config, ticker);
            }
        };

        abstract OriginPool<FakeConnection> create(PoolConfig config, Ticker ticker);
    }

    private final FakeTicker ticker = new FakeTicker();
    private int connectionCount;

    private static PoolConfig config(int maxConnections) {
        return PoolConfig.DEFAULT
                .withMaxConnectionsPerOrigin(maxConnections)
                .withIdleTimeout(IDLE_TIMEOUT)
                .withMaxPendingAcquires(16);
    }

    private static PoolStats stats(int active, int idle, int connecting, int pending, int max) {
        return new PoolStats(ORIGIN, "http/1.1", active, idle, connecting, pending, max, 0);
    }

    private FakeConnection newConnection() {
        return new FakeConnection("c" + (++connectionCount), ticker.nanoTime());
    }

    /** Acquires with free capacity, expecting a connect permit, and reports the connect done. */
    private FakeConnection open(OriginPool<FakeConnection> pool) {
        RecordingWaiter w = new RecordingWaiter();
        assertThat(pool.acquire(w, false)).isNull();
        assertThat(w.mayConnect).as("connect permit").isEqualTo(1);
        FakeConnection c = newConnection();
        pool.connected(c);
        return c;
    }

    // ---- acquiring and reuse ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acquireOnAnEmptyPoolGrantsAConnectPermitAndCountsItAsConnecting(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, false)).isNull();

        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(w.callbacks()).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 4));
        assertThat(pool.isEmpty()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void connectedMovesTheConnectionFromConnectingToActive(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        pool.acquire(new RecordingWaiter(), false);

        pool.connected(newConnection());

        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releasedConnectionsAreReusedMostRecentlyReleasedFirst(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        FakeConnection c = open(pool);
        pool.release(a, true);
        pool.release(b, true);
        pool.release(c, true);
        assertThat(pool.stats()).isEqualTo(stats(0, 3, 0, 0, 4));

        RecordingWaiter w = new RecordingWaiter();
        assertThat(pool.acquire(w, false)).isSameAs(c);
        assertThat(pool.acquire(w, false)).isSameAs(b);
        assertThat(pool.acquire(w, false)).isSameAs(a);

        assertThat(w.callbacks()).as("an idle hit calls no waiter method").isZero();
        assertThat(List.of(a, b, c)).allSatisfy(x -> assertThat(x.isClosed()).isFalse());
        assertThat(pool.stats()).isEqualTo(stats(3, 0, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseStampsTheIdleSinceTimeFromTheTicker(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        FakeConnection a = open(pool);
        ticker.advance(Duration.ofSeconds(3));

        pool.release(a, true);

        assertThat(pool.idleSinceNanos(a)).isEqualTo(ticker.nanoTime());
    }

    // ---- the connection limit and the queue of waiters ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void connectsInProgressCountTowardsTheConnectionLimit(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        RecordingWaiter first = new RecordingWaiter();
        RecordingWaiter second = new RecordingWaiter();
        RecordingWaiter third = new RecordingWaiter();

        pool.acquire(first, false);
        pool.acquire(second, false);
        assertThat(pool.acquire(third, false)).isNull();

        assertThat(first.mayConnect).isEqualTo(1);
        assertThat(second.mayConnect).isEqualTo(1);
        assertThat(third.callbacks())
                .as("third must wait: two connects are already under way")
                .isZero();
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 2, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void activeConnectionsCountTowardsTheConnectionLimit(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        open(pool);
        open(pool);
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, false)).isNull();

        assertThat(w.callbacks()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(2, 0, 0, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueuedWaiterIsHandedTheNextReleasedReusableConnection(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);

        pool.release(a, true);

        assertThat(w.acquired).containsExactly(a);
        assertThat(w.callbacks()).isEqualTo(1);
        assertThat(a.isClosed()).isFalse();
        assertThat(pool.stats())
                .as("handed straight over: still active, never idle")
                .isEqualTo(stats(1, 0, 0, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void waitersAreServedInArrivalOrder(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter first = new RecordingWaiter();
        RecordingWaiter second = new RecordingWaiter();
        pool.acquire(first, false);
        pool.acquire(second, false);

        pool.release(a, true);

        assertThat(first.acquired).containsExactly(a);
        assertThat(second.callbacks()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 1, 1));

        pool.release(a, true);

        assertThat(second.acquired).containsExactly(a);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueuedWaiterMayConnectWhenTheReleasedConnectionIsNotReusable(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);

        pool.release(a, false);

        assertThat(a.closeReasons()).containsExactly("not reusable");
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(w.acquired).isEmpty();
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionThatSaysItIsNotReusableIsClosedEvenIfReleasedAsReusable(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);

        pool.release(a.notReusable(), true);

        assertThat(a.closeReasons()).containsExactly("not reusable");
        assertThat(w.acquired).isEmpty();
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueuedWaiterMayConnectWhenAConnectFails(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        pool.acquire(new RecordingWaiter(), false);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 1, 1));

        pool.connectFailed();

        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFailedConnectWithNobodyWaitingFreesItsCapacity(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        pool.acquire(new RecordingWaiter(), false);

        pool.connectFailed();

        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 1));
        assertThat(pool.isEmpty()).isTrue();
        RecordingWaiter next = new RecordingWaiter();
        pool.acquire(next, false);
        assertThat(next.mayConnect).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFullQueueRefusesAnotherWaiterWithPoolExhausted(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxPendingAcquires(2), ticker);
        open(pool);
        pool.acquire(new RecordingWaiter(), false);
        pool.acquire(new RecordingWaiter(), false);
        RecordingWaiter refused = new RecordingWaiter();

        assertThatThrownBy(() -> pool.acquire(refused, false))
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining(ORIGIN.toString())
                .hasMessageContaining("exhausted")
                .hasMessageContaining("1 connections in use")
                .hasMessageContaining("2 requests already waiting")
                .hasMessageContaining("maxPendingAcquires");

        assertThat(refused.callbacks()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 2, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void zeroMaxPendingAcquiresRefusesAtOnceWhenFull(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxPendingAcquires(0), ticker);
        open(pool);

        assertThatThrownBy(() -> pool.acquire(new RecordingWaiter(), false))
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("0 requests already waiting");
        assertThat(pool.stats().pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelRemovesAQueuedWaiterSoItIsNeverServed(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter gaveUp = new RecordingWaiter();
        RecordingWaiter patient = new RecordingWaiter();
        pool.acquire(gaveUp, false);
        pool.acquire(patient, false);

        assertThat(pool.cancel(gaveUp)).isTrue();
        assertThat(pool.stats().pending()).isEqualTo(1);

        pool.release(a, true);

        assertThat(gaveUp.callbacks()).isZero();
        assertThat(patient.acquired).containsExactly(a);
        assertThat(pool.cancel(gaveUp)).as("already removed").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelOfAWaiterThatWasAlreadyServedReturnsFalse(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);
        pool.release(a, true);

        assertThat(pool.cancel(w)).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelFreesARefusedSlotInTheQueue(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxPendingAcquires(1), ticker);
        open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);
        assertThatThrownBy(() -> pool.acquire(new RecordingWaiter(), false)).isInstanceOf(PoolExhaustedException.class);

        pool.cancel(w);

        assertThat(pool.acquire(new RecordingWaiter(), false)).isNull();
        assertThat(pool.stats().pending()).isEqualTo(1);
    }

    // ---- idle limit, idle timeout, lifetime ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseClosesConnectionsBeyondMaxIdle(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(3).withMaxIdlePerOrigin(1), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);

        pool.release(a, true);
        pool.release(b, true);

        assertThat(a.isClosed()).isFalse();
        assertThat(b.closeReasons()).containsExactly("idle limit reached");
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 3));
        assertThat(pool.acquire(new RecordingWaiter(), false)).isSameAs(a);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void zeroMaxIdleClosesEveryReleasedConnectionAndFreesItsCapacity(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxIdlePerOrigin(0), ticker);
        FakeConnection a = open(pool);

        pool.release(a, true);

        assertThat(a.closeReasons()).containsExactly("idle limit reached");
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 1));
        assertThat(pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictClosesOnlyConnectionsIdleForTheTimeoutOldestFirst(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        List<String> closeLog = new ArrayList<>();
        FakeConnection a = open(pool).logClosesTo(closeLog);
        FakeConnection b = open(pool).logClosesTo(closeLog);
        FakeConnection c = open(pool).logClosesTo(closeLog);
        pool.release(a, true); // idle from t=0
        ticker.advance(Duration.ofSeconds(1));
        pool.release(b, true); // idle from t=1
        ticker.advance(Duration.ofSeconds(7));
        pool.release(c, true); // idle from t=8
        ticker.advance(Duration.ofSeconds(3)); // t=11: a idle 11 s, b exactly 10 s, c 3 s

        int evicted = pool.evict();

        assertThat(evicted).isEqualTo(2);
        assertThat(closeLog)
                .containsExactly(
                        a + ": evicted: idle timeout or max lifetime", b + ": evicted: idle timeout or max lifetime");
        assertThat(c.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 4));
        assertThat(pool.acquire(new RecordingWaiter(), false)).isSameAs(c);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictClosesInOrderOfIdleTimeNotOfCreation(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        List<String> closeLog = new ArrayList<>();
        FakeConnection a = open(pool).logClosesTo(closeLog);
        FakeConnection b = open(pool).logClosesTo(closeLog);
        FakeConnection c = open(pool).logClosesTo(closeLog);
        pool.release(b, true);
        ticker.advance(Duration.ofSeconds(1));
        pool.release(a, true);
        ticker.advance(Duration.ofSeconds(1));
        pool.release(c, true);
        ticker.advance(Duration.ofMinutes(1));

        assertThat(pool.evict()).isEqualTo(3);

        assertThat(closeLog)
                .map(line -> line.substring(0, line.indexOf(':')))
                .containsExactly(b.toString(), a.toString(), c.toString());
        assertThat(pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictWithNothingExpiredReturnsZeroAndClosesNothing(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        ticker.advance(IDLE_TIMEOUT.minusNanos(1));

        assertThat(pool.evict()).isZero();

        assertThat(a.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictLeavesActiveConnectionsAlone(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        FakeConnection a = open(pool);
        ticker.advance(Duration.ofDays(1));

        assertThat(pool.evict()).isZero();

        assertThat(a.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aZeroIdleTimeoutKeepsIdleConnectionsForever(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4).withIdleTimeout(Duration.ZERO), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        ticker.advance(Duration.ofDays(1000));

        assertThat(pool.evict()).isZero();
        assertThat(pool.acquire(new RecordingWaiter(), false)).isSameAs(a);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictedCapacityCanBeUsedForNewConnections(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        ticker.advance(IDLE_TIMEOUT);
        pool.evict();

        RecordingWaiter w = new RecordingWaiter();
        assertThat(pool.acquire(w, false)).isNull();

        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictClosesIdleConnectionsPastTheirMaxLifetimeEvenIfRecentlyIdle(Kind kind) {
        OriginPool<FakeConnection> pool =
                kind.create(config(4).withMaxLifetime(Duration.ofSeconds(60)).withIdleTimeout(Duration.ZERO), ticker);
        FakeConnection old = open(pool); // created t=0
        ticker.advance(Duration.ofSeconds(30));
        FakeConnection young = open(pool); // created t=30
        ticker.advance(Duration.ofSeconds(20));
        pool.release(old, true); // both idle from t=50
        pool.release(young, true);
        ticker.advance(Duration.ofSeconds(10)); // t=60: old is exactly 60 s old

        assertThat(pool.evict()).isEqualTo(1);

        assertThat(old.closeReasons()).containsExactly("evicted: idle timeout or max lifetime");
        assertThat(young.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anIdleConnectionPastItsMaxLifetimeIsClosedInsteadOfHandedOut(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxLifetime(Duration.ofSeconds(60)), ticker);
        FakeConnection a = open(pool);
        ticker.advance(Duration.ofSeconds(59));
        pool.release(a, true);
        ticker.advance(Duration.ofSeconds(1));
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, false)).isNull();

        assertThat(a.closeReasons()).singleElement().asString().startsWith("stale");
        assertThat(w.mayConnect).as("the freed capacity goes to this caller").isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseClosesAConnectionPastItsMaxLifetime(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxLifetime(Duration.ofSeconds(60)), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);
        ticker.advance(Duration.ofSeconds(61));

        pool.release(a, true);

        assertThat(a.isClosed()).isTrue();
        assertThat(w.acquired)
                .as("an expired connection is not handed to a waiter")
                .isEmpty();
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseKeepsAConnectionYoungerThanItsMaxLifetime(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1).withMaxLifetime(Duration.ofSeconds(60)), ticker);
        FakeConnection a = open(pool);
        ticker.advance(Duration.ofSeconds(60).minusNanos(1));

        pool.release(a, true);

        assertThat(a.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anIdleConnectionPastTheIdleTimeoutIsNotHandedOutEvenBeforeTheNextEviction(Kind kind) {
        // Eviction only runs every evictionInterval; in between, acquire must still honour the timeout,
        // or a connection the server has likely dropped is reused.
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        ticker.advance(IDLE_TIMEOUT.plusSeconds(1));
        RecordingWaiter w = new RecordingWaiter();

        FakeConnection got = pool.acquire(w, false);

        assertThat(got).as("connection idle past idleTimeout").isNull();
        assertThat(a.isClosed()).isTrue();
        assertThat(w.mayConnect).isEqualTo(1);
    }

    // ---- validation on checkout ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionFailingValidationIsClosedAndTheNextIdleOneIsTried(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(4), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        pool.release(a, true);
        pool.release(b, true);
        b.failsValidation();
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, false)).isSameAs(a);

        assertThat(b.validateCalls()).isEqualTo(1);
        assertThat(b.closeReasons()).singleElement().asString().contains("stale");
        assertThat(a.validateCalls()).isEqualTo(1);
        assertThat(a.isClosed()).isFalse();
        assertThat(w.callbacks()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whenEveryIdleConnectionFailsValidationTheCallerMayConnect(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        pool.release(a, true);
        pool.release(b, true);
        a.failsValidation();
        b.failsValidation();
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, false)).isNull();

        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 2));
    }

    // ---- connections that close by themselves ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedRemovesAnIdleConnectionAndFreesItsCapacity(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        a.close("peer closed");

        pool.closed(a);

        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 1));
        assertThat(pool.isEmpty()).isTrue();
        RecordingWaiter w = new RecordingWaiter();
        assertThat(pool.acquire(w, false)).isNull();
        assertThat(w.mayConnect).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedIgnoresAnActiveConnection(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);

        pool.closed(a);

        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 1));
        pool.release(a, false);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedTwiceCountsOnlyOnce(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        pool.release(a, true);

        pool.closed(a);
        pool.closed(a);

        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 2));
        assertThat(b.isClosed()).isFalse();
    }

    // ---- fresh acquires ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFreshAcquireSkipsIdleConnections(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        FakeConnection a = open(pool);
        pool.release(a, true);
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, true)).isNull();

        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(a.isClosed()).isFalse();
        assertThat(a.validateCalls()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 1, 0, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFreshAcquireAtTheLimitRetiresTheOldestIdleConnection(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        pool.release(a, true); // oldest idle
        pool.release(b, true);
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, true)).isNull();

        assertThat(a.closeReasons()).containsExactly("retired to make room for a fresh connection");
        assertThat(b.isClosed()).isFalse();
        assertThat(w.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 1, 0, 2));

        pool.connected(new FakeConnection("fresh", ticker.nanoTime()));
        assertThat(pool.stats()).as("never over the limit").isEqualTo(stats(1, 1, 0, 0, 2));
        RecordingWaiter over = new RecordingWaiter();
        assertThat(pool.acquire(over, false)).isSameAs(b);
        pool.acquire(over, false);
        assertThat(pool.stats()).isEqualTo(stats(2, 0, 0, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFreshAcquireAtTheLimitWithNothingIdleWaits(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        FakeConnection a = open(pool);
        RecordingWaiter w = new RecordingWaiter();

        assertThat(pool.acquire(w, true)).isNull();

        assertThat(w.callbacks()).isZero();
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 1, 1));
        pool.release(a, true);
        assertThat(w.acquired).containsExactly(a);
    }

    // ---- stats through a whole life ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void statsTrackEveryStep(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2).withMaxIdlePerOrigin(1), ticker);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 2));
        assertThat(pool.isEmpty()).isTrue();

        RecordingWaiter w1 = new RecordingWaiter();
        pool.acquire(w1, false);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 1, 0, 2));

        FakeConnection a = newConnection();
        pool.connected(a);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 2));

        RecordingWaiter w2 = new RecordingWaiter();
        pool.acquire(w2, false);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 1, 0, 2));

        RecordingWaiter w3 = new RecordingWaiter();
        pool.acquire(w3, false);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 1, 1, 2));

        pool.connectFailed(); // w2's connect failed: its capacity passes to w3
        assertThat(w3.mayConnect).isEqualTo(1);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 1, 0, 2));

        FakeConnection b = newConnection();
        pool.connected(b);
        assertThat(pool.stats()).isEqualTo(stats(2, 0, 0, 0, 2));

        pool.release(a, true);
        assertThat(pool.stats()).isEqualTo(stats(1, 1, 0, 0, 2));

        pool.release(b, true); // over maxIdle: closed
        assertThat(b.isClosed()).isTrue();
        assertThat(pool.stats()).isEqualTo(stats(0, 1, 0, 0, 2));

        assertThat(pool.acquire(new RecordingWaiter(), false)).isSameAs(a);
        assertThat(pool.stats()).isEqualTo(stats(1, 0, 0, 0, 2));

        pool.release(a, false);
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 2));
        assertThat(pool.isEmpty()).isTrue();
        assertThat(pool.idleCount()).isZero();
    }

    // ---- closing the pool ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeClosesIdleConnectionsAndReturnsActiveOnes(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(3), ticker);
        FakeConnection a = open(pool);
        FakeConnection b = open(pool);
        FakeConnection c = open(pool);
        pool.release(a, true);

        List<FakeConnection> busy = pool.close("engine shutdown");

        assertThat(a.closeReasons()).containsExactly("engine shutdown");
        assertThat(busy).containsExactlyInAnyOrder(b, c);
        assertThat(b.isClosed()).as("active ones are for the caller to abort").isFalse();
        assertThat(c.isClosed()).isFalse();
        assertThat(pool.stats()).isEqualTo(stats(2, 0, 0, 0, 3));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeFailsEveryWaiterWithRequestCancelled(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        open(pool);
        RecordingWaiter w1 = new RecordingWaiter();
        RecordingWaiter w2 = new RecordingWaiter();
        pool.acquire(w1, false);
        pool.acquire(w2, false);

        pool.close("engine shutdown");

        for (RecordingWaiter w : List.of(w1, w2)) {
            assertThat(w.callbacks()).isEqualTo(1);
            assertThat(w.failures)
                    .singleElement()
                    .isInstanceOf(RequestCancelledException.class)
                    .extracting(Throwable::getMessage)
                    .asString()
                    .contains("engine shutdown");
        }
        assertThat(pool.stats().pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acquireAfterCloseThrowsRequestCancelled(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        pool.close("engine shutdown");
        RecordingWaiter w = new RecordingWaiter();

        assertThatThrownBy(() -> pool.acquire(w, false))
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining(ORIGIN.toString())
                .hasMessageContaining("closed");
        assertThat(w.callbacks()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseAfterCloseClosesTheConnectionInsteadOfKeepingIt(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        FakeConnection a = open(pool);
        pool.close("engine shutdown");

        pool.release(a, true);

        assertThat(a.isClosed()).isTrue();
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 2));
        assertThat(pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void connectedAfterCloseClosesTheNewConnectionAndThrows(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(2), ticker);
        pool.acquire(new RecordingWaiter(), false);
        pool.close("engine shutdown");
        FakeConnection late = newConnection();

        assertThatThrownBy(() -> pool.connected(late))
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("closed while connecting");

        assertThat(late.closeReasons()).containsExactly("pool closed while connecting");
        assertThat(pool.stats()).isEqualTo(stats(0, 0, 0, 0, 2));
        assertThat(pool.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void connectFailedAfterCloseServesNoWaiter(Kind kind) {
        OriginPool<FakeConnection> pool = kind.create(config(1), ticker);
        pool.acquire(new RecordingWaiter(), false);
        RecordingWaiter w = new RecordingWaiter();
        pool.acquire(w, false);
        pool.close("engine shutdown");

        pool.connectFailed();

        assertThat(w.mayConnect).isZero();
        assertThat(w.failures).hasSize(1);
        assertThat(pool.isEmpty()).isTrue();
    }
}
