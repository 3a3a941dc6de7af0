package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared by the compat runtime tests: runtimes named {@link #PREFIX} with two workers, bounded waits that
 * only guard against hangs (never timing assertions), and a check after each test that every thread those
 * runtimes started has already ended, because shutdown joins them.
 */
abstract class CompatTesting {
    static final String PREFIX = "aioduct-compat-test";
    /** Only a guard against a hang: a passing test never waits this long. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);

    static CompatRuntime.Builder builder(CompatRuntime.BaseKind kind) {
        return CompatRuntime.builder().base(kind).workers(2).threadNamePrefix(PREFIX);
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits (yielding) until {@code condition} holds; fails after {@link #HANG_GUARD}. */
    static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + HANG_GUARD);
            }
            Thread.yield();
        }
    }

    /** Runs {@code action} on a fresh platform thread (not one of the runtime's), e.g. to wait on a runtime. */
    static CompletableFuture<Void> onAnotherThread(ThrowingRunnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        action.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                "compat-test-helper");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /**
     * Waits for {@code latch} as a task that ignores interrupts does (legacy code that swallows them): an
     * interrupt does not end the wait, and the thread's interrupt flag is set again once it is over.
     */
    static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                if (!latch.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never released the task");
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Platform threads alive whose name starts with {@code prefix}. */
    static List<String> liveThreads(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @AfterEach
    void everyThreadTheRuntimesStartedHasEnded() {
        assertThat(liveThreads(PREFIX)).as("threads left by a compat runtime").isEmpty();
    }
}
