package io.aioduct.runtime.compat;

import io.aioduct.RequestCancelledException;
import io.aioduct.concurrent.Completions;
import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.TcpConnector;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.runtime.ChannelRuntime;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One runtime for legacy and new code while a codebase migrates (after Rust's tokio-compat). Legacy code
 * sees a {@link ScheduledExecutorService}; new code sees {@link CompletionStage}-returning spawns, {@link
 * #sleep} and {@link #blockOn}; the engine sees a {@link RuntimePoll}, so {@link #engine} serves the async
 * client and the blocking facade from one connection pool. Every task, legacy or new, runs on the base
 * runtime's threads (pooled workers or virtual threads); one small platform thread, {@code <prefix>-compat},
 * runs the timers, whose clock ({@link CompatClock}) tests can move by hand.
 *
 * <p><b>Idleness.</b> Detached work counts: {@link #spawn}, {@link #spawnAsync} (until its stage
 * completes), {@link #spawnSend}, and every legacy submission ({@code execute}, {@code submit}, {@code
 * invokeAll/Any}, one-shot {@code schedule}), because {@code ExecutorService} promises that shutdown waits
 * for them. Handle-returning work does not: {@link #spawnHandle}, {@link #spawnHandleAsync}, {@link
 * #spawnBlocking}, periodic schedules and timers. So does the stage a {@link #blockOn} waits for, while it
 * waits. {@link #shutdownOnIdle()} and {@link Builder#run} wait for the count to reach zero, then stop,
 * cancelling what uncounted work is left. A counted task releases its count however it ends (value,
 * exception, cancellation), so shutdown never hangs on a failed task, but only once it has really ended: a
 * cancelled task whose body is still running counts until the body returns, and a task's stage counts until
 * the callbacks it ran on the runtime's threads have run, so both may still spawn.
 *
 * <p><b>Blocking.</b> {@link #blockOn} waits from outside the runtime; on a pooled worker of this runtime
 * it throws at once, naming the thread, rather than risk a deadlock (a virtual thread may block). Blocking
 * work belongs in {@link #spawnBlocking} (a bounded pool beside the workers) or {@link #blockInPlace} (the
 * worker blocks while the pool adds a thread). This file is longer than most because it carries both faces.
 *
 * <p>Threading: thread-safe. Lifecycle: whoever builds it shuts it down ({@link #shutdownOnIdle()}, {@link
 * #shutdown()}, {@link #shutdownNow()} or {@link #close}); it owns its base runtime and closes it too. It is
 * terminated only once every task has ended, even one that ignores its interrupt, and then no thread it
 * started is alive. Work offered after shutdown is refused with {@link RejectedExecutionException}.
 */
public final class CompatRuntime extends AbstractExecutorService implements ScheduledExecutorService, RuntimePoll {
    private static final Logger log = LoggerFactory.getLogger(CompatRuntime.class);

    private final CompatCore core;
    private final CompatClock clock;

    /** A runtime with the defaults: pooled base, one worker per processor, threads named {@code aioduct-*}. */
    public CompatRuntime() {
        this(builder());
    }

    private CompatRuntime(Builder b) {
        this.clock = b.clock;
        this.core = new CompatCore(this, b.makeBase(), b.prefix, b.clock, b.maxBlockingThreads, b.hooks);
        log.info("aioduct runtime {} started", core.name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The machinery, for tests in this package. */
    CompatCore core() {
        return core;
    }

    /** Starts a default runtime, runs {@code task} on it and returns once the runtime is idle; see {@link Builder#run}. */
    public static void run(Runnable task) {
        builder().run(task);
    }

    /** Like {@link #run(Runnable)} for a task that returns a stage; see {@link Builder#runAsync}. */
    public static void runAsync(Supplier<? extends CompletionStage<?>> task) {
        builder().runAsync(task);
    }

    /**
     * The runtime current on this thread: the one whose task is running here, or the one {@link #enter()}ed.
     * What legacy static helpers call to find "the executor".
     *
     * @throws IllegalStateException if none is
     */
    public static CompatRuntime current() {
        return tryCurrent()
                .orElseThrow(() -> new IllegalStateException("no compat runtime is current on thread '"
                        + Thread.currentThread().getName()
                        + "': call this from a task of the runtime, inside CompatRuntime.run(...), or within "
                        + "try (var entered = runtime.enter()) { ... }"));
    }

    /** The runtime current on this thread, if any. */
    public static Optional<CompatRuntime> tryCurrent() {
        CompatContext.Binding b = CompatContext.get();
        return b == null ? Optional.empty() : Optional.of(b.runtime());
    }

    // ---- the new face ----

    /** Runs {@code task} detached, on a runtime thread; it counts towards idleness. A failure is logged. */
    public void spawn(Runnable task) {
        core.spawn(CompatTask.of(Executors.callable(Objects.requireNonNull(task, "task")), this), true, true);
    }

    /**
     * Runs {@code task} detached and counts it towards idleness until the stage it returns completes and the
     * callbacks that stage runs on this runtime's threads (a task's, or the pooled base's event loop's) have
     * run; where a thread outside the runtime completes the stage, until it completes. A failure (thrown or in
     * the stage) is logged.
     */
    public void spawnAsync(Supplier<? extends CompletionStage<?>> task) {
        core.spawn(CompatTask.ofAsync(task, this), true, true);
    }

    /** Runs {@code task} on a runtime thread; the handle holds its result. Does not count towards idleness. */
    public <T> CompletableFuture<T> spawnHandle(Callable<T> task) {
        return core.spawn(CompatTask.of(task, this), false, false);
    }

    /** Runs {@code task}; the handle completes with the stage it returns. Does not count towards idleness. */
    public <T> CompletableFuture<T> spawnHandleAsync(Supplier<? extends CompletionStage<? extends T>> task) {
        return core.spawn(CompatTask.ofAsync(task, this), false, false);
    }

    /** Counted detached work for the engine and {@link io.aioduct.runtime.RuntimeExecutor}: the same as {@link #spawn}. */
    @Override
    public void spawnSend(Runnable task) {
        spawn(task);
    }

    /**
     * Runs blocking {@code task} off the workers: on the blocking pool ({@code <prefix>-blocking-N}, bounded by
     * {@link Builder#maxBlockingThreads}; extra calls queue), or on a fresh virtual thread on the virtual base.
     * {@link #blockOn} is allowed inside. Does not count towards idleness.
     */
    public <T> CompletableFuture<T> spawnBlocking(Callable<T> task) {
        return core.spawnBlocking(new CompatTask<>(Objects.requireNonNull(task, "task"), null, this, true));
    }

    /**
     * Runs blocking {@code task} on the calling thread and returns its value. On a pooled worker the pool
     * adds a thread for the duration ({@link ForkJoinPool#managedBlock}), so the other tasks keep running;
     * elsewhere (a virtual thread, your own thread) it simply runs. {@link #blockOn} is allowed inside. A
     * checked exception comes back wrapped in an {@code AioductException}, unchecked ones as they are.
     *
     * @throws IllegalStateException on an event-loop thread of the base runtime, which must never block
     */
    public <T extends @Nullable Object> T blockInPlace(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Completions.checkMayBlock(core.base.inEventLoop(), "blockInPlace");
        CompatContext.Binding outer = CompatContext.get();
        boolean inTask = outer != null && outer.runtime() == this && outer.inTask();
        CompatContext.Binding previous = CompatContext.bind(new CompatContext.Binding(this, inTask, true));
        try {
            InPlaceBlocker<T> blocker = new InPlaceBlocker<>(task);
            if (Thread.currentThread() instanceof ForkJoinWorkerThread) {
                ForkJoinPool.managedBlock(blocker);
            } else {
                blocker.block();
            }
            return blocker.result();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while blocking in place", e);
        } finally {
            CompatContext.restore(previous);
        }
    }

    /** A stage completing on a runtime thread once the {@link CompatClock} has moved {@code duration} on. */
    @Override
    public CompletionStage<Void> sleep(Duration duration) {
        return core.sleep(Objects.requireNonNull(duration, "duration"));
    }

    /**
     * Waits for {@code stage}; see {@link io.aioduct.runtime.RuntimeCompletion#blockOn}. The stage counts towards
     * idleness while it is waited for (tokio-compat's {@code block_on}), so {@link #shutdownOnIdle()} waits for it.
     *
     * @throws IllegalStateException at once on a pooled worker or event loop of this runtime, naming the thread
     * @throws RequestCancelledException if {@link #shutdownNow()} stops the runtime meanwhile, the stage was
     *     cancelled, or the waiting thread is interrupted
     */
    @Override
    public <T> T blockOn(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        core.checkMayBlock("blockOn");
        return core.waits.await(stage);
    }

    /** {@link #blockOn(CompletionStage)} for a {@link CompletableFuture}, which is both a stage and a future. */
    public <T> T blockOn(CompletableFuture<T> future) {
        return blockOn((CompletionStage<T>) future);
    }

    /**
     * Waits for a legacy {@code Future}, with the failure rules of {@link #blockOn(CompletionStage)}. The futures
     * of this runtime are stages and are waited for as such; any other {@code Future} counts while it is waited
     * for, but a {@link #shutdownNow()} does not end the wait.
     */
    @SuppressWarnings("unchecked") // a Future<T> that is a stage completes with the same T
    public <T> T blockOn(Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (future instanceof CompletionStage<?> stage) {
            return blockOn((CompletionStage<T>) stage);
        }
        core.checkMayBlock("blockOn");
        return core.waits.await(future);
    }

    /**
     * Makes this the {@link #current()} runtime on the calling thread until the guard is closed, so code that
     * looks the executor up ({@code CompatRuntime.current().execute(...)}) lands here, counted.
     */
    public EnterGuard enter() {
        CompatContext.Binding outer = CompatContext.get();
        boolean same = outer != null && outer.runtime() == this;
        return new EnterGuard(
                CompatContext.bind(new CompatContext.Binding(this, same && outer.inTask(), !same || outer.mayBlock())));
    }

    /** Whether no counted task is running or waiting. */
    public boolean isIdle() {
        return core.countedTasks() == 0;
    }

    /** Counted tasks running or waiting (including one-shot timers not yet fired). */
    public int countedTasks() {
        return core.countedTasks();
    }

    /** Waits until no counted task is running or waiting; the runtime keeps running. */
    public void awaitIdle() {
        core.checkNotInOwnTask("awaitIdle");
        try {
            core.awaitIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while waiting for " + core.name + " to go idle", e);
        }
    }

    /**
     * Waits until the runtime is idle, then stops it: spawns are refused, uncounted tasks still pending are
     * cancelled (their handles complete with {@link CancellationException}), timers are dropped, and every
     * thread is joined. Until idle, running tasks may still spawn. Returns an already completed stage.
     *
     * @throws IllegalStateException if called from a task of this runtime, which would wait for itself
     */
    public CompletionStage<Void> shutdownOnIdle() {
        core.checkNotInOwnTask("shutdownOnIdle");
        core.stopWhenIdle(false, DEFAULT_GRACE);
        core.awaitTerminated(Long.MAX_VALUE);
        return CompletableFuture.completedFuture(null);
    }

    /** The connector for an engine on this runtime: TCP on the pooled base's event loops, else blocking sockets. */
    public ConnectorSend connector() {
        return core.base instanceof ChannelRuntime ? new TcpConnector(core.base) : new BlockingTcpConnector();
    }

    /**
     * An engine on this runtime with {@link #connector()}: {@code send} and {@code execute} share its pools. On
     * the virtual base each {@code send} runs as a counted spawn here; the engine's timers (timeouts, pool
     * eviction) use {@link #sleep} and never keep the runtime busy. The engine does not own the runtime: close
     * the engine first (after {@link #awaitIdle()} if work may still be sending), then the runtime.
     */
    public HttpEngineSend<CompatRuntime, ConnectorSend> engine(EngineConfig config) {
        return new HttpEngineSend<>(this, connector(), config);
    }

    /** The clock the timers read. */
    public CompatClock clock() {
        return clock;
    }

    // ---- the legacy face: ScheduledExecutorService ----

    /** Runs {@code command} on a runtime thread, counted; a failure is logged. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (command instanceof CompatTask<?> t && t.owner() == this && t.markTracked()) {
            core.spawn(t, true, false); // from invokeAll/invokeAny via newTaskFor
        } else {
            core.spawn(CompatTask.of(Executors.callable(command), this), true, true);
        }
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(Executors.callable(Objects.requireNonNull(task, "task")));
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return submit(Executors.callable(Objects.requireNonNull(task, "task"), result));
    }

    /** Counted like {@code execute}, even if the future is kept (legacy shutdown waits for it); failures stay in the future. */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return core.spawn(CompatTask.of(task, this), true, false);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return CompatTask.of(callable, this);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return CompatTask.of(Executors.callable(runnable, value), this);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(Executors.callable(Objects.requireNonNull(command, "command")), delay, unit);
    }

    /** Runs once the clock has moved {@code delay} on; counted from now until it has run or is cancelled. */
    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        Objects.requireNonNull(unit, "unit");
        return core.scheduleOnce(callable, unit.toNanos(delay));
    }

    /** Periodic; not counted (it would never let the runtime go idle) and cancelled when the runtime stops. */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        return core.schedulePeriodic(command, unit.toNanos(initialDelay), unit.toNanos(positive(period, "period")));
    }

    /** Periodic like {@link #scheduleAtFixedRate}, the delay counted from the end of each run. */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        return core.schedulePeriodic(command, unit.toNanos(initialDelay), -unit.toNanos(positive(delay, "delay")));
    }

    /**
     * Refuses new work; already submitted tasks and one-shot timers still run, then the runtime stops as in
     * {@link #shutdownOnIdle()}. Does not wait: {@link #awaitTermination} does.
     */
    @Override
    public void shutdown() {
        core.stopWhenIdle(true, DEFAULT_GRACE);
    }

    /**
     * Stops at once: refuses new work; takes the tasks that have not started off the runtime and returns them
     * (as {@code ThreadPoolExecutor} does, running one runs its work on the caller's thread and completes its
     * future; they include one-shot {@code schedule}s not yet due, not periodic ones); cancels every other task,
     * interrupting running ones, and every timer; fails {@link #blockOn} waits with {@link
     * RequestCancelledException}. Does not wait: {@link #awaitTermination} does.
     */
    @Override
    public List<Runnable> shutdownNow() {
        return core.stopNow();
    }

    @Override
    public boolean isShutdown() {
        return core.isShutdown();
    }

    /** Whether the runtime has stopped, every task has ended and every thread it started is gone. */
    @Override
    public boolean isTerminated() {
        return core.isTerminated();
    }

    /** Waits for {@link #isTerminated()}; false if {@code timeout} passed first (a task may still be running). */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        core.checkNotInOwnTask("awaitTermination");
        return core.awaitTerminated(unit.toNanos(timeout));
    }

    // ---- RuntimeCompletion ----

    /** See {@link io.aioduct.runtime.RuntimeStats}: the base runtime's threads and queues, this runtime's tasks. */
    @Override
    public io.aioduct.runtime.RuntimeStats stats() {
        return core.stats();
    }

    @Override
    public String name() {
        return core.name;
    }

    /** Whether the caller is an event-loop thread of the base runtime (the pooled base's I/O threads). */
    @Override
    public boolean inEventLoop() {
        return core.base.inEventLoop();
    }

    @Override
    public void checkMayBlock(String what) {
        core.checkMayBlock(what);
    }

    @Override
    public boolean isClosed() {
        return isShutdown();
    }

    /** Shuts down with the default grace period; also {@code ExecutorService.close()}. */
    @Override
    public void close() {
        close(DEFAULT_GRACE);
    }

    /**
     * {@link #shutdown()}, waits up to {@code grace} for the counted work, then {@link #shutdownNow()} and waits up to
     * {@code grace} again (at least one second) for the cancelled tasks to end; returns once terminated or when that
     * second wait runs out. A task that ignores its interrupt does not hold the caller (an application's shutdown)
     * forever: {@code close} returns with a warning naming it, the runtime stays not {@link #isTerminated()
     * terminated}, and finishes stopping (closing its base runtime) when the task ends.
     */
    @Override
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        core.checkNotInOwnTask("close");
        core.stopWhenIdle(true, grace);
        if (!core.awaitTerminated(grace.toNanos())) {
            log.warn("runtime {}: tasks still running after the {} grace period; cancelling them", core.name, grace);
            core.stopNow();
            // The hard stop's own grace: cancelled tasks get at least this long to notice their interrupt.
            long second = Math.max(grace.toNanos(), Duration.ofSeconds(1).toNanos());
            if (!core.awaitTerminated(second)) {
                log.warn(
                        "runtime {}: close() returns while cancelled tasks still run; the runtime terminates once they end",
                        core.name);
            }
        }
    }

    @Override
    public String toString() {
        return "CompatRuntime[" + core.name + "]";
    }

    private static long positive(long value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, was " + value);
        }
        return value;
    }

    /** Returned by {@link #enter()}: closing it makes the previous runtime (or none) current again. */
    public static final class EnterGuard implements AutoCloseable {
        private final Thread thread = Thread.currentThread();
        private final CompatContext.@Nullable Binding previous;
        private boolean closed;

        private EnterGuard(CompatContext.@Nullable Binding previous) {
            this.previous = previous;
        }

        /**
         * @throws IllegalStateException on a thread other than the one that entered
         */
        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException(
                        "an EnterGuard must be closed on the thread that entered ('" + thread.getName() + "'), not on '"
                                + Thread.currentThread().getName() + "'");
            }
            if (!closed) {
                closed = true;
                CompatContext.restore(previous);
            }
        }
    }

    /** The base runtime a {@link Builder} puts under the compat layer. */
    public enum BaseKind {
        /** {@link PooledRuntime}: platform workers (work-stealing) plus Netty event loops for I/O. */
        POOLED,
        /** {@link VirtualThreadRuntime}: a virtual thread per task, blocking sockets. */
        VIRTUAL
    }

    /**
     * Settings for a {@link CompatRuntime}. Not thread-safe; {@link #build()} starts a runtime (and its base)
     * that the caller then shuts down, {@link #run} and {@link #runAsync} start one and shut it down themselves.
     */
    public static final class Builder {
        private BaseKind kind = BaseKind.POOLED;
        private @Nullable RuntimePoll given;
        private int workers = Runtime.getRuntime().availableProcessors();
        private String prefix = "aioduct";
        private CompatClock clock = CompatClock.system();
        private int maxBlockingThreads = 64;
        private CompatHooks hooks = CompatHooks.NONE;

        private Builder() {}

        /** Points where a test in this package holds a thread to force an interleaving; none by default. */
        Builder hooks(CompatHooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
            return this;
        }

        /** Which runtime the tasks run on; default {@link BaseKind#POOLED}. */
        public Builder base(BaseKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.given = null;
            return this;
        }

        /**
         * Runs the tasks on {@code runtime}, which the compat runtime then owns and closes when it stops. Use
         * each such builder for one runtime only. {@link #workers} and the prefix do not apply to it.
         */
        public Builder base(RuntimePoll runtime) {
            Objects.requireNonNull(runtime, "runtime");
            if (runtime instanceof CompatRuntime) {
                throw new IllegalArgumentException("a compat runtime cannot be the base of another one");
            }
            this.given = runtime;
            return this;
        }

        /** Worker threads of the pooled base; default one per available processor. Ignored by the virtual base. */
        public Builder workers(int count) {
            if (count < 1) throw new IllegalArgumentException("workers must be >= 1, was " + count);
            this.workers = count;
            return this;
        }

        /**
         * Names every thread the runtime starts: {@code prefix-compat} (timers), {@code prefix-blocking-N}, and
         * the base's {@code prefix-worker-N} and {@code prefix-io-N} (pooled) or {@code prefix-N} (virtual).
         * Default {@code aioduct}.
         */
        public Builder threadNamePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (prefix.isBlank()) throw new IllegalArgumentException("threadNamePrefix must not be blank");
            this.prefix = prefix;
            return this;
        }

        /** The clock the timers read; default {@link CompatClock#system()}. */
        public Builder clock(CompatClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** At most this many platform threads run {@link #spawnBlocking} work at once; default 64. */
        public Builder maxBlockingThreads(int count) {
            if (count < 1) throw new IllegalArgumentException("maxBlockingThreads must be >= 1, was " + count);
            this.maxBlockingThreads = count;
            return this;
        }

        public CompatRuntime build() {
            return new CompatRuntime(this);
        }

        /**
         * Starts a runtime, runs {@code task} on it as a counted task, and returns once the runtime is idle:
         * not merely when {@code task} returns, but when everything counted it spawned has finished too. Then
         * stops the runtime as {@link #shutdownOnIdle()} does. A failure of {@code task} is rethrown (checked
         * ones wrapped in an {@code AioductException}) after the runtime has stopped.
         *
         * @throws IllegalStateException on a worker thread of a compat runtime, which must not block
         */
        public void run(Runnable task) {
            Objects.requireNonNull(task, "task");
            runAsync(() -> {
                task.run();
                return CompletableFuture.completedFuture(null);
            });
        }

        /** Like {@link #run}, the task counted until the stage it returns completes (tokio-compat's {@code run_std}). */
        public void runAsync(Supplier<? extends CompletionStage<?>> task) {
            Objects.requireNonNull(task, "task");
            CompatContext.Binding b = CompatContext.get();
            if (b != null && !b.mayBlock()) {
                throw new IllegalStateException("CompatRuntime.run(...) called on thread '"
                        + Thread.currentThread().getName() + "', a worker of runtime "
                        + b.runtime().name()
                        + ": it blocks until the new runtime is idle; call it from main or a blocking thread");
            }
            CompatRuntime runtime = build();
            CompletableFuture<?> boot;
            try {
                boot = runtime.core.spawn(CompatTask.ofAsync(task, runtime), true, false);
            } finally {
                runtime.shutdownOnIdle();
            }
            Completions.await(boot);
        }

        RuntimePoll makeBase() {
            if (given != null) {
                return given;
            }
            return switch (kind) {
                case POOLED ->
                    PooledRuntime.builder()
                            .workerThreads(workers)
                            .threadNamePrefix(prefix)
                            .build();
                case VIRTUAL -> VirtualThreadRuntime.create(prefix);
            };
        }
    }
}
