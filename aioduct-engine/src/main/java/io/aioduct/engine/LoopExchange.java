package io.aioduct.engine;

import io.aioduct.AioductException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.connect.LoopTransport;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.exchange.Retry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One exchange over event-loop connections, from pool checkout to the end of the response body. It is
 * at once the pool's waiter, the connection's call and the task that hops onto the connection's loop.
 * The caller's future is a separate small object the exchange lets go of once it completes: the
 * connection keeps the exchange until the body ends, and must not keep the response reachable through
 * it, or an abandoned response could never be collected (and its connection never closed).
 *
 * <p>Threading: started on the caller's thread (or a core, for thread-per-core engines); pool and
 * connection callbacks arrive on loop threads; cancellation from anywhere. Every path ends in {@link
 * #finish()} exactly once.
 */
final class LoopExchange extends EngineExchange implements PoolWaiter<LoopConnection>, Runnable {
    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(LoopExchange.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoopDriver driver;
    /** Where this exchange's pool lives: every pool call runs there. */
    private final PoolHome<LoopConnection> host;

    private final long acquireNanos;
    private final ExchangeEvents events;
    private @Nullable OriginPool<LoopConnection> pool;
    private volatile @Nullable LoopConnection connection;
    private volatile boolean connecting;
    private boolean fresh;
    private boolean opened;
    private int attempts;
    private int requeues;
    private volatile int finished;
    private volatile @Nullable CompletableFuture<?> acquireTimer;
    private volatile @Nullable ExchangeFuture future;

    LoopExchange(
            LoopDriver driver,
            PoolHome<LoopConnection> host,
            Request request,
            ExchangeSettings settings,
            long acquireNanos,
            long now) {
        super(request, settings, now);
        this.driver = driver;
        this.host = host;
        this.acquireNanos = acquireNanos;
        this.future = new ExchangeFuture(this);
        this.events = ExchangeEvents.start(host.events(), request, host.ticker());
    }

    @Override
    public ExchangeEvents events() {
        return events;
    }

    /**
     * The caller's future: the response head, or the failure. Take it before {@link #start()}: the
     * exchange forgets it once it completes.
     */
    CompletableFuture<Response> future() {
        ExchangeFuture f = future;
        if (f == null) {
            throw new IllegalStateException("the exchange already completed; take its future before starting it");
        }
        return f;
    }

    /** Whether the caller's future is complete (answered, failed or cancelled). */
    private boolean isDone() {
        ExchangeFuture f = future;
        return f == null || f.isDone();
    }

    /** Checks out a connection, or queues, or connects. On the thread that may touch the pool. */
    void start() {
        try {
            pool = host.poolFor(request.origin(), tls);
        } catch (AioductException e) {
            fail(e); // the proxy routing threw
            return;
        }
        acquire();
    }

    private void acquire() {
        connecting = false;
        opened = false;
        events.acquireStart(request.origin());
        LoopConnection c;
        try {
            c = pool.acquire(this, fresh);
        } catch (AioductException e) {
            fail(e);
            return;
        }
        if (c != null) {
            acquired(c);
        } else if (!connecting && connection == null && !isDone()) {
            armAcquireTimer();
        }
    }

    // ---- PoolWaiter ----

    @Override
    public void acquired(LoopConnection c) {
        cancelAcquireTimer();
        connection = c;
        if (c.loop().inEventLoop()) {
            run();
        } else {
            c.loop().execute(this);
        }
    }

    /**
     * As a task: before checkout, starts the exchange (a thread-per-core engine hands it to a core this
     * way); after, starts it on the connection's loop unless it was cancelled meanwhile.
     */
    @Override
    public void run() {
        if (pool == null) {
            start();
            return;
        }
        LoopConnection c = connection;
        if (isDone()) {
            connection = null;
            pool.release(c, true);
            finish();
            return;
        }
        events.acquired(c.tag(), !opened);
        c.start(this);
    }

    @Override
    public void mayConnect() {
        connecting = true;
        cancelAcquireTimer();
        if (isDone()) {
            pool.connectFailed();
            finish();
            return;
        }
        driver.connect(pool.route(), connectLimit(now()), this, host);
    }

    @Override
    public void failed(AioductException cause) {
        fail(cause);
    }

    /** The connect succeeded; on the new channel's loop. */
    void connected(LoopTransport transport) {
        LoopConnection c;
        try {
            c = driver.newConnection(transport, pool, host);
        } catch (RuntimeException e) {
            transport.close();
            connectFailed(e);
            return;
        }
        try {
            pool.connected(c);
        } catch (RequestCancelledException e) {
            fail(e);
            return;
        }
        connection = c;
        opened = true;
        run();
    }

    /** The connect failed; on some loop or resolver thread. */
    void connectFailed(Throwable cause) {
        pool.connectFailed();
        fail(CheckoutFailures.connectFailed(request, cause, false, totalDeadline, totalNanos, now()));
    }

    // ---- ExchangeCall ----

    @Override
    public void onResponse(Response response) {
        ExchangeFuture f = future;
        future = null;
        if (f == null || !f.complete(response)) {
            // Cancelled (or completed by someone else) while the head was arriving: nobody will read it.
            response.close();
        }
    }

    @Override
    public void onFailure(Throwable failure, Retry retry) {
        connection = null;
        events.attemptFailed(failure);
        events.released();
        switch (NextAttempt.after(failure, retry, request, requeues, attempts, isDone(), host.closed())) {
            case REQUEUE -> {
                requeues++;
                acquire();
            }
            case RETRY -> {
                attempts++;
                fresh = NextAttempt.freshConnection(retry);
                events.retry(attempts, failure);
                acquire();
            }
            case FAIL -> fail(failure);
        }
    }

    @Override
    public void release(PooledConnection released, boolean reusable) {
        pool.release((LoopConnection) released, reusable);
    }

    @Override
    public void onComplete() {
        events.released();
        finish();
    }

    // ---- ending ----

    /** Ends the exchange with {@code cause} before a response was delivered. */
    void fail(Throwable cause) {
        events.failed(cause);
        ExchangeFuture f = future;
        future = null;
        if (f != null) {
            f.completeExceptionally(cause);
        }
        finish();
    }

    private void finish() {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            cancelAcquireTimer();
            events.end();
            host.finished();
        }
    }

    /** The caller cancelled its future: stop waiting, or abort on the connection. */
    @Override
    void abort() {
        future = null;
        host.onHome(() -> {
            OriginPool<LoopConnection> p = pool;
            if (p != null && p.cancel(this)) {
                finish();
                return;
            }
            LoopConnection c = connection;
            if (c != null) {
                c.cancel(this, "the request was cancelled: " + request);
            }
        });
    }

    // ---- timers ----

    private long now() {
        return host.engine().config.ticker().nanoTime();
    }

    private void armAcquireTimer() {
        long total = remainingTotal(now());
        long limit = CheckoutFailures.waitLimit(acquireNanos, total);
        if (limit == 0) {
            return;
        }
        acquireTimer = host.schedule(
                () -> {
                    if (pool.cancel(this)) {
                        fail(CheckoutFailures.waitTimedOut(request, acquireNanos, total, totalNanos));
                    }
                },
                limit);
    }

    private void cancelAcquireTimer() {
        CompletableFuture<?> t = acquireTimer;
        if (t != null) {
            acquireTimer = null;
            t.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "LoopExchange[" + request + "]";
    }
}
