package io.aioduct.runtime.compat;

import io.aioduct.RequestCancelledException;
import io.aioduct.concurrent.Completions;
import io.aioduct.concurrent.RuntimeThread;
import io.aioduct.runtime.ChannelRuntime;
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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery under a {@link CompatRuntime}: starting and tracking tasks, counting them for idleness,
 * the timer queue on the compat thread, the blocking pool, and the stop sequence. The public class is
 * the vocabulary; this is how it works.
 *
 * <p>A task counts (idleness) and is live (termination) until it has <em>ended</em> (see {@link CompatTask}),
 * not merely until its handle completed: a cancelled task whose body still runs keeps both. The count comes
 * back after the turn in which the task ended ({@link #afterTurn}), so callbacks its stage runs may still spawn.
 *
 * <p>The compat thread runs the timers and, when asked to stop, also the stop itself: it ends its timer
 * loop once the runtime is idle (or at once for a hard stop), cancels what is left, waits until every task
 * has ended, closes the base runtime and the blocking pool, and completes {@link #terminated}. Waiters then
 * join it, so when they return no task is running and no thread the runtime started is alive. Thread-safe.
 *
 * <p><b>Admission against the stop.</b> Registering a task (the accepting check and the entry in {@link #live})
 * holds the read side of {@link #stopLock}; the two places that decide what becomes of the registered tasks hold
 * the write side: {@link #stopNow} (refuse, then hand out or claim every task) and the compat thread's stop
 * (refuse, then claim every task). So a task is either registered before a stop looks at {@link #live}, and is
 * handed out or cancelled by it, or refused: none slips in after the stop has claimed the tasks and is waiting for
 * them to end, and a {@code shutdownNow} and the compat thread's stop never claim the same tasks at once (which of
 * them hands a task out and which cancels it is decided by who takes the lock first). Nothing that runs a user's
 * callback (completing or cancelling a task's future) runs under the lock: a callback that spawns, or waits for a
 * thread that spawns, would otherwise deadlock.
 *
 * <p>Over 500 lines: admission and the stop sequence are ordered by that one lock, and are read together.
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
    final BlockOnWaits waits;
    private final ReentrantLock endLock = new ReentrantLock();
    private final Condition allEnded = endLock.newCondition();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Thread compatThread;
    private final Runnable stopListeningToClock;
    // See the class comment: admission takes the read lock, the two stops the write lock.
    private final ReentrantReadWriteLock stopLock = new ReentrantReadWriteLock();
    private final CompatHooks hooks;
    private volatile boolean accepting = true;
    private volatile boolean stopOnIdle;
    private volatile boolean stopNow;
    private volatile Duration stopGrace = RuntimeCompletion.DEFAULT_GRACE;

    CompatCore(
            CompatRuntime runtime,
            RuntimePoll base,
            String prefix,
            CompatClock clock,
            int maxBlockingThreads,
            CompatHooks hooks) {
        this.runtime = runtime;
        this.hooks = hooks;
        this.base = base;
        this.name = "compat(" + base.name() + ")";
        this.scheduler = new CompatScheduler(clock);
        this.idle = new IdleTracker(name, scheduler::wake);
        this.waits = new BlockOnWaits(name, idle);
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
            base.spawnSend(task::runQueued);
        } catch (RejectedExecutionException e) {
            refused(task, e);
        }
        return task;
    }

    /** Registers {@code task}, uncounted, and hands it to the blocking pool. */
    <T> CompatTask<T> spawnBlocking(CompatTask<T> task) {
        admit(task, false, false);
        try {
            blocking.execute(task::runQueued);
        } catch (RejectedExecutionException e) {
            refused(task, e);
        }
        return task;
    }

    <V> ScheduledTask<V> scheduleOnce(Callable<V> callable, long delayNanos) {
        ScheduledTask<V> task = ScheduledTask.once(callable, this, runtime, scheduler.deadlineAfter(delayNanos));
        admit(task, true, false);
        try {
            arm(task);
        } catch (RejectedExecutionException e) {
            refused(task, e);
        }
        return task;
    }

    /** Fixed rate when {@code periodNanos > 0}, fixed delay of {@code -periodNanos} when negative. */
    ScheduledTask<Void> schedulePeriodic(Runnable command, long initialDelayNanos, long periodNanos) {
        ScheduledTask<Void> task =
                ScheduledTask.periodic(command, this, runtime, scheduler.deadlineAfter(initialDelayNanos), periodNanos);
        admit(task, false, false);
        try {
            arm(task);
        } catch (RejectedExecutionException e) {
            refused(task, e);
        }
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
            task.cancelForShutdown(false);
        }
    }

    /**
     * Registers {@code task} unless the runtime refuses work, under the read side of {@link #stopLock}: a stop
     * (write side) sees it in {@link #live} or this refuses it. Handing it to a thread comes after, outside the lock.
     */
    private void admit(CompatTask<?> task, boolean counted, boolean logFailure) {
        stopLock.readLock().lock();
        try {
            checkAccepting();
            hooks.admissionChecked();
            if (counted) {
                idle.acquire();
            }
            task.markTracked();
            live.add(task);
            // Before the lock is let go: a shutdownNow handing the task out must find whom to tell it ended.
            task.onEnd(() -> afterTurn(() -> ended(task, counted)));
        } finally {
            stopLock.readLock().unlock();
        }
        if (logFailure) {
            task.whenComplete((v, failure) -> {
                if (failure != null && !task.isCancelled()) {
                    log.error("task spawned on {} failed", name, failure);
                }
            });
        }
    }

    /**
     * A registered task its thread refused (the base or the blocking pool has closed, or the timer has stopped): the
     * task is cancelled and the caller told, unless a {@code shutdownNow} already handed it out, and it is in that
     * list for its caller to run. As with {@code ThreadPoolExecutor}, a task is rejected, run, or handed out: one
     * of the three.
     */
    private void refused(CompatTask<?> task, RejectedExecutionException e) {
        if (task.claimForShutdown()) {
            task.cancel(false);
            throw e;
        }
    }

    private void ended(CompatTask<?> task, boolean counted) {
        live.remove(task);
        if (counted) {
            idle.release();
        }
        if (live.isEmpty()) {
            endLock.lock();
            try {
                allEnded.signalAll();
            } finally {
                endLock.unlock();
            }
        }
    }

    /**
     * Runs {@code action} once the current piece of work on this thread is over: at the end of the runtime
     * task running here, or of the pooled base's event-loop task (by queueing it on that loop). A stage runs
     * its dependents on the thread that completes it, newest first, so a task's own completion handler runs
     * before the callbacks the task attached; they may spawn, and must find the task still counted. On any
     * other thread (one outside the runtime completed the stage) it runs at once.
     */
    private void afterTurn(Runnable action) {
        if (TaskTurn.defer(runtime, action)) {
            return;
        }
        if (base.inEventLoop() && base instanceof ChannelRuntime loops) {
            try {
                loops.connectLoop().execute(action);
                return;
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: it runs nothing more, so nothing can follow the action there.
            }
        }
        action.run();
    }

    private void arm(ScheduledTask<?> task) {
        task.armed(scheduler.scheduleAt(task.deadline(), () -> handOn(task), task));
    }

    /** Runs a fired timer's work on the base runtime, never on the compat thread. */
    private void handOn(Runnable work) {
        if (work instanceof CompatTask<?> task && task.isDone()) {
            return;
        }
        // Bound as a task of this runtime, so callbacks see current() and the blockOn checks, and run in a turn.
        CompatTask<?> bound = work instanceof CompatTask<?> t ? t : CompatTask.of(Executors.callable(work), runtime);
        try {
            base.spawnSend(bound::runQueued);
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

    /**
     * Stops at once: tasks that never started are taken off the runtime and returned (running one runs its
     * work, on the caller's thread), except periodic ones, which stop with the runtime; every other task is
     * cancelled, running ones interrupted; blockOn waits fail.
     */
    List<Runnable> stopNow() {
        List<Runnable> neverRan = new ArrayList<>();
        List<CompatTask<?>> claimed = new ArrayList<>();
        // Under the lock only what runs no user code: deciding, per task, whether it is handed out or cancelled.
        stopLock.writeLock().lock();
        try {
            accepting = false;
            stopGrace = HARD_STOP_GRACE;
            stopNow = true;
            hooks.stopNowDecided();
            for (CompatTask<?> t : live) {
                boolean periodic = t instanceof ScheduledTask<?> s && s.isPeriodic();
                if (!periodic && t.handOut()) {
                    if (t instanceof ScheduledTask<?> s) {
                        s.disarm();
                    }
                    neverRan.add(t);
                } else if (t.claimForShutdown()) {
                    claimed.add(t);
                }
            }
        } finally {
            stopLock.writeLock().unlock();
        }
        // Cancelling completes futures, which runs their callbacks: on this thread, outside the lock.
        for (CompatTask<?> t : claimed) {
            t.cancel(true);
        }
        waits.failAll();
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

    /**
     * Waits until no task is live: each was cancelled (running ones interrupted), but a body that ignores its
     * interrupt runs on, and the runtime is not terminated while it does (as {@code ExecutorService} promises).
     */
    private void awaitEveryTaskEnded() {
        long warnAt = System.nanoTime() + stopGrace.toNanos();
        boolean warned = false;
        endLock.lock();
        try {
            while (!live.isEmpty()) {
                long left = warnAt - System.nanoTime();
                if (warned) {
                    allEnded.awaitUninterruptibly();
                } else if (left > 0) {
                    awaitQuietly(left);
                } else {
                    warned = true;
                    log.warn(
                            "runtime {}: {} cancelled tasks still running {} after the stop; it terminates once they "
                                    + "have ended: {}",
                            name,
                            live.size(),
                            stopGrace,
                            live);
                }
            }
        } finally {
            endLock.unlock();
        }
    }

    private void awaitQuietly(long nanos) {
        try {
            allEnded.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // Nobody interrupts the compat thread; were it done, the wait must still go on to the end.
        }
    }

    /**
     * The compat thread's half of the stop, under the write lock: refuses work from now on (counted work too) and
     * claims every registered task not handed out, so none starts and none is handed out any more. Returns them to
     * be cancelled outside the lock. A {@code shutdownNow} that took the lock first has handed out the others.
     */
    private List<CompatTask<?>> claimWhatIsLeft() {
        hooks.stopClaiming();
        List<CompatTask<?>> claimed = new ArrayList<>();
        stopLock.writeLock().lock();
        try {
            accepting = false;
            idle.close();
            for (CompatTask<?> t : live) {
                if (t.claimForShutdown()) {
                    claimed.add(t);
                }
            }
        } finally {
            stopLock.writeLock().unlock();
        }
        return claimed;
    }

    CompatHooks hooks() {
        return hooks;
    }

    /** Whether a stop is waiting for the admissions under way to finish (for tests that force an interleaving). */
    boolean stopWaitsForAdmission() {
        return stopLock.hasQueuedThreads();
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
            List<CompatTask<?>> claimed = claimWhatIsLeft();
            // Outside the lock: cancelling runs the futures' callbacks, which may spawn (and are refused).
            for (Future<?> f : unfired) {
                if (f instanceof CompatTask<?> t) {
                    if (t.claimForShutdown()) {
                        t.cancel(false);
                    }
                } else {
                    f.cancel(false);
                }
            }
            for (CompatTask<?> t : claimed) {
                t.cancel(true);
            }
            if (stopNow) {
                waits.failAll();
            }
            stopListeningToClock.run();
            awaitEveryTaskEnded();
            hooks.stopAwaitedTasks();
            base.close(stopGrace);
            blocking.close(stopGrace);
            log.info("aioduct runtime {} stopped", name);
            terminated.complete(null);
        } catch (RuntimeException | Error e) {
            terminated.completeExceptionally(e);
            throw e;
        }
    }
}
