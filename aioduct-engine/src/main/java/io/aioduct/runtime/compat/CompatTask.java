package io.aioduct.runtime.compat;

import io.aioduct.concurrent.Completions;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One unit of work on a compat runtime, and its handle: a {@link CompletableFuture} that completes with
 * the task's value, its exception, or its cancellation. Either a {@link Callable} (legacy) or a
 * supplier of a {@link CompletionStage} (new style: the task is done when that stage is).
 *
 * <p>The handle can complete before the work has <em>ended</em>: cancelling a running task completes the
 * handle at once while its body runs on until it notices the interrupt, or never does. The runtime counts
 * a task (idleness, termination) until it has ended: its body is not running and will not run, and the stage
 * an asynchronous body returned has completed (or was cancelled with the task). {@link #onEnd} is told once.
 *
 * <p>The runtime starts a task with {@link #runQueued}; {@link #run} (the {@link RunnableFuture} face) also
 * runs a task {@link #handOut handed out} by {@code shutdownNow}, which the runtime then no longer runs or
 * cancels. {@link #cancel} with {@code mayInterruptIfRunning} interrupts the thread running the body and
 * cancels the inner stage of an asynchronous task. A task completed or cancelled before it started never
 * runs. Thread-safe.
 */
class CompatTask<T> extends CompletableFuture<T> implements RunnableFuture<T> {
    // The body's lifecycle, apart from the handle's completion. A periodic task goes from RAN back to NEW.
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int RAN = 2;
    private static final int SKIPPED = 3; // completed or cancelled before it started: it never will
    // Or-ed into the state of a task that shutdownNow handed out: from then on it is its caller's.
    private static final int HANDED_OUT = 8;

    private final @Nullable Callable<? extends T> call;
    private final @Nullable Supplier<? extends CompletionStage<? extends T>> async;
    private final @Nullable CompatRuntime owner;
    private final boolean blockingThread;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean tracked = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Object runnerLock = new Object();
    private @Nullable Thread runner;
    private volatile @Nullable CompletionStage<? extends T> inner;
    // Set before inner is published, cleared once the stage completed or was cancelled with the task.
    private volatile boolean stagePending;
    private volatile @Nullable Runnable onEnd;

    /**
     * @param owner the runtime made current while the body runs, or null for none
     * @param blockingThread whether the body runs on a thread meant for blocking (the blocking pool)
     */
    CompatTask(
            @Nullable Callable<? extends T> call,
            @Nullable Supplier<? extends CompletionStage<? extends T>> async,
            @Nullable CompatRuntime owner,
            boolean blockingThread) {
        this.call = call;
        this.async = async;
        this.owner = owner;
        this.blockingThread = blockingThread;
    }

    static <T> CompatTask<T> of(Callable<? extends T> call, @Nullable CompatRuntime owner) {
        return new CompatTask<>(Objects.requireNonNull(call, "task"), null, owner, false);
    }

    static <T> CompatTask<T> ofAsync(
            Supplier<? extends CompletionStage<? extends T>> async, @Nullable CompatRuntime owner) {
        return new CompatTask<>(null, Objects.requireNonNull(async, "task"), owner, false);
    }

    /** The runtime this task belongs to, or null. */
    final @Nullable CompatRuntime owner() {
        return owner;
    }

    /** Marks the task as registered with its runtime; true only the first time. */
    final boolean markTracked() {
        return tracked.compareAndSet(false, true);
    }

    /** Tells {@code action} once, when the task has ended (see the class comment); set before the task starts. */
    final void onEnd(Runnable action) {
        onEnd = action;
        tryEnd();
    }

    /** Lets a periodic task that has just run be started again. */
    final void rearm() {
        state.compareAndSet(RAN, NEW);
    }

    /**
     * Takes a task that has not started away from the runtime (for {@code shutdownNow}'s list): the runtime's
     * queued start does nothing any more, {@link #run} runs the body on the caller's thread, and the task counts
     * as ended for the runtime now. Returns false if the task had already started or ended.
     */
    final boolean handOut() {
        if (!state.compareAndSet(NEW, NEW | HANDED_OUT)) {
            return false;
        }
        fireEnd();
        return true;
    }

    /** The runtime's start: runs the body unless the task already started, ended or was handed out. */
    final void runQueued() {
        if (state.compareAndSet(NEW, RUNNING)) {
            runClaimed(true);
        }
    }

    /** Runs the body if nobody has: a task handed out by {@code shutdownNow} runs here, outside the runtime. */
    @Override
    public final void run() {
        if (state.compareAndSet(NEW, RUNNING)) {
            runClaimed(true);
        } else if (state.compareAndSet(NEW | HANDED_OUT, RUNNING | HANDED_OUT)) {
            runClaimed(false);
        }
    }

    private void runClaimed(boolean inRuntime) {
        boolean bound = inRuntime && owner != null;
        TaskTurn turn = bound ? TaskTurn.begin(owner) : null;
        try {
            if (!isDone()) {
                runBodyOnThisThread(bound);
            }
            state.set((state.get() & HANDED_OUT) | RAN);
            afterRun();
            tryEnd();
        } finally {
            if (turn != null) {
                turn.end();
            }
        }
    }

    private void runBodyOnThisThread(boolean bound) {
        CompatContext.Binding previous = null;
        if (bound) {
            CompatRuntime runtime = Objects.requireNonNull(owner);
            boolean mayBlock = blockingThread || Thread.currentThread().isVirtual();
            previous = CompatContext.bind(new CompatContext.Binding(runtime, true, mayBlock));
            runtime.core().hooks().bodyStarting();
        }
        synchronized (runnerLock) {
            runner = Thread.currentThread();
        }
        try {
            // Looked at again now that cancel can see the runner: a cancel(true) since the caller's look found no
            // runner to interrupt, and the body, uninterrupted, could block a stop forever.
            if (!isDone()) {
                runBody();
            }
        } catch (Throwable e) {
            completeExceptionally(e);
        } finally {
            synchronized (runnerLock) {
                runner = null;
            }
            if (isCancelled()) {
                // Our own cancel may have interrupted this thread; do not let that hit the pool's next task.
                Thread.interrupted();
            }
            if (bound) {
                CompatContext.restore(previous);
            }
        }
    }

    /** Called on the running thread once the body has returned and the thread's state is restored. */
    void afterRun() {}

    /** Runs the body once; a periodic task overrides this to reschedule itself. */
    void runBody() throws Exception {
        if (call != null) {
            complete(call.call());
            return;
        }
        CompletionStage<? extends T> stage =
                Objects.requireNonNull(Objects.requireNonNull(async).get(), "the task returned a null stage");
        stagePending = true;
        inner = stage;
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                completeExceptionally(Completions.unwrap(failure));
            } else {
                complete(value);
            }
            stagePending = false;
            tryEnd();
        });
        if (isCancelled()) {
            cancelInner(stage, true);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        state.compareAndSet(NEW, SKIPPED);
        if (cancelled && mayInterruptIfRunning) {
            synchronized (runnerLock) {
                if (runner != null) {
                    runner.interrupt();
                }
            }
        }
        CompletionStage<? extends T> stage = inner;
        if (cancelled && stage != null) {
            cancelInner(stage, mayInterruptIfRunning);
        }
        tryEnd();
        return cancelled;
    }

    /**
     * The stop's claim on the task: one that has not started never will, and can no longer be {@link #handOut handed
     * out}. Returns false for a task already handed out by shutdownNow, which is its caller's and left alone. Runs
     * no callback, so the stop may call it under its lock.
     */
    final boolean claimForShutdown() {
        int s = state.get();
        while (s == NEW && !state.compareAndSet(NEW, SKIPPED)) {
            s = state.get();
        }
        return (s & HANDED_OUT) == 0;
    }

    /** The runtime's cancel when it stops: like {@link #cancel}, but a task handed out by shutdownNow is left alone. */
    final void cancelForShutdown(boolean mayInterruptIfRunning) {
        if (claimForShutdown()) {
            cancel(mayInterruptIfRunning);
        }
    }

    private void cancelInner(CompletionStage<?> stage, boolean mayInterrupt) {
        try {
            // A stage that is its own future completes here, running its dependents before we go on.
            stage.toCompletableFuture().cancel(mayInterrupt);
        } catch (UnsupportedOperationException e) {
            // A stage that cannot be turned into a future cannot be cancelled either; it runs to its end unobserved.
        }
        // Cancelled with the task: what the stage still does is no longer the task's (a copy, as a minimal
        // stage's toCompletableFuture() returns, cannot cancel the original).
        stagePending = false;
        tryEnd();
    }

    private void tryEnd() {
        int s = state.get();
        if ((s == RAN || s == SKIPPED) && !stagePending && isDone()) {
            fireEnd();
        }
    }

    private void fireEnd() {
        Runnable action = onEnd;
        if (action != null && ended.compareAndSet(false, true)) {
            action.run();
        }
    }

    @Override
    public String toString() {
        return "CompatTask[" + (call != null ? call : async) + ", " + super.toString() + "]";
    }
}
