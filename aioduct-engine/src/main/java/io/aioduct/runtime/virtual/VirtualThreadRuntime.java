package io.aioduct.runtime.virtual;

import io.aioduct.concurrent.Completions;
import io.aioduct.concurrent.NettyModeReport;
import io.aioduct.concurrent.RuntimeThread;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.RuntimeStats;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
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
 * writes under a total timeout); it is never in the data path. It is the one thread here that must not
 * block: a wait on it would hold up every sleep and timeout of the runtime, so {@link #blockOn}, {@link
 * #close} and blocking client calls ({@link #checkMayBlock}) throw there at once, naming it.
 *
 * <p>Thread-safe. {@link #close} waits for spawned tasks within the grace period, then interrupts them;
 * called from a spawned task, it does not wait for that task itself.
 */
public final class VirtualThreadRuntime implements RuntimePoll {
    private static final Logger log = LoggerFactory.getLogger(VirtualThreadRuntime.class);

    private final ThreadFactory threads;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final Set<Thread> timerThreads = ConcurrentHashMap.newKeySet();
    private final LongAdder spawned = new LongAdder();

    private VirtualThreadRuntime(String prefix) {
        this.threads = Thread.ofVirtual().name(prefix + "-", 0).factory();
        this.timer = new ScheduledThreadPoolExecutor(
                1, RuntimeThread.factory(prefix + "-timer", false, this, -1, false, timerThreads));
        this.timer.setRemoveOnCancelPolicy(true);
        log.info("aioduct runtime {} started", name());
        NettyModeReport.logOnce(List.of()); // no native transport here, but the body codecs use Netty buffers
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
        Objects.requireNonNull(task, "task");
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
                // At most one left: close() may be waiting, perhaps called from that very task.
                if (running.size() <= 1) {
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
    public RuntimeStats stats() {
        int tasks = running.size();
        int timers = 0;
        for (Thread t : timerThreads) if (t.isAlive()) timers++;
        return new RuntimeStats("virtual", tasks + timers, spawned.sum(), tasks, 0, List.of());
    }

    /** Number of spawned tasks still running. */
    public int runningTasks() {
        return running.size();
    }

    @Override
    public CompletionStage<Void> sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledFuture<?> f = schedule(() -> done.complete(null), duration.toNanos());
        done.whenComplete((v, e) -> {
            if (done.isCancelled()) f.cancel(false);
        });
        return done;
    }

    /** Runs {@code action} on the timer thread after {@code nanos}; the action must not block. */
    public ScheduledFuture<?> schedule(Runnable action, long nanos) {
        Objects.requireNonNull(action, "action");
        return timer.schedule(action, Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for {@code stage}; see {@link io.aioduct.runtime.RuntimeCompletion#blockOn}.
     *
     * @throws IllegalStateException at once on the runtime's timer thread, naming it
     */
    @Override
    public <T> T blockOn(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        checkMayBlock("blockOn");
        return Completions.await(stage);
    }

    /** Always false: the virtual runtime has no event loop (its timer thread is guarded by {@link #checkMayBlock}). */
    @Override
    public boolean inEventLoop() {
        return false;
    }

    /**
     * Throws on the timer thread, the only thread of this runtime that must not block: a wait there would
     * stall every {@link #sleep}, timeout and watchdog until it ended. Virtual threads may block.
     */
    @Override
    public void checkMayBlock(String what) {
        if (onTimerThread()) {
            throw new IllegalStateException(what + " would block thread '"
                    + Thread.currentThread().getName()
                    + "', the timer thread of the "
                    + name() + " runtime, and stall every sleep and timeout on it until it returned; chain on the "
                    + "stage instead, or move the work to a virtual thread with spawnSend(...)");
        }
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (onTimerThread()) {
            // A first close here is refused before anything is marked closed; a repeated one only returns.
            if (closed.get()) return;
            checkMayBlock("closing the runtime");
        }
        boolean first = closed.compareAndSet(false, true);
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            while (othersRunning()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (othersRunning() && first) {
            log.warn(
                    "runtime virtual: {} spawned tasks still running after the {} grace period; interrupting them",
                    running.size(),
                    grace);
            Thread self = Thread.currentThread();
            for (Thread t : running) if (t != self) t.interrupt();
            for (Thread t : running) {
                if (t == self) continue;
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

    private boolean onTimerThread() {
        return Thread.currentThread() instanceof RuntimeThread t && t.owner() == this;
    }

    /** Whether a spawned task other than the caller's own is still running (close never waits for itself). */
    private boolean othersRunning() {
        int self = running.contains(Thread.currentThread()) ? 1 : 0;
        return running.size() > self;
    }

    @Override
    public String toString() {
        return "VirtualThreadRuntime";
    }
}
