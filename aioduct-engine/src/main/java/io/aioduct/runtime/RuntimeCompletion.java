package io.aioduct.runtime;

import io.aioduct.concurrent.Completions;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The base of the runtime hierarchy: something that can drive work to completion and be shut down.
 * Every runtime implements it, through {@link RuntimePoll} or {@link RuntimeLocal}.
 *
 * <p>Threading: all methods are thread-safe. {@link #blockOn} and {@link #close} must not be called on a
 * thread of the runtime that must not block (its event loops, the virtual runtime's timer thread); they
 * throw there at once, naming the thread, instead of stalling or deadlocking it.
 *
 * <p>Lifecycle: whoever creates a runtime closes it. {@link #close(Duration)} lets running tasks
 * finish within the grace period, then interrupts or abandons them, and returns once every thread the
 * runtime started has ended. Closing is idempotent.
 */
public interface RuntimeCompletion extends AutoCloseable {

    /** The grace period {@link #close()} gives running work. */
    Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /** A short name saying what runs here, e.g. {@code pooled(epoll)}; logged at start-up. */
    String name();

    /**
     * Waits for {@code stage} and returns its value. A stage that failed with an unchecked exception
     * rethrows that exception; a checked cause is wrapped in an {@code AioductException}.
     *
     * @throws IllegalStateException at once if called on a thread of this runtime that must not block (see
     *     {@link #checkMayBlock})
     * @throws io.aioduct.RequestCancelledException if the waiting thread is interrupted (its interrupt
     *     flag stays set)
     */
    <T> T blockOn(CompletionStage<T> stage);

    /**
     * The wait a runtime's {@link #blockOn} performs once it has checked that the calling thread may block:
     * waits for {@code stage} and reports its outcome as the engine does everywhere (a failure's
     * {@code CompletionException} wrapper removed, a checked cause wrapped in an {@link
     * io.aioduct.AioductException}, an interrupt or a cancellation as {@link
     * io.aioduct.RequestCancelledException} with the interrupt flag kept). For runtime authors.
     */
    static <T> T await(CompletionStage<T> stage) {
        return Completions.await(stage);
    }

    /** Whether the calling thread is one of this runtime's event-loop threads, where blocking is forbidden. */
    boolean inEventLoop();

    /**
     * Throws at once, naming the thread, if the calling thread must not block on this runtime: its event
     * loops always, and whatever other threads the runtime reserves (a compat runtime's busy workers).
     * {@link #blockOn} and blocking client calls check this before they start anything.
     *
     * @param what the blocking call, for the message (e.g. {@code "execute()"})
     * @throws IllegalStateException if blocking here is forbidden
     */
    default void checkMayBlock(String what) {
        io.aioduct.concurrent.Completions.checkMayBlock(inEventLoop(), what);
    }

    /** Whether {@link #close} has been called. */
    boolean isClosed();

    /**
     * What the runtime is doing now, for metrics. Built-in runtimes report real values; the default, for
     * runtimes that track nothing, reports {@code -1} counts and no cores.
     */
    default RuntimeStats stats() {
        return new RuntimeStats(name(), -1, -1, -1, -1, java.util.List.of());
    }

    /** Shuts down with the {@link #DEFAULT_GRACE default grace period}. */
    @Override
    default void close() {
        close(DEFAULT_GRACE);
    }

    /** Stops accepting work, lets running work finish within {@code grace}, then stops every thread. */
    void close(Duration grace);
}
