package io.aioduct.runtime.virtual;

import io.aioduct.internal.Completions;
import io.aioduct.internal.RuntimeThread;
import io.aioduct.runtime.RuntimePoll;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual-thread runtime: one virtual thread per request and per spawned task. Requests do their
 * socket connect, write and read as plain blocking calls on that virtual thread; the JDK parks it
 * while the socket waits. There is no event loop, so nothing here forbids blocking.
 *
 * <p>One platform thread, {@code aioduct-virtual-timer}, runs timers ({@link #sleep} and watchdogs for
 * writes under a total timeout); it is never in the data path. Thread-safe. {@link #close} waits for
 * spawned tasks within the grace period, then interrupts them.
 */
public final class VirtualThreadRuntime implements RuntimePoll {
    private static final Logger log = LoggerFactory.getLogger(VirtualThreadRuntime.class);

    private final ThreadFactory threads;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final java.util.Set<Thread> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<Thread> timerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder spawned = new java.util.concurrent.atomic.LongAdder();

    private VirtualThreadRuntime(String prefix) {
        this.threads = Thread.ofVirtual().name(prefix + "-", 0).factory();
        this.timer = new ScheduledThreadPoolExecutor(
                1, RuntimeThread.factory(prefix + "-timer", false, this, -1, false, timerThreads));
        this.timer.setRemoveOnCancelPolicy(true);
        log.info("aioduct runtime {} started", name());
    }

    public static VirtualThreadRuntime create() {
        return new VirtualThreadRuntime("aioduct-virtual");
    }

    /** A runtime whose virtual threads are named {@code prefix-N}. */
    public static VirtualThreadRuntime create(String threadNamePrefix) {
        return new VirtualThreadRuntime(threadNamePrefix);
    }

    @Override
    public String name() {
        return "virtual";
    }

    @Override
    public void spawnSend(Runnable task) {
        if (closed.get()) {
            throw new RejectedExecutionException("runtime " + name() + " is closed");
        }
        Thread t = threads.newThread(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                log.error("task spawned on the virtual runtime failed", e);
            } finally {
                running.remove(Thread.currentThread());
                if (running.isEmpty()) {
                    lock.lock();
                    try {
                        idle.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        });
        // Registered before the second look at the flag, so close() either sees this task or refuses it.
        running.add(t);
        if (closed.get()) {
            running.remove(t);
            throw new RejectedExecutionException("runtime " + name() + " is closed");
        }
        spawned.increment();
        t.start();
    }

    /**
     * {@code threads}: the virtual threads it started that are still running (each spawned task is one),
     * plus its timer thread. No event loops, so no pending tasks.
     */
    @Override
    public io.aioduct.runtime.RuntimeStats stats() {
        int tasks = running.size();
        int timers = 0;
        for (Thread t : timerThreads) if (t.isAlive()) timers++;
        return new io.aioduct.runtime.RuntimeStats(
                "virtual", tasks + timers, spawned.sum(), tasks, 0, java.util.List.of());
    }

    /** Number of spawned tasks still running. */
    public int runningTasks() {
        return running.size();
    }

    @Override
    public CompletionStage<Void> sleep(Duration duration) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledFuture<?> f = schedule(() -> done.complete(null), duration.toNanos());
        done.whenComplete((v, e) -> {
            if (done.isCancelled()) f.cancel(false);
        });
        return done;
    }

    /** Runs {@code action} on the timer thread after {@code nanos}; the action must not block. */
    public ScheduledFuture<?> schedule(Runnable action, long nanos) {
        return timer.schedule(action, Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> T blockOn(CompletionStage<T> stage) {
        return Completions.await(stage);
    }

    @Override
    public boolean inEventLoop() {
        return false;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close(Duration grace) {
        boolean first = closed.compareAndSet(false, true);
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (!running.isEmpty() && first) {
            log.warn(
                    "runtime virtual: {} spawned tasks still running after the {} grace period; interrupting them",
                    running.size(),
                    grace);
            for (Thread t : running) t.interrupt();
            for (Thread t : running) {
                try {
                    t.join(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeThread.join(timerThreads, TimeUnit.SECONDS.toNanos(1));
        if (first) {
            log.info("aioduct runtime virtual stopped");
        }
    }

    @Override
    public String toString() {
        return "VirtualThreadRuntime";
    }
}
