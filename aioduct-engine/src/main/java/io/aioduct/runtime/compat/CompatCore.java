package io.aioduct.runtime.compat;

import io.aioduct.RequestCancelledException;
import io.aioduct.internal.Completions;
import io.aioduct.internal.RuntimeThread;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery under a {@link CompatRuntime}: starting and tracking tasks, counting them for idleness,
 * the timer queue on the compat thread, the blocking pool, and the stop sequence. The public class is
 * the vocabulary; this is how it works.
 *
 * <p>The compat thread runs the timers and, when asked to stop, also the stop itself: it ends its timer
 * loop once the runtime is idle (or at once for a hard stop), cancels what is left, closes the base
 * runtime and the blocking pool, and completes {@link #terminated}. Waiters then join it, so when they
 * return no thread the runtime started is alive. Thread-safe.
 */
final class CompatCore {
    // Logged under the public name, which is what users configure.
    private static final Logger log = LoggerFactory.getLogger(CompatRuntime.class);
    // A hard stop has already cancelled and interrupted every task; the base gets this long to wind down.
    private static final Duration HARD_STOP_GRACE = Duration.ofSeconds(1);

    final RuntimePoll base;
    final String name;
    private final CompatRuntime runtime;
    private final IdleTracker idle;
    private final CompatScheduler scheduler;
    private final BlockingPool blocking;
    private final Set<CompatTask<?>> live = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Thread compatThread;
    private final Runnable stopListeningToClock;
    private volatile boolean accepting = true;
    private volatile boolean stopOnIdle;
    private volatile boolean stopNow;
    private volatile Duration stopGrace = RuntimeCompletion.DEFAULT_GRACE;

    CompatCore(CompatRuntime runtime, RuntimePoll base, String prefix, CompatClock clock, int maxBlockingThreads) {
        this.runtime = runtime;
        this.base = base;
        this.name = "compat(" + base.name() + ")";
        this.scheduler = new CompatScheduler(clock);
        this.idle = new IdleTracker(name, scheduler::wake);
        this.blocking = base instanceof VirtualThreadRuntime
                ? BlockingPool.virtual(base, prefix)
                : BlockingPool.platform(prefix, maxBlockingThreads, runtime);
        this.stopListeningToClock = clock.onAdvance(scheduler::wake);
        this.compatThread = RuntimeThread.factory(prefix + "-compat", false, runtime, -1, false, new ArrayList<>())
                .newThread(this::compatThreadLoop);
        compatThread.start();
    }

    long now() {
        return scheduler.now();
    }

    /**
     * The base runtime's numbers as the compat runtime's own: every task runs on the base, so its threads,
     * spawns and queues are ours; running tasks are the compat tasks not yet finished, and the compat
     * (timer) thread counts as a thread.
     */
    io.aioduct.runtime.RuntimeStats stats() {
        io.aioduct.runtime.RuntimeStats b = base.stats();
        return new io.aioduct.runtime.RuntimeStats(
                "compat",
                Math.max(0, b.threads()) + (compatThread.isAlive() ? 1 : 0),
                b.tasksSpawned(),
                live.size(),
                b.pendingTasks(),
                b.cores());
    }

    int countedTasks() {
        return idle.count();
    }

    void awaitIdle() throws InterruptedException {
        idle.awaitIdle();
    }

    // ---- starting work ----

    /** Registers {@code task} (counted or not) and hands it to the base runtime. */
    <T, F extends CompatTask<T>> F spawn(F task, boolean counted, boolean logFailure) {
        admit(task, counted, logFailure);
        try {
            base.spawnSend(task);
        } catch (RejectedExecutionException e) {
            task.cancel(false);
            throw e;
        }
        return task;
    }

    /** Registers {@code task}, uncounted, and hands it to the blocking pool. */
    <T> CompatTask<T> spawnBlocking(CompatTask<T> task) {
        admit(task, false, false);
        try {
            blocking.execute(task);
        } catch (RejectedExecutionException e) {
            task.cancel(false);
            throw e;
        }
        return task;
    }

    <V> ScheduledTask<V> scheduleOnce(Callable<V> callable, long delayNanos) {
        ScheduledTask<V> task = ScheduledTask.once(callable, this, runtime, scheduler.deadlineAfter(delayNanos));
        admit(task, true, false);
        arm(task);
        return task;
    }

    /** Fixed rate when {@code periodNanos > 0}, fixed delay of {@code -periodNanos} when negative. */
    ScheduledTask<Void> schedulePeriodic(Runnable command, long initialDelayNanos, long periodNanos) {
        ScheduledTask<Void> task =
                ScheduledTask.periodic(command, this, runtime, scheduler.deadlineAfter(initialDelayNanos), periodNanos);
        admit(task, false, false);
        arm(task);
        return task;
    }

    CompletionStage<Void> sleep(Duration duration) {
        checkAccepting();
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompatScheduler.Entry timer = scheduler.scheduleAt(
                scheduler.deadlineAfter(duration.toNanos()), () -> handOn(() -> done.complete(null)), done);
        done.whenComplete((v, e) -> timer.cancel());
        return done;
    }

    /** Puts a periodic task back on the timer after a run; cancels it if the runtime has stopped. */
    void rearm(ScheduledTask<?> task) {
        try {
            arm(task);
        } catch (RejectedExecutionException e) {
            task.cancel(false);
        }
    }

    private void admit(CompatTask<?> task, boolean counted, boolean logFailure) {
        checkAccepting();
        if (counted) {
            idle.acquire();
        }
        task.markTracked();
        live.add(task);
        task.whenComplete((v, failure) -> {
            live.remove(task);
            if (counted) {
                idle.release();
            }
            if (logFailure && failure != null && !task.isCancelled()) {
                log.error("task spawned on {} failed", name, failure);
            }
        });
    }

    private void arm(ScheduledTask<?> task) {
        try {
            task.armed(scheduler.scheduleAt(task.deadline(), () -> handOn(task), task));
        } catch (RejectedExecutionException e) {
            task.cancel(false);
            throw e;
        }
    }

    /** Runs a fired timer's work on the base runtime, never on the compat thread. */
    private void handOn(Runnable work) {
        if (work instanceof CompatTask<?> task && task.isDone()) {
            return;
        }
        // Bound as a task of this runtime, so callbacks see current() and the blockOn checks.
        Runnable bound = work instanceof CompatTask<?> ? work : CompatTask.of(Executors.callable(work), runtime);
        try {
            base.spawnSend(bound);
        } catch (RejectedExecutionException e) {
            if (work instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }

    // ---- checks ----

    void checkAccepting() {
        if (!accepting) {
            throw new RejectedExecutionException("runtime " + name + " is shut down");
        }
    }

    void checkMayBlock(String what) {
        Completions.checkMayBlock(base.inEventLoop(), what);
        CompatContext.Binding b = CompatContext.get();
        if (b != null && b.runtime() == runtime && !b.mayBlock()) {
            throw new IllegalStateException(
                    what + " called on thread '" + Thread.currentThread().getName()
                            + "', a worker of runtime " + name + ": waiting there can starve or deadlock the runtime "
                            + "(the awaited work may need this very worker); chain on the stage instead, or wait inside "
                            + "spawnBlocking(...) or blockInPlace(...)");
        }
    }

    void checkNotInOwnTask(String what) {
        Completions.checkMayBlock(base.inEventLoop(), what);
        CompatContext.Binding b = CompatContext.get();
        if ((b != null && b.runtime() == runtime && b.inTask()) || Thread.currentThread() == compatThread) {
            throw new IllegalStateException(
                    what + " called from thread '" + Thread.currentThread().getName() + "', inside a task of runtime "
                            + name + ": it would wait for itself");
        }
    }

    // ---- stopping ----

    /** Stops once idle; with {@code refuseNewWork} nothing new is accepted meanwhile (legacy shutdown). */
    void stopWhenIdle(boolean refuseNewWork, Duration grace) {
        stopGrace = grace;
        if (refuseNewWork) {
            accepting = false;
        }
        stopOnIdle = true;
        scheduler.wake();
    }

    /** Stops at once; returns the tasks that never started. */
    List<Runnable> stopNow() {
        accepting = false;
        stopGrace = HARD_STOP_GRACE;
        stopNow = true;
        List<Runnable> neverRan = new ArrayList<>();
        for (CompatTask<?> t : live) {
            if (!t.started()) {
                neverRan.add(t);
            }
            t.cancel(true);
        }
        scheduler.wake();
        return neverRan;
    }

    boolean isShutdown() {
        return !accepting || stopOnIdle || stopNow;
    }

    boolean isTerminated() {
        return terminated.isDone() && !compatThread.isAlive();
    }

    /** Waits up to {@code nanos} ({@link Long#MAX_VALUE}: forever) for the stop to finish and its thread to end. */
    boolean awaitTerminated(long nanos) {
        try {
            if (nanos == Long.MAX_VALUE) {
                terminated.get();
            } else {
                terminated.get(nanos, TimeUnit.NANOSECONDS);
            }
            compatThread.join();
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while waiting for " + name + " to stop", e);
        } catch (ExecutionException e) {
            throw Completions.propagate(e.getCause());
        }
    }

    /** Checked by the timer loop under its lock after every wake-up. */
    private boolean timeToStop() {
        if (stopNow || (stopOnIdle && idle.closeIfIdle())) {
            accepting = false;
            return true;
        }
        return false;
    }

    /** The compat thread: timers until it is time to stop, then the stop itself. */
    private void compatThreadLoop() {
        List<Future<?>> unfired = List.of();
        try {
            unfired = scheduler.runUntil(this::timeToStop);
        } catch (RuntimeException | Error e) {
            log.error("the compat thread of {} failed; stopping the runtime", name, e);
        }
        try {
            accepting = false;
            idle.close();
            unfired.forEach(f -> f.cancel(false));
            live.forEach(t -> t.cancel(true));
            base.close(stopGrace);
            blocking.close(stopGrace);
            stopListeningToClock.run();
            log.info("aioduct runtime {} stopped", name);
            terminated.complete(null);
        } catch (RuntimeException | Error e) {
            terminated.completeExceptionally(e);
            throw e;
        }
    }
}
