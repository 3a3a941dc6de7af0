package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeCompletion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs HTTP exchanges on one runtime through one connector, pooling connections per origin. Clients
 * ({@link io.aioduct.AioductClient}) send through an engine; many clients may share one.
 *
 * <p>Threading: thread-safe. Lifecycle: whoever creates an engine closes it; an engine made by {@link
 * io.aioduct.Aioduct} also owns and closes its runtime. {@link #close(Duration)} refuses new requests,
 * lets in-flight ones finish within the grace period, fails the rest with {@link
 * io.aioduct.RequestCancelledException}, closes every connection and (if owned) the runtime.
 */
public interface HttpEngine extends AutoCloseable {

    /** The runtime the engine's work runs on. */
    RuntimeCompletion runtime();

    EngineConfig config();

    /**
     * Sends {@code request} without blocking the caller. The future completes with the response head
     * (the body streams after) on an engine thread, or fails with an {@link io.aioduct.AioductException}.
     * Cancelling it aborts the exchange and releases its connection.
     */
    CompletableFuture<Response> send(Request request, ExchangeSettings settings);

    /**
     * Sends {@code request} and waits for the response head. On the virtual-thread runtime the whole
     * exchange runs inline on the calling thread.
     *
     * @throws IllegalStateException on one of the engine's event-loop threads, where blocking is forbidden
     */
    Response execute(Request request, ExchangeSettings settings);

    /** A snapshot of every origin pool. */
    List<PoolStats> poolStats();

    /**
     * Closes idle connections past the idle timeout or max lifetime now, as the background sweep does
     * every eviction interval (useful with an injected {@link io.aioduct.Ticker}). Waits for the sweep.
     */
    void evictIdle();

    /** Exchanges started and not yet finished (response body fully received, or failed). */
    long inFlight();

    boolean isClosed();

    @Override
    default void close() {
        close(RuntimeCompletion.DEFAULT_GRACE);
    }

    void close(Duration grace);
}
