package io.aioduct.engine;

import io.aioduct.AioductException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.concurrent.Completions;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.exchange.Retry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One exchange over blocking-socket connections, run start to finish on the calling thread: pool
 * checkout (waiting if the pool is full), connect, write, read the head. On the virtual runtime that
 * thread is the request's virtual thread and every wait only parks it.
 */
final class BlockingExchange extends EngineExchange implements PoolWaiter<BlockingConnection> {
    /** Marks "you may connect" in {@link #handoff}. */
    private static final Object CONNECT = new Object();

    private final EngineCore engine;
    private final BlockingDriver driver;
    private final ExchangeEvents events;
    private boolean opened;
    private volatile CompletableFuture<Object> handoff = new CompletableFuture<>();
    private volatile @Nullable BlockingConnection connection;
    private volatile @Nullable OriginPool<BlockingConnection> waitingIn;
    private volatile boolean aborted;
    private int requeues;
    private @Nullable CompletableFuture<?> watchdog;
    private boolean done;
    /** How the connection judged the last failed attempt ({@link #onFailure}); NEVER until it says otherwise. */
    private Retry lastRetry = Retry.NEVER;
    /**
     * The pool of the route the last acquire took (the routing is asked per acquire): its connection goes
     * back there, whatever the routing says by then.
     */
    private @Nullable OriginPool<BlockingConnection> acquiredFrom;

    BlockingExchange(EngineCore engine, BlockingDriver driver, Request request, ExchangeSettings settings) {
        super(request, settings, engine.config.ticker().nanoTime());
        this.engine = engine;
        this.driver = driver;
        this.events = ExchangeEvents.start(engine.events, request, engine.config.ticker());
    }

    @Override
    public ExchangeEvents events() {
        return events;
    }

    /** Runs the exchange; the engine's in-flight count is already up and goes down when it ends. */
    Response run() {
        try {
            if (totalNanos > 0) {
                watchdog = driver.schedule(this::expire, totalNanos);
            }
            boolean fresh = false;
            for (int attempt = 0; ; attempt++) {
                BlockingConnection c = acquire(fresh);
                connection = c;
                if (aborted) {
                    // Cancelled while waiting or connecting: the connection goes back unused.
                    connection = null;
                    pool().release(c, true);
                    throw cancelled();
                }
                events.acquired(c.tag(), !opened);
                lastRetry = Retry.NEVER;
                try {
                    return c.exchange(this, driver.callbacks());
                } catch (AioductException e) {
                    connection = null;
                    events.attemptFailed(e);
                    events.released();
                    Retry retry = lastRetry;
                    // An interrupt is the caller giving up, like a cancelled future.
                    boolean gaveUp = aborted || Thread.currentThread().isInterrupted();
                    switch (NextAttempt.after(e, retry, request, requeues, attempt, gaveUp, engine.closed())) {
                        case REQUEUE -> {
                            // Nothing was sent: another connection, without using up the one retry.
                            requeues++;
                            attempt--;
                            continue;
                        }
                        case RETRY -> {
                            fresh = NextAttempt.freshConnection(retry);
                            events.retry(1, e);
                            continue;
                        }
                        case FAIL -> {}
                    }
                    throw e;
                } catch (RuntimeException e) {
                    connection = null;
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            events.failed(e);
            events.end();
            complete();
            throw e;
        }
    }

    /** The exchange is over (body ended, aborted or failed): stop the watchdog, count it done. */
    private void complete() {
        events.endUnlessRetrying(); // once-only by itself
        synchronized (this) {
            if (done) return;
            done = true;
        }
        CompletableFuture<?> w = watchdog;
        if (w != null) w.cancel(false);
        engine.finished();
    }

    /** The total timeout fired: close the socket under the blocked thread. */
    private void expire() {
        BlockingConnection c = connection;
        if (c != null) c.expire();
    }

    /**
     * Aborts the exchange from another thread (its future was cancelled): a request waiting for a
     * connection leaves the queue, one on a connection has it closed under it, one connecting gives
     * its connection back unused.
     */
    @Override
    void abort() {
        aborted = true;
        BlockingConnection c = connection;
        if (c != null) {
            c.cancel(this, "the request was cancelled: " + request);
            return;
        }
        OriginPool<BlockingConnection> pool = waitingIn;
        if (pool != null && pool.cancel(this)) {
            handoff.completeExceptionally(cancelled());
        }
    }

    private RequestCancelledException cancelled() {
        return new RequestCancelledException("the request was cancelled: " + request);
    }

    private BlockingConnection acquire(boolean fresh) {
        OriginPool<BlockingConnection> pool = driver.pool(request.origin(), tls);
        acquiredFrom = pool;
        opened = false;
        events.acquireStart(request.origin());
        if (handoff.isDone()) {
            handoff = new CompletableFuture<>();
        }
        BlockingConnection c = pool.acquire(this, fresh);
        if (c != null) {
            return c;
        }
        Object got;
        if (handoff.isDone()) {
            got = handoff.join();
        } else {
            waitingIn = pool;
            if (aborted && pool.cancel(this)) {
                throw cancelled();
            }
            got = await(pool);
            waitingIn = null;
        }
        if (got != CONNECT) {
            return (BlockingConnection) got;
        }
        return connect(pool);
    }

    private Object await(OriginPool<BlockingConnection> pool) {
        long acquire = engine.config.pool().acquireTimeout().toNanos();
        long total = remainingTotal(now());
        long limit = CheckoutFailures.waitLimit(acquire, total);
        try {
            return limit == 0 ? handoff.get() : handoff.get(limit, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (pool.cancel(this)) {
                throw CheckoutFailures.waitTimedOut(request, acquire, total, totalNanos);
            }
            return handoff.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (pool.cancel(this)) {
                throw CheckoutFailures.waitInterrupted(e);
            }
            return handoff.join();
        } catch (ExecutionException e) {
            throw Completions.propagate(e.getCause());
        }
    }

    private BlockingConnection connect(OriginPool<BlockingConnection> pool) {
        BlockingTransport transport;
        try {
            transport = driver.dial(pool.route(), request, connectLimit(now()), events);
        } catch (RuntimeException e) {
            pool.connectFailed();
            throw CheckoutFailures.connectFailed(
                    request, e, Thread.currentThread().isInterrupted(), totalDeadline, totalNanos, now());
        }
        BlockingConnection c;
        try {
            c = driver.newConnection(transport, pool);
        } catch (RuntimeException e) {
            transport.close();
            pool.connectFailed();
            throw e;
        }
        pool.connected(c);
        opened = true;
        return c;
    }

    private OriginPool<BlockingConnection> pool() {
        OriginPool<BlockingConnection> p = acquiredFrom;
        if (p == null) throw new IllegalStateException("no connection was acquired for " + request);
        return p;
    }

    private long now() {
        return engine.config.ticker().nanoTime();
    }

    // ---- PoolWaiter: hand the result to the waiting thread ----

    @Override
    public void acquired(BlockingConnection c) {
        handoff.complete(c);
    }

    @Override
    public void mayConnect() {
        handoff.complete(CONNECT);
    }

    @Override
    public void failed(AioductException cause) {
        handoff.completeExceptionally(cause);
    }

    // ---- ExchangeCall: what the connection reports (on this thread, or for a body on its reader) ----

    /** The response is also returned by {@link BlockingConnection#exchange}: nothing to do here. */
    @Override
    public void onResponse(Response response) {}

    /** The attempt failed before its response; the connection throws right after, and {@link #run} decides. */
    @Override
    public void onFailure(Throwable failure, Retry retry) {
        lastRetry = retry;
    }

    @Override
    public void release(PooledConnection released, boolean reusable) {
        // Possibly on an HTTP/2 reader thread, after this exchange's own thread moved on: only the argument
        // says which connection this was (the field may already hold the next attempt's, or nothing).
        pool().release((BlockingConnection) released, reusable);
    }

    @Override
    public void onComplete() {
        complete();
    }
}
