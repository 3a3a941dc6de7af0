package io.aioduct.chain;

import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.RuntimePoll;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * How the chain waits before a follow-up (a retry's back-off, a {@code Retry-After}): in a blocking call on
 * the caller's own thread, so the next request is sent from it too; in an asynchronous call on the engine
 * runtime's timer, holding no thread. Tests pass their own, so nothing in them sleeps.
 */
public interface Delays {

    /** A stage that completes after {@code delay}, on a thread that may send the next request. */
    CompletionStage<Void> after(Duration delay);

    /** Waits {@code delay} on the calling thread. */
    void sleep(Duration delay) throws InterruptedException;

    /** The runtime's timers for asynchronous calls, {@link Thread#sleep} for blocking ones. */
    static Delays of(RuntimeCompletion runtime) {
        return new Delays() {
            @Override
            public CompletionStage<Void> after(Duration delay) {
                if (runtime instanceof RuntimePoll poll) return poll.sleep(delay);
                if (runtime instanceof RuntimeLocal local) return local.sleep(delay);
                return CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS));
            }

            @Override
            public void sleep(Duration delay) throws InterruptedException {
                Thread.sleep(delay);
            }
        };
    }
}
