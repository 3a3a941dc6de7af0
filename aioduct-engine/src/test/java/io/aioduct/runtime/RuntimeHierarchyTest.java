package io.aioduct.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductException;
import io.aioduct.TimedOutException;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import io.aioduct.testing.EngineTest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The runtime hierarchy's contract, on each of the three runtimes. */
class RuntimeHierarchyTest {
    /** Only a guard against a hang: a passing test never waits this long. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of("pooled", (Supplier<RuntimeCompletion>) PooledRuntime::create),
                Arguments.of("virtual", (Supplier<RuntimeCompletion>) VirtualThreadRuntime::create),
                Arguments.of("io-uring", (Supplier<RuntimeCompletion>) IoUringRuntime::create));
    }

    @AfterEach
    void noThreadLeft() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!EngineTest.liveRuntimeThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(EngineTest.liveRuntimeThreads()).isEmpty();
    }

    /** Spawns through whichever face the runtime has. */
    private static void spawn(RuntimeCompletion runtime, Runnable task) {
        RuntimeExecutor.of(runtime).execute(task);
    }

    private static CompletableFuture<Void> sleep(RuntimeCompletion runtime, Duration d) {
        return (runtime instanceof RuntimePoll p ? p.sleep(d) : ((RuntimeLocal) runtime).sleep(d))
                .toCompletableFuture();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void spawnedTasksRunOnTheRuntimesOwnThreads(String name, Supplier<RuntimeCompletion> make) throws Exception {
        try (RuntimeCompletion runtime = make.get()) {
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            spawn(runtime, () -> ran.complete(Thread.currentThread()));
            Thread t = ran.get(5, TimeUnit.SECONDS);
            switch (name) {
                case "pooled" -> assertThat(t.getName()).startsWith("aioduct-pooled-worker-");
                case "virtual" -> assertThat(t.isVirtual()).isTrue();
                default -> assertThat(t.getName()).startsWith("aioduct-uring-core-");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void sleepCompletesNoEarlierThanAsked(String name, Supplier<RuntimeCompletion> make) throws Exception {
        try (RuntimeCompletion runtime = make.get()) {
            long start = System.nanoTime();
            sleep(runtime, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void blockOnReturnsTheValueAndRethrowsFailures(String name, Supplier<RuntimeCompletion> make) {
        try (RuntimeCompletion runtime = make.get()) {
            assertThat(runtime.blockOn(CompletableFuture.completedFuture("v"))).isEqualTo("v");
            TimedOutException timeout = new TimedOutException(TimedOutException.Kind.READ, Duration.ofSeconds(1), "x");
            assertThatThrownBy(() -> runtime.blockOn(CompletableFuture.failedFuture(timeout)))
                    .isSameAs(timeout);
            assertThatThrownBy(() -> runtime.blockOn(CompletableFuture.failedFuture(new IOException("disk"))))
                    .isInstanceOf(AioductException.class)
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void blockOnOnAPooledEventLoopThrowsNamingTheThread() throws Exception {
        try (PooledRuntime runtime = PooledRuntime.create()) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            // Straight onto an event loop: a callback attached to sleep() runs on this very thread instead
            // when the sleep has already completed, and then blockOn would wait forever.
            runtime.connectLoop().execute(() -> {
                try {
                    runtime.blockOn(new CompletableFuture<>());
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(e);
                }
            });
            assertThat(thrown.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("aioduct-pooled-io-");
        }
    }

    @Test
    void blockOnOnAnIoUringCoreThrowsNamingTheThread() throws Exception {
        try (IoUringRuntime runtime = IoUringRuntime.create()) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            runtime.spawnLocal(() -> {
                try {
                    runtime.blockOn(new CompletableFuture<>());
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(e);
                }
            });
            assertThat(thrown.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("aioduct-uring-core-");
        }
    }

    @Test
    void blockOnOnTheVirtualTimerThreadThrowsNamingTheThreadAndTimersKeepFiring() throws Exception {
        try (VirtualThreadRuntime runtime = VirtualThreadRuntime.create()) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            // schedule() runs its action on the timer thread itself, as a sleep() callback does.
            runtime.schedule(() -> thrown.complete(failureOf(() -> runtime.blockOn(new CompletableFuture<>()))), 0);
            assertThat(thrown.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("blockOn would block thread 'aioduct-virtual-timer'")
                    .hasMessageContaining("stall every sleep and timeout");

            CompletableFuture<Throwable> execute = new CompletableFuture<>();
            runtime.schedule(() -> execute.complete(failureOf(() -> runtime.checkMayBlock("execute()"))), 0);
            assertThat(execute.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("execute() would block thread 'aioduct-virtual-timer'");
            // The timer thread was never held up: a sleep after the refused waits still fires.
            sleep(runtime, Duration.ofMillis(1)).get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void closeOnAThreadThatMustNotBlockThrowsAndLeavesTheRuntimeWholeForItsOwner(
            String name, Supplier<RuntimeCompletion> make) throws Exception {
        RuntimeCompletion runtime = make.get();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        onThreadThatMustNotBlock(runtime, () -> thrown.complete(failureOf(runtime::close)));
        assertThat(thrown.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closing the runtime would block");
        assertThat(runtime.isClosed()).as("closed by the refused call").isFalse();

        CompletableFuture<String> stillRuns = new CompletableFuture<>();
        spawn(runtime, () -> stillRuns.complete("ran"));
        assertThat(stillRuns.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ran");
        runtime.close();
        assertThat(runtime.isClosed()).isTrue();
        // noThreadLeft (after each test): the owner's close stopped every thread.
    }

    @Test
    void closeFromATaskOfTheVirtualRuntimeDoesNotWaitForThatTask() throws Exception {
        VirtualThreadRuntime runtime = VirtualThreadRuntime.create();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        // A grace period far beyond the hang guard: only a close that waits for its own task would use it.
        runtime.spawnSend(() -> {
            runtime.close(Duration.ofMinutes(10));
            closed.complete(Thread.currentThread().isInterrupted());
        });
        assertThat(closed.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .as("the closing task was interrupted")
                .isFalse();
        assertThat(runtime.isClosed()).isTrue();
        runtime.close();
    }

    @Test
    void spawnOnACoreThatDoesNotExistNamesTheIndexAndTheCores() {
        try (IoUringRuntime runtime = IoUringRuntime.builder().cores(2).build()) {
            for (int core : new int[] {2, -1}) {
                assertThatThrownBy(() -> runtime.spawnOn(core, () -> {}))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("core " + core + " does not exist")
                        .hasMessageContaining("has 2 cores (indexes 0 to 1)");
            }
            assertThatThrownBy(() -> runtime.loop(7))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("core 7 does not exist");
            assertThat(runtime.stats().tasksSpawned())
                    .as("refused spawns are not counted")
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void nullArgumentsAreRefusedWhereTheyArePassedNamingThem(String name, Supplier<RuntimeCompletion> make) {
        try (RuntimeCompletion runtime = make.get()) {
            assertThatThrownBy(() -> spawn(runtime, null)).isInstanceOf(NullPointerException.class);
            if (runtime instanceof RuntimePoll poll) {
                assertThatThrownBy(() -> poll.spawnSend(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("task");
                assertThatThrownBy(() -> poll.sleep(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("duration");
            } else {
                RuntimeLocal local = (RuntimeLocal) runtime;
                assertThatThrownBy(() -> local.spawnLocal(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("task");
                assertThatThrownBy(() -> local.spawnOn(0, null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("task");
                assertThatThrownBy(() -> local.sleep(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("duration");
            }
            assertThatThrownBy(() -> runtime.blockOn(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("stage");
            assertThatThrownBy(() -> runtime.close(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("grace");
        }
    }

    /** Runs {@code action} on the runtime's thread where blocking is forbidden: an event loop, or the virtual timer. */
    private static void onThreadThatMustNotBlock(RuntimeCompletion runtime, Runnable action) {
        switch (runtime) {
            case PooledRuntime pooled -> pooled.connectLoop().execute(action);
            case IoUringRuntime uring -> uring.spawnLocal(action);
            case VirtualThreadRuntime virtual -> virtual.schedule(action, 0);
            default -> throw new IllegalArgumentException("no such thread on " + runtime);
        }
    }

    private static @Nullable Throwable failureOf(Runnable action) {
        try {
            action.run();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void closeIsIdempotentRefusesNewWorkAndStopsEveryThread(String name, Supplier<RuntimeCompletion> make) {
        RuntimeCompletion runtime = make.get();
        spawn(runtime, () -> {});
        runtime.close();
        runtime.close(Duration.ofMillis(10));

        assertThat(runtime.isClosed()).isTrue();
        assertThatThrownBy(() -> spawn(runtime, () -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void closeLetsRunningTasksFinishWithinTheGracePeriod(String name, Supplier<RuntimeCompletion> make)
            throws Exception {
        RuntimeCompletion runtime = make.get();
        CompletableFuture<String> done = new CompletableFuture<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        spawn(runtime, () -> {
            started.complete(null);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            done.complete("finished");
        });
        started.get(5, TimeUnit.SECONDS);
        runtime.close(Duration.ofSeconds(5));
        assertThat(done.getNow("cut short")).isEqualTo("finished");
    }

    @Test
    void theRuntimeExecutorDelegatesToSpawn() throws Exception {
        try (VirtualThreadRuntime runtime = VirtualThreadRuntime.create()) {
            CompletableFuture<Boolean> virtual = new CompletableFuture<>();
            RuntimeExecutor.of(runtime)
                    .execute(() -> virtual.complete(Thread.currentThread().isVirtual()));
            assertThat(virtual.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(RuntimeExecutor.of(runtime)).hasToString("RuntimeExecutor[virtual]");
        }
    }
}
