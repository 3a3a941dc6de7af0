package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Idleness as in tokio-compat: detached work counts, handle-returning work does not; {@code run} and
 * {@code shutdownOnIdle} wait for the count; a counted task that fails or is cancelled still releases it.
 */
class IdlenessTest extends CompatTesting {

    /** A legacy static helper that finds its executor the old way: whatever is current. */
    static final class LegacyReports {
        static void submitNightlyReport(CountDownLatch release, List<String> done) {
            CompatRuntime.current().execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.add("report");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void detachedSpawnsKeepTheRuntimeBusyUntilTheyEnd(BaseKind kind) {
        try (CompatRuntime runtime = builder(kind).build()) {
            CountDownLatch release = new CountDownLatch(1);
            runtime.spawn(() -> awaitQuietly(release));
            runtime.execute(() -> awaitQuietly(release));
            assertThat(runtime.isIdle()).isFalse();
            assertThat(runtime.countedTasks()).isEqualTo(2);

            release.countDown();
            runtime.awaitIdle();
            assertThat(runtime.isIdle()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void handleSpawnsDoNotKeepTheRuntimeAliveAndAreCancelledAtShutdown(BaseKind kind) throws Exception {
        CompatRuntime runtime = builder(kind).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        CompletableFuture<String> handle = runtime.spawnHandle(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // never released
                return "unreachable";
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
        });
        CompletableFuture<Object> neverCompletes = runtime.spawnHandleAsync(CompletableFuture::new);
        started.await();
        assertThat(runtime.isIdle()).isTrue();

        runtime.shutdownOnIdle();
        assertThat(handle).isCancelled();
        assertThat(neverCompletes).isCancelled();
        assertThat(await(interrupted)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void runReturnsWhenTheRuntimeIsIdleNotWhenTheTaskEnds(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CountDownLatch taskEnded = new CountDownLatch(1);
        CountDownLatch asleep = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> running =
                onAnotherThread(() -> builder(kind).clock(clock).run(() -> {
                    CompatRuntime runtime = CompatRuntime.current();
                    runtime.spawnAsync(() -> {
                        CompletionStage<Void> nap = runtime.sleep(Duration.ofMinutes(1));
                        asleep.countDown();
                        return nap.thenRun(() -> seen.add("woke"));
                    });
                    seen.add("task ended");
                    taskEnded.countDown();
                }));
        taskEnded.await();
        asleep.await();
        // The spawned sleeper is counted and its timer cannot fire before the clock moves: run() must still be in.
        assertThat(running).isNotDone();

        clock.advance(Duration.ofMinutes(1));
        await(running);
        assertThat(seen).containsExactly("task ended", "woke");
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void enterExposesTheRuntimeAndItsSpawnsAreCounted(BaseKind kind) {
        assertThatThrownBy(CompatRuntime::current)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no compat runtime is current on thread '"
                        + Thread.currentThread().getName());
        try (CompatRuntime runtime = builder(kind).build()) {
            CountDownLatch release = new CountDownLatch(1);
            List<String> done = new CopyOnWriteArrayList<>();
            try (CompatRuntime.EnterGuard entered = runtime.enter()) {
                assertThat(CompatRuntime.current()).isSameAs(runtime);
                LegacyReports.submitNightlyReport(release, done);
            }
            assertThat(CompatRuntime.tryCurrent()).isEmpty();
            assertThat(runtime.countedTasks()).isEqualTo(1);

            release.countDown();
            runtime.awaitIdle();
            assertThat(done).containsExactly("report");
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void aFailingCountedTaskDoesNotHangShutdown(BaseKind kind) {
        CompatRuntime runtime = builder(kind).build();
        runtime.spawn(() -> {
            throw new IllegalStateException("spawn failed on purpose");
        });
        runtime.execute(() -> {
            throw new IllegalStateException("execute failed on purpose");
        });
        Future<Object> submitted = runtime.submit(() -> {
            throw new IllegalStateException("submit failed on purpose");
        });
        runtime.spawnAsync(() -> CompletableFuture.failedFuture(new IllegalStateException("stage failed on purpose")));
        runtime.spawnAsync(() -> {
            throw new IllegalStateException("supplier failed on purpose");
        });

        assertTimeoutPreemptively(HANG_GUARD, () -> runtime.shutdownOnIdle());
        assertThat(submitted).isDone();
        assertThat(runtime.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void aCancelledCountedTaskReleasesItsCount(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        ScheduledFuture<?> inAnHour = runtime.schedule(() -> {}, 1, TimeUnit.HOURS);
        CountDownLatch started = new CountDownLatch(1);
        Future<?> blocked = runtime.submit(() -> {
            started.countDown();
            new CountDownLatch(1).await();
            return null;
        });
        started.await();
        assertThat(runtime.countedTasks()).isEqualTo(2);

        inAnHour.cancel(false);
        blocked.cancel(true);
        // The interrupted body ends on its own thread; its count comes back then, not before.
        awaitTrue(() -> runtime.countedTasks() == 0);
        assertTimeoutPreemptively(HANG_GUARD, () -> runtime.shutdownOnIdle());
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void aCancelledTaskCountsUntilItsBodyHasReallyEndedAndMaySpawnUntilThen(BaseKind kind) throws Exception {
        CompatRuntime runtime = builder(kind).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> child = new CompletableFuture<>();
        Future<?> stubborn = runtime.submit(() -> {
            started.countDown();
            awaitIgnoringInterrupts(release); // legacy code that swallows the interrupt and carries on
            runtime.execute(() -> child.complete("child ran"));
            return null;
        });
        started.await();

        assertThat(stubborn.cancel(true)).isTrue();
        assertThat(stubborn).isCancelled();
        assertThat(runtime.countedTasks())
                .as("a cancelled task whose body still runs")
                .isEqualTo(1);
        assertThat(runtime.isIdle()).isFalse();

        CompletableFuture<Void> stopped = onAnotherThread(runtime::shutdownOnIdle);
        awaitTrue(runtime::isShutdown); // shutdownOnIdle is waiting for the count
        release.countDown();
        assertThat(await(child)).isEqualTo("child ran");
        await(stopped);
        assertThat(runtime.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void callbacksOnTheStageATaskReturnedRunWhileItStillCountsAndMaySpawn(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CompletableFuture<CompletableFuture<Void>> callback = new CompletableFuture<>();
        CompletableFuture<Integer> countSeenByCallback = new CompletableFuture<>();
        CompletableFuture<String> child = new CompletableFuture<>();
        runtime.spawnAsync(() -> {
            CompletionStage<Void> nap = runtime.sleep(Duration.ofMinutes(1));
            // Attached to the returned stage itself, not chained into it: it runs after the task's own handler.
            callback.complete(nap.thenRun(() -> {
                        countSeenByCallback.complete(runtime.countedTasks());
                        runtime.spawn(() -> child.complete("child ran"));
                    })
                    .toCompletableFuture());
            return nap;
        });
        CompletableFuture<Void> spawnedChild = await(callback);

        CompletableFuture<Void> stopped = onAnotherThread(runtime::shutdownOnIdle);
        awaitTrue(runtime::isShutdown);
        clock.advance(Duration.ofMinutes(1));
        assertThat(await(countSeenByCallback))
                .as("counted tasks while the stage's callback runs")
                .isEqualTo(1);
        await(spawnedChild); // the spawn was not refused
        assertThat(await(child)).isEqualTo("child ran");
        await(stopped);
        assertThat(runtime.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void blockOnCountsTheStageItWaitsForSoShutdownOnIdleWaitsForItToo(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CompletionStage<String> woke = runtime.sleep(Duration.ofMinutes(1)).thenApply(v -> "woke");
        CompletableFuture<String> waited = new CompletableFuture<>();
        CompletableFuture<Void> waiting = onAnotherThread(() -> waited.complete(runtime.blockOn(woke)));
        awaitTrue(() -> runtime.countedTasks() == 1); // the stage blockOn waits for

        CompletableFuture<Void> stopped = onAnotherThread(runtime::shutdownOnIdle);
        awaitTrue(runtime::isShutdown);
        assertThat(runtime.isIdle()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        await(waiting);
        assertThat(await(waited)).isEqualTo("woke");
        await(stopped);
        assertThat(runtime.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownLeavesNoThreadAndRefusesWork(BaseKind kind) throws Exception {
        CompatRuntime runtime = builder(kind).build();
        List<Thread> used = new CopyOnWriteArrayList<>();
        runtime.spawn(() -> used.add(Thread.currentThread()));
        used.add(await(runtime.spawnBlocking(Thread::currentThread)));
        used.add(await(runtime.spawnHandle(() -> runtime.blockInPlace(Thread::currentThread))));
        runtime.awaitIdle();
        assertThat(liveThreads(PREFIX)).isNotEmpty();

        runtime.shutdownOnIdle();
        assertThat(liveThreads(PREFIX)).isEmpty();
        for (Thread t : used) {
            t.join(HANG_GUARD); // virtual threads are not listed by name; each must end
            assertThat(t.isAlive()).as("%s alive", t).isFalse();
        }
        assertThatThrownBy(() -> runtime.spawn(() -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> runtime.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(runtime.isShutdown()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void waitingForIdleFromInsideATaskThrowsInsteadOfWaitingForItself(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            CompletableFuture<Object> inside = runtime.spawnHandle(() -> {
                runtime.shutdownOnIdle();
                return null;
            });
            assertThatThrownBy(() -> await(inside))
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside a task of runtime compat(")
                    .hasMessageContaining("it would wait for itself");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
