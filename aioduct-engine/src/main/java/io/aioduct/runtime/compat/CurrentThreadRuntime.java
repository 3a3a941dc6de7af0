package io.aioduct.runtime.compat;

import io.aioduct.RequestCancelledException;
import io.aioduct.concurrent.Completions;
import io.aioduct.runtime.RuntimeCompletion;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-thread flavour of the compat runtime (tokio-compat's current-thread runtime): every task
 * runs on the thread that created the runtime, and only while that thread is inside {@link #blockOn} or
 * {@link #runUntilIdle}. Tasks may therefore share state that is not thread-safe without any lock. Timers
 * ({@link #sleep}) fire on that thread too, by the injectable {@link CompatClock}. It starts no thread.
 *
 * <p>Idleness follows {@link CompatRuntime}: {@link #spawn} and {@link #spawnAsync} count (the latter
 * until its stage completes), {@link #spawnHandle} and {@link #spawnHandleAsync} do not.
 *
 * <p>Threading: confined to the creating thread; every method but {@link #handle()}, {@link #name()},
 * {@link #isClosed()}, {@link #isIdle()} and {@link #inEventLoop()} throws {@link IllegalStateException}
 * elsewhere. Other threads spawn through the thread-safe {@link Handle}; their tasks still run on the
 * owning thread. Calling {@code blockOn} from inside one of its tasks throws at once (the thread is
 * already busy running the runtime, so it would wait for itself). Lifecycle: the owner closes it; closing
 * cancels what has not run, and later spawns are refused with {@link RejectedExecutionException}.
 */
public final class CurrentThreadRuntime implements RuntimeCompletion {
    private static final Logger log = LoggerFactory.getLogger(CurrentThreadRuntime.class);
    private static final Comparator<Timer> BY_DEADLINE = (a, b) -> {
        long diff = a.deadline - b.deadline;
        return diff != 0 ? (diff < 0 ? -1 : 1) : Long.compare(a.seq, b.seq);
    };

    private static final ThreadLocal<CurrentThreadRuntime> DRIVING = new ThreadLocal<>();

    private final Thread owner = Thread.currentThread();
    private final CompatClock clock;
    private final ArrayDeque<Runnable> local = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> remote = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(BY_DEADLINE);
    private final Set<CompletableFuture<?>> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counted = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Handle handle = new Handle();
    private final Runnable stopListeningToClock;
    private volatile long wakeups;
    private volatile boolean closed;
    private volatile boolean driving;
    private long nextTimerSeq;

    /** A runtime on the calling thread, with the system clock. */
    public CurrentThreadRuntime() {
        this(CompatClock.system());
    }

    /** A runtime on the calling thread whose timers read {@code clock}. */
    public CurrentThreadRuntime(CompatClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stopListeningToClock = clock.onAdvance(this::signal);
    }

    /**
     * Creates a runtime on the calling thread, runs {@code task} there and drives it until idle, then
     * closes it. A failure of {@code task} is rethrown (checked ones wrapped in an {@code AioductException}).
     */
    public static void run(Runnable task) {
        Objects.requireNonNull(task, "task");
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            CompletableFuture<Object> boot = runtime.submit(CompatTask.of(Executors.callable(task), null), true);
            runtime.runUntilIdle();
            Completions.await(boot);
        }
    }

    /**
     * The runtime whose tasks the calling thread is running: what legacy static helpers call to find "the
     * executor" (the counterpart of {@link CompatRuntime#current()}).
     *
     * @throws IllegalStateException outside {@code blockOn}, {@code runUntilIdle} or {@code run}
     */
    public static CurrentThreadRuntime current() {
        CurrentThreadRuntime runtime = DRIVING.get();
        if (runtime == null) {
            throw new IllegalStateException("no current-thread runtime is running on thread '"
                    + Thread.currentThread().getName() + "': call this from one of its tasks");
        }
        return runtime;
    }

    // ---- spawning (owner thread) ----

    /** Queues {@code task}, counted towards idleness; a failure is logged. */
    public void spawn(Runnable task) {
        checkOwner("spawn");
        logFailure(submit(CompatTask.of(Executors.callable(Objects.requireNonNull(task, "task")), null), true));
    }

    /** Queues {@code task}, counted until the stage it returns completes; a failure is logged. */
    public void spawnAsync(Supplier<? extends CompletionStage<?>> task) {
        checkOwner("spawnAsync");
        logFailure(submit(CompatTask.ofAsync(task, null), true));
    }

    /** Queues {@code task}; the handle holds its result. Not counted towards idleness. */
    public <T> CompletableFuture<T> spawnHandle(Callable<T> task) {
        checkOwner("spawnHandle");
        return submit(CompatTask.of(task, null), false);
    }

    /** Queues {@code task}; the handle completes with the stage it returns. Not counted towards idleness. */
    public <T> CompletableFuture<T> spawnHandleAsync(Supplier<? extends CompletionStage<? extends T>> task) {
        checkOwner("spawnHandleAsync");
        return submit(CompatTask.ofAsync(task, null), false);
    }

    /** A stage completing on this runtime's thread, inside {@code blockOn}, once the clock has moved {@code duration} on. */
    public CompletionStage<Void> sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        checkOwner("sleep");
        checkOpen();
        long delay = Math.max(0, Math.min(duration.toNanos(), Long.MAX_VALUE >> 1));
        Timer timer = new Timer(clock.nanoTime() + delay, nextTimerSeq++, new CompletableFuture<>());
        timers.add(timer);
        live.add(timer.done);
        timer.done.whenComplete((v, e) -> live.remove(timer.done));
        return timer.done;
    }

    /** The thread-safe way to spawn into this runtime from other threads. */
    public Handle handle() {
        return handle;
    }

    // ---- driving ----

    /**
     * Runs this runtime's tasks and timers on the calling thread until {@code stage} completes, then returns
     * its value (failures as in {@link RuntimeCompletion#blockOn}). Counted tasks still pending stay queued.
     *
     * @throws IllegalStateException from inside one of this runtime's tasks, or on another thread
     */
    @Override
    public <T> T blockOn(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        CompletableFuture<T> future = stage.toCompletableFuture();
        drive("blockOn", future::isDone, future);
        return Completions.await(future);
    }

    /** Runs tasks and timers on the calling thread until no counted task is left (tokio's {@code run}). */
    public void runUntilIdle() {
        drive("runUntilIdle", () -> counted.get() == 0, null);
    }

    /** Whether no counted task is queued or running. Thread-safe. */
    public boolean isIdle() {
        return counted.get() == 0;
    }

    // ---- RuntimeCompletion ----

    @Override
    public String name() {
        return "current-thread(" + owner.getName() + ")";
    }

    /** Whether the caller is this runtime's thread while it runs tasks, where waiting would deadlock. */
    @Override
    public boolean inEventLoop() {
        return driving && Thread.currentThread() == owner;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes at once (the grace is ignored: nothing runs unless the owner drives it): cancels every task
     * and timer not yet done. Idempotent.
     */
    @Override
    public void close(Duration grace) {
        checkOwner("close");
        if (closed) {
            return;
        }
        closed = true;
        live.forEach(f -> f.cancel(true));
        local.clear();
        remote.clear();
        timers.clear();
        stopListeningToClock.run();
    }

    @Override
    public String toString() {
        return "CurrentThreadRuntime[" + name() + "]";
    }

    // ---- internals ----

    private <T> CompatTask<T> submit(CompatTask<T> task, boolean count) {
        checkOpen();
        track(task, count);
        if (Thread.currentThread() == owner) {
            local.add(task);
        } else {
            remote.add(task);
            signal();
        }
        return task;
    }

    private void track(CompatTask<?> task, boolean count) {
        if (count) {
            counted.incrementAndGet();
        }
        live.add(task);
        task.whenComplete((v, e) -> {
            live.remove(task);
            if (count && counted.decrementAndGet() == 0) {
                signal();
            }
        });
    }

    private void logFailure(CompletableFuture<?> task) {
        task.whenComplete((v, e) -> {
            if (e != null && !task.isCancelled()) {
                log.error("task spawned on {} failed", name(), e);
            }
        });
    }

    private void drive(String what, BooleanSupplier done, @Nullable CompletableFuture<?> awaited) {
        checkOwner(what);
        checkOpen();
        if (driving) {
            throw new IllegalStateException(what + " called from a task of " + name() + " on thread '"
                    + owner.getName() + "', which is already running this runtime's tasks: waiting here would "
                    + "deadlock; chain on the stage instead");
        }
        if (awaited != null) {
            awaited.whenComplete((v, e) -> signal());
        }
        driving = true;
        CurrentThreadRuntime outer = DRIVING.get();
        DRIVING.set(this);
        try {
            while (!done.getAsBoolean()) {
                long seen = wakeups; // read before looking, so a wake-up after the look is not lost
                if (!runOne()) {
                    park(seen, done);
                }
            }
        } finally {
            driving = false;
            if (outer == null) {
                DRIVING.remove();
            } else {
                DRIVING.set(outer);
            }
        }
    }

    /** Runs one due timer or one queued task; false if there was nothing to do. */
    private boolean runOne() {
        for (Runnable r; (r = remote.poll()) != null; ) {
            local.add(r);
        }
        Timer next = timers.peek();
        if (next != null && (next.done.isDone() || next.deadline - clock.nanoTime() <= 0)) {
            timers.poll();
            next.done.complete(null);
            return true;
        }
        Runnable task = local.poll();
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    private void park(long seen, BooleanSupplier done) {
        lock.lock();
        try {
            if (wakeups != seen || done.getAsBoolean() || !remote.isEmpty()) {
                return;
            }
            Timer next = timers.peek();
            if (next == null) {
                wake.await();
            } else {
                wake.awaitNanos(next.deadline - clock.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while running " + name(), e);
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            wakeups++;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(
                    what + " called on thread '" + Thread.currentThread().getName()
                            + "', but " + name() + " belongs to thread '" + owner.getName()
                            + "'; other threads spawn through handle()");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new RejectedExecutionException("runtime " + name() + " is closed");
        }
    }

    private record Timer(long deadline, long seq, CompletableFuture<Void> done) {}

    /**
     * Spawns into a {@link CurrentThreadRuntime} from any thread. The tasks still run on the runtime's own
     * thread, the next time it drives; {@link #spawn} and {@link #spawnAsync} (and {@link #execute}, the same
     * as {@code spawn}) count towards its idleness, the handle-returning ones do not. Thread-safe; refuses
     * work with {@link RejectedExecutionException} once the runtime is closed.
     */
    public final class Handle implements Executor {
        private Handle() {}

        public void spawn(Runnable task) {
            logFailure(submit(CompatTask.of(Executors.callable(Objects.requireNonNull(task, "task")), null), true));
        }

        public void spawnAsync(Supplier<? extends CompletionStage<?>> task) {
            logFailure(submit(CompatTask.ofAsync(task, null), true));
        }

        public <T> CompletableFuture<T> spawnHandle(Callable<T> task) {
            return submit(CompatTask.of(task, null), false);
        }

        public <T> CompletableFuture<T> spawnHandleAsync(Supplier<? extends CompletionStage<? extends T>> task) {
            return submit(CompatTask.ofAsync(task, null), false);
        }

        @Override
        public void execute(Runnable command) {
            spawn(command);
        }

        @Override
        public String toString() {
            return "Handle[" + name() + "]";
        }
    }
}
