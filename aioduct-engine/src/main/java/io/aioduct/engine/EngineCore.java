package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.CoreCounters;
import io.aioduct.runtime.RuntimeCompletion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine core both public faces share, composed of two strategies: a {@link PoolTopology} (shared
 * or per core: where connections live) and an {@link ExchangeDriver} (loop or blocking: how exchanges
 * run), which the face picks. Here: configuration, the open/closed state, the in-flight count, and the
 * shutdown sequence.
 */
abstract class EngineCore implements HttpEngine {
    static final Logger log = LoggerFactory.getLogger(HttpEngine.class);

    final EngineConfig config;
    final boolean ownsRuntime;
    /** The guarded listener, or {@link EventListener#NONE}: then no exchange does any event bookkeeping. */
    final EventListener events;

    private final AtomicLong connectionIds = new AtomicLong();
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean closed;

    EngineCore(EngineConfig config, boolean ownsRuntime) {
        this.config = config;
        this.ownsRuntime = ownsRuntime;
        this.events = EventListener.guarded(config.eventListener());
    }

    /** The exchange driver the face chose, over its pool topology. */
    abstract ExchangeDriver driver();

    /** Where connections of a thread-per-core runtime report opening and closing, or null. */
    @Nullable
    CoreCounters coreCounters() {
        return driver().topology().counters();
    }

    @Override
    public CompletableFuture<Response> send(Request request, ExchangeSettings settings) {
        return driver().send(request, settings);
    }

    @Override
    public Response execute(Request request, ExchangeSettings settings) {
        // Before anything is sent: a refused blocking call must not leave a request on the wire.
        runtime().checkMayBlock("execute()");
        return driver().execute(request, settings);
    }

    @Override
    public List<PoolStats> poolStats() {
        return driver().topology().stats();
    }

    @Override
    public void evictIdle() {
        driver().topology().evictIdle();
    }

    /** The next connection id: unique in this engine, in the order connections open. */
    long nextConnectionId() {
        return connectionIds.incrementAndGet();
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public long inFlight() {
        return inFlight.sum();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    boolean closed() {
        return closed;
    }

    void begin() {
        inFlight.increment();
    }

    public void finished() {
        inFlight.decrement();
    }

    /**
     * Waits on the caller's thread for the head of an exchange an event loop drives. An interrupt is the
     * caller giving up: the exchange's future is cancelled, which aborts the exchange (HTTP/1.1 connection
     * closed, HTTP/2 stream reset, lease released), and the caller gets a {@link RequestCancelledException}
     * with its interrupt flag still set. Without the cancel the exchange would stay in flight, holding its
     * connection, with nobody left to read its answer.
     */
    final Response awaitHead(Request request, CompletableFuture<Response> exchange) {
        try {
            return runtime().blockOn(exchange);
        } catch (RequestCancelledException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw e;
            }
            if (!exchange.cancel(true) && !exchange.isCompletedExceptionally()) {
                // The head arrived just as the interrupt did: nobody will read this response.
                exchange.join().close();
            }
            throw new RequestCancelledException("interrupted while waiting for the response head of " + request, e);
        }
    }

    RequestCancelledException refused() {
        return new RequestCancelledException("the engine on " + runtime().name() + " is shut down; request refused");
    }

    @Override
    public final void close(Duration grace) {
        RuntimeCompletion runtime = runtime();
        if (closed) {
            if (ownsRuntime) runtime.close(grace);
            return;
        }
        closed = true;
        long graceNanos = grace.toNanos();
        driver().topology().stopEviction();
        long waited = awaitDrained(graceNanos);
        long left = inFlight.sum();
        if (left > 0) {
            log.warn(
                    "engine on {}: {} exchanges still in flight after the {} grace period; failing them",
                    runtime.name(),
                    left,
                    grace);
        }
        driver().closePools("the engine shut down");
        awaitDrained(Duration.ofSeconds(1).toNanos());
        if (ownsRuntime) {
            runtime.close(Duration.ofNanos(Math.max(Duration.ofMillis(200).toNanos(), graceNanos - waited)));
        }
    }

    /**
     * Waits up to {@code limitNanos} for the in-flight count to reach zero; returns how long it waited. The
     * grace period is real time the caller spends, so it reads the system clock, not the engine's {@link
     * io.aioduct.Ticker}: a test's ticker held still must not stretch it, and sleeps that overshoot on a
     * loaded machine must not stretch it either (counting them would).
     */
    private long awaitDrained(long limitNanos) {
        long start = System.nanoTime();
        long waited = 0;
        while (inFlight.sum() > 0 && waited < limitNanos) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            waited = System.nanoTime() - start;
        }
        return waited;
    }
}
