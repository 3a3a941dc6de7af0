package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The legacy face: the compat runtime is a {@link ScheduledExecutorService} whose tasks run on the runtime's threads. */
class LegacyFaceTest extends CompatTesting {

    private static void assertRuntimeThread(BaseKind kind, Thread t) {
        if (kind == BaseKind.POOLED) {
            assertThat(t.getName()).startsWith(PREFIX + "-worker-");
        } else {
            assertThat(t.isVirtual()).as("%s is virtual", t).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void legacyTasksRunOnTheRuntimesThreads(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            ScheduledExecutorService legacy = runtime; // what legacy code is handed
            CompletableFuture<Thread> executed = new CompletableFuture<>();
            legacy.execute(() -> executed.complete(Thread.currentThread()));
            Future<Thread> submitted = legacy.submit(Thread::currentThread);
            Future<String> withResult = legacy.submit(() -> {}, "done");

            assertRuntimeThread(kind, await(executed));
            assertRuntimeThread(kind, await(submitted));
            assertThat(await(withResult)).isEqualTo("done");
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void invokeAllAndInvokeAnyRunOnTheRuntime(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            List<Callable<String>> jobs = List.of(() -> "a", () -> "b", () -> "c");
            List<Future<String>> all = runtime.invokeAll(jobs);
            assertThat(all).extracting(Future::get).containsExactly("a", "b", "c");
            assertThat(runtime.invokeAny(jobs)).isIn("a", "b", "c");
            runtime.awaitIdle();
            assertThat(runtime.isIdle()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void legacySpawnsInsideRunFinishBeforeItReturns(BaseKind kind) {
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch released = new CountDownLatch(1);
        builder(kind).run(() -> {
            ScheduledExecutorService executor = CompatRuntime.current();
            // One legacy task waits for another spawned later, deeper in a chain: run() must outlast them all.
            executor.execute(() -> {
                CompatRuntime.current().blockInPlace(() -> {
                    released.await();
                    return null;
                });
                finished.incrementAndGet();
            });
            executor.submit(() -> chain(3, finished, released));
            executor.schedule(finished::incrementAndGet, 1, TimeUnit.MILLISECONDS);
        });
        assertThat(finished).hasValue(1 + 3 + 1);
    }

    private static void chain(int depth, AtomicInteger finished, CountDownLatch last) {
        finished.incrementAndGet();
        if (depth > 1) {
            CompatRuntime.current().execute(() -> chain(depth - 1, finished, last));
        } else {
            last.countDown();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void legacyTimersFireNoEarlierThanAsked(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        try (CompatRuntime runtime = builder(kind).clock(clock).build()) {
            long start = clock.nanoTime();
            CompletableFuture<Long> firedAt = new CompletableFuture<>();
            ScheduledFuture<?> tenSeconds =
                    runtime.schedule(() -> firedAt.complete(clock.nanoTime()), 10, TimeUnit.SECONDS);
            ScheduledFuture<String> nineSeconds = runtime.schedule(() -> "marker", 9, TimeUnit.SECONDS);
            assertThat(tenSeconds.getDelay(TimeUnit.SECONDS)).isEqualTo(10);

            clock.advance(Duration.ofSeconds(9));
            // Timers fire in deadline order: once the 9 s marker has run, the 10 s timer was looked at and left.
            assertThat(await(nineSeconds)).isEqualTo("marker");
            assertThat(firedAt).isNotDone();
            assertThat(tenSeconds.getDelay(TimeUnit.SECONDS)).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            assertThat(await(firedAt) - start).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(10));
            await(tenSeconds);
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void fixedRateAndFixedDelayRepeatOnTheClockWithoutKeepingTheRuntimeBusy(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        try (CompatRuntime runtime = builder(kind).clock(clock).build()) {
            long start = clock.nanoTime();
            BlockingQueue<Long> rate = new LinkedBlockingQueue<>();
            BlockingQueue<Long> delay = new LinkedBlockingQueue<>();
            ScheduledFuture<?> atRate =
                    runtime.scheduleAtFixedRate(() -> rate.add(clock.nanoTime() - start), 1, 2, TimeUnit.SECONDS);
            ScheduledFuture<?> withDelay =
                    runtime.scheduleWithFixedDelay(() -> delay.add(clock.nanoTime() - start), 1, 3, TimeUnit.SECONDS);
            assertThat(runtime.isIdle()).as("periodic tasks are not counted").isTrue();

            for (int second = 1; second <= 7; second++) {
                clock.advance(Duration.ofSeconds(1));
                if (second % 2 == 1) { // fixed rate: 1, 3, 5, 7
                    assertThat(rate.poll(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                            .isEqualTo(TimeUnit.SECONDS.toNanos(second));
                }
                if (second % 3 == 1) { // fixed delay: 1, 4, 7
                    assertThat(delay.poll(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                            .isEqualTo(TimeUnit.SECONDS.toNanos(second));
                    // The next deadline is taken from the clock when the run ends: move it only after that.
                    awaitTrue(() -> withDelay.getDelay(TimeUnit.NANOSECONDS) > 0);
                }
            }
            atRate.cancel(false);
            withDelay.cancel(false);
            assertThat(atRate.isCancelled()).isTrue();
            assertThat(rate).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void scheduledTasksRunOnTheBaseRuntimeNotOnTheCompatThread(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        try (CompatRuntime runtime = builder(kind).clock(clock).build()) {
            ScheduledFuture<Thread> ran = runtime.schedule(Thread::currentThread, 1, TimeUnit.SECONDS);
            CompletableFuture<Thread> slept = runtime.sleep(Duration.ofSeconds(1))
                    .thenApply(v -> Thread.currentThread())
                    .toCompletableFuture();
            clock.advance(Duration.ofSeconds(1));

            assertRuntimeThread(kind, await(ran));
            assertThat(await(slept).getName()).isNotEqualTo(PREFIX + "-compat");
            assertThat(liveThreads(PREFIX + "-compat")).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownFinishesSubmittedWorkAndDelayedTasksRefusesNewWorkAndTerminates(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CountDownLatch release = new CountDownLatch(1);
        Future<String> running = runtime.submit(() -> {
            release.await();
            return "finished";
        });
        ScheduledFuture<String> delayed = runtime.schedule(() -> "delayed", 5, TimeUnit.SECONDS);

        runtime.shutdown();
        assertThat(runtime.isShutdown()).isTrue();
        assertThatThrownBy(() -> runtime.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThat(runtime.awaitTermination(0, TimeUnit.SECONDS)).isFalse();

        release.countDown();
        clock.advance(Duration.ofSeconds(5));
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(runtime.isTerminated()).isTrue();
        assertThat(running.get()).isEqualTo("finished");
        assertThat(delayed.get()).isEqualTo("delayed");
        assertThat(clock.listeners())
                .as("the stopped runtime no longer listens to the clock")
                .isZero();
    }

    @Test
    void nullArgumentsAreRefusedWhereTheyArePassedNamingThem() {
        try (CompatRuntime runtime = builder(BaseKind.POOLED).build()) {
            List<ThrowingRunnable> calls = List.of(
                    () -> runtime.schedule(() -> {}, 1, null),
                    () -> runtime.schedule(() -> "x", 1, null),
                    () -> runtime.scheduleAtFixedRate(() -> {}, 1, 1, null),
                    () -> runtime.scheduleWithFixedDelay(() -> {}, 1, 1, null),
                    () -> runtime.awaitTermination(1, null));
            for (ThrowingRunnable call : calls) {
                assertThatThrownBy(call::run)
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("unit");
            }
            assertThatThrownBy(() -> runtime.close(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("grace");
            assertThatThrownBy(() -> runtime.blockOn((Future<Object>) null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("future");
            assertThat(runtime.isIdle()).as("nothing was scheduled").isTrue();
        }
        try (CurrentThreadRuntime single = new CurrentThreadRuntime()) {
            assertThatThrownBy(() -> single.sleep(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("duration");
        }
    }
}
