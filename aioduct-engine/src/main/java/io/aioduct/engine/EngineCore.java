package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.connect.SocketConfig;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.CoreCounters;
import io.aioduct.observe.ExchangeEvents;
import io.aioduct.runtime.RuntimeCompletion;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both engines share: configuration, the in-flight count, and the shutdown sequence. */
abstract class EngineCore implements HttpEngine {
    static final Logger log = LoggerFactory.getLogger(HttpEngine.class);

    final EngineConfig config;
    final boolean ownsRuntime;
    /** The guarded listener, or {@link EventListener#NONE}: then no exchange does any event bookkeeping. */
    final EventListener events;

    private final java.util.concurrent.atomic.AtomicLong connectionIds = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean closed;

    EngineCore(EngineConfig config, boolean ownsRuntime) {
        this.config = config;
        this.ownsRuntime = ownsRuntime;
        this.events = EventListener.guarded(config.eventListener());
    }

    /** Where connections of a thread-per-core runtime report opening and closing, or null. */
    @Nullable
    CoreCounters coreCounters() {
        return null;
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

    SocketConfig socketConfig(
            Origin origin, List<InetAddress> addresses, long connectNanos, @Nullable ExchangeEvents ev) {
        SocketConfig.Builder b = config.socket().toBuilder()
                .host(origin.host())
                .port(origin.port())
                .addresses(addresses)
                .connectTimeout(Duration.ofNanos(connectNanos));
        if (ev != null) b.observer(ev);
        return b.build();
    }

    @Override
    public final void close(Duration grace) {
        RuntimeCompletion runtime = runtime();
        if (closed) {
            if (ownsRuntime) runtime.close(grace);
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        stopBackgroundWork();
        awaitDrained(deadline);
        long left = inFlight.sum();
        if (left > 0) {
            log.warn(
                    "engine on {}: {} exchanges still in flight after the {} grace period; failing them",
                    runtime.name(),
                    left,
                    grace);
        }
        closePools("the engine shut down");
        awaitDrained(System.nanoTime() + Duration.ofSeconds(1).toNanos());
        if (ownsRuntime) {
            runtime.close(Duration.ofNanos(Math.max(Duration.ofMillis(200).toNanos(), deadline - System.nanoTime())));
        }
    }

    private void awaitDrained(long deadline) {
        while (inFlight.sum() > 0 && deadline - System.nanoTime() > 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the evictor. */
    abstract void stopBackgroundWork();

    /** Closes every pool, failing waiters and aborting active exchanges with {@code reason}. */
    abstract void closePools(String reason);
}
