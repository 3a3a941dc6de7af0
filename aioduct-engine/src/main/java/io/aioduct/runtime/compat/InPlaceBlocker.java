package io.aioduct.runtime.compat;

import io.aioduct.concurrent.Completions;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import org.jspecify.annotations.Nullable;

/**
 * {@code blockInPlace}'s body as a {@link ForkJoinPool.ManagedBlocker}: {@link ForkJoinPool#managedBlock}
 * starts a spare worker while it runs, so a pooled worker can block without starving the pool. Used once,
 * by one thread.
 */
final class InPlaceBlocker<T extends @Nullable Object> implements ForkJoinPool.ManagedBlocker {
    private final Callable<T> task;
    private @Nullable T value;
    private @Nullable Throwable failure;
    private boolean done;

    InPlaceBlocker(Callable<T> task) {
        this.task = task;
    }

    @Override
    public boolean block() throws InterruptedException {
        try {
            value = task.call();
        } catch (InterruptedException e) {
            throw e;
        } catch (Throwable e) {
            failure = e;
        }
        done = true;
        return true;
    }

    @Override
    public boolean isReleasable() {
        return done;
    }

    /** The task's value; its failure rethrown unchecked as is, checked wrapped (as {@code blockOn} does). */
    @Nullable
    T result() {
        if (failure != null) {
            throw Completions.propagate(failure);
        }
        return value;
    }
}
