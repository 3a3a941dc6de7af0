package io.aioduct.runtime.compat;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the tasks that keep a runtime busy (tokio-compat's idleness): detached spawns and legacy
 * submissions acquire, and release exactly once when they end however they end (value, exception,
 * cancellation). Once {@link #closeIfIdle} has seen zero, no task can be counted any more, so "idle, then
 * stop" has no window in which new counted work slips in. Thread-safe.
 */
final class IdleTracker {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Runnable onIdle;
    private final String owner;
    private int count;
    private boolean closed;

    /**
     * @param onIdle run (outside the lock) each time the count drops to zero; must not block
     */
    IdleTracker(String owner, Runnable onIdle) {
        this.owner = owner;
        this.onIdle = onIdle;
    }

    /**
     * Counts one more task.
     *
     * @throws RejectedExecutionException once the runtime has gone idle for the last time
     */
    void acquire() {
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("runtime " + owner + " is shut down");
            }
            count++;
        } finally {
            lock.unlock();
        }
    }

    /** Counts one more unless the runtime has gone idle for the last time; returns whether it counted. */
    boolean tryAcquire() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            count++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Uncounts one task; callers guarantee one release per acquire. */
    void release() {
        boolean nowIdle;
        lock.lock();
        try {
            if (count <= 0) {
                throw new IllegalStateException("idle count of " + owner + " released more often than acquired");
            }
            nowIdle = --count == 0;
            if (nowIdle) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (nowIdle) {
            onIdle.run();
        }
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Whether no counted task is running or pending. */
    boolean isIdle() {
        return count() == 0;
    }

    /** Refuses further counted tasks if none is running now; returns whether it did. */
    boolean closeIfIdle() {
        lock.lock();
        try {
            if (count == 0) {
                closed = true;
            }
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further counted tasks from now on, whatever is still running. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until idle or {@code nanos} have passed; returns whether idle. */
    boolean awaitIdle(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (count > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until idle, however long that takes. */
    void awaitIdle() throws InterruptedException {
        lock.lock();
        try {
            while (count > 0) {
                idle.await();
            }
        } finally {
            lock.unlock();
        }
    }
}
