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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The runtime hierarchy's contract, on each of the three runtimes. */
class RuntimeHierarchyTest {

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
            // Straight onto one of the runtime's event loops. (Chaining to a short sleep raced: when the
            // sleep had already completed, thenRun ran the task on the test thread, which then blocked.)
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
