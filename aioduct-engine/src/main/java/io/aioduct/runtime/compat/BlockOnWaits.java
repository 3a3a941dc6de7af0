package io.aioduct.runtime.compat;

import io.aioduct.RequestCancelledException;
import io.aioduct.concurrent.Completions;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The threads waiting in a compat runtime's {@code blockOn}. The stage a thread waits for counts towards
 * idleness while it waits (as tokio-compat counts {@code block_on}'s future), so {@code shutdownOnIdle} waits
 * for it; a hard stop ({@link #failAll}) ends the waits with {@link RequestCancelledException}. Failures keep
 * {@code blockOn}'s rules, and a cancellation surfaces as the engine's own {@link RequestCancelledException},
 * never as a raw {@link CancellationException}. Thread-safe.
 */
final class BlockOnWaits {
    private final String runtime;
    private final IdleTracker idle;
    private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean failed;

    BlockOnWaits(String runtime, IdleTracker idle) {
        this.runtime = runtime;
        this.idle = idle;
    }

    /**
     * Waits for {@code stage}, counted while it waits. Once the runtime has gone idle for the last time there
     * is nothing to count it against: it simply waits. Either way a hard stop ({@link #failAll}), before or
     * during the wait, ends it.
     */
    <T> T await(CompletionStage<T> stage) {
        boolean counted = idle.tryAcquire();
        CompletableFuture<T> waiter = new CompletableFuture<>();
        // In the set even when not counted: the set, not the count, is what failAll ends.
        waiting.add(waiter);
        try {
            if (failed) {
                waiter.completeExceptionally(stopped()); // failAll ran before this waiter was in the set
            }
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    waiter.completeExceptionally(failure);
                } else {
                    waiter.complete(value);
                }
            });
            return awaitFuture(waiter);
        } finally {
            waiting.remove(waiter);
            if (counted) {
                idle.release();
            }
        }
    }

    /** Waits for a legacy {@code Future} that is not a stage, counted while it waits; {@link #failAll} cannot end it. */
    <T> T await(Future<T> future) {
        boolean counted = idle.tryAcquire();
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while waiting for " + future, e);
        } catch (ExecutionException e) {
            throw asOurs(Completions.propagate(e.getCause()));
        } catch (CancellationException e) {
            throw asOurs(e);
        } finally {
            if (counted) {
                idle.release();
            }
        }
    }

    /** Ends every wait, now and to come, with {@link RequestCancelledException}: the runtime was stopped hard. */
    void failAll() {
        failed = true;
        for (CompletableFuture<?> w : waiting) {
            w.completeExceptionally(stopped());
        }
    }

    private static <T> T awaitFuture(CompletableFuture<T> future) {
        try {
            return Completions.await(future);
        } catch (CancellationException e) {
            throw asOurs(e);
        }
    }

    private static RuntimeException asOurs(RuntimeException failure) {
        return failure instanceof CancellationException
                ? new RequestCancelledException("the awaited operation was cancelled", failure)
                : failure;
    }

    private RequestCancelledException stopped() {
        return new RequestCancelledException(
                "runtime " + runtime + " was shut down (shutdownNow) while blockOn waited");
    }
}
