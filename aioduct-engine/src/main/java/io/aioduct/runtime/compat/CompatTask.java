package io.aioduct.runtime.compat;

import io.aioduct.internal.Completions;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One unit of work on a compat runtime, and its handle: a {@link CompletableFuture} that completes with
 * the task's value, its exception, or its cancellation. Either a {@link Callable} (legacy) or a
 * supplier of a {@link CompletionStage} (new style: the task is done when that stage is).
 *
 * <p>{@link #cancel} with {@code mayInterruptIfRunning} interrupts the thread running the body, and
 * cancels the inner stage of an asynchronous task. Running a task that is already done does nothing, so
 * a task cancelled while queued is skipped. Thread-safe.
 */
class CompatTask<T> extends CompletableFuture<T> implements RunnableFuture<T> {
    private final @Nullable Callable<? extends T> call;
    private final @Nullable Supplier<? extends CompletionStage<? extends T>> async;
    private final @Nullable CompatRuntime owner;
    private final boolean blockingThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean tracked = new AtomicBoolean();
    private final Object runnerLock = new Object();
    private @Nullable Thread runner;
    private volatile @Nullable CompletionStage<? extends T> inner;

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

    /** Whether the body has begun (for {@code shutdownNow}'s list of tasks that never ran). */
    final boolean started() {
        return started.get();
    }

    /** Lets a periodic task run again. */
    final void rearm() {
        started.set(false);
    }

    @Override
    public final void run() {
        if (isDone() || !started.compareAndSet(false, true)) {
            return;
        }
        CompatContext.Binding previous = null;
        boolean bound = owner != null;
        if (bound) {
            boolean mayBlock = blockingThread || Thread.currentThread().isVirtual();
            previous = CompatContext.bind(new CompatContext.Binding(owner, true, mayBlock));
        }
        synchronized (runnerLock) {
            runner = Thread.currentThread();
        }
        try {
            runBody();
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
        afterRun();
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
        inner = stage;
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                completeExceptionally(Completions.unwrap(failure));
            } else {
                complete(value);
            }
        });
        if (isCancelled()) {
            cancelInner(stage, true);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (mayInterruptIfRunning) {
                synchronized (runnerLock) {
                    if (runner != null) {
                        runner.interrupt();
                    }
                }
            }
            CompletionStage<? extends T> stage = inner;
            if (stage != null) {
                cancelInner(stage, mayInterruptIfRunning);
            }
        }
        return cancelled;
    }

    private static void cancelInner(CompletionStage<?> stage, boolean mayInterrupt) {
        try {
            stage.toCompletableFuture().cancel(mayInterrupt);
        } catch (UnsupportedOperationException e) {
            // A stage that cannot be turned into a future cannot be cancelled either; it runs to its end.
        }
    }

    @Override
    public String toString() {
        return "CompatTask[" + (call != null ? call : async) + ", " + super.toString() + "]";
    }
}
