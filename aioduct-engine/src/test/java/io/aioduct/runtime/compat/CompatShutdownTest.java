package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.RequestCancelledException;
import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hard stops ({@code shutdownNow}, and {@code close} once its grace period is over): what they hand back, what
 * they cancel, and that the runtime reports itself terminated only once every task has really ended.
 */
class CompatShutdownTest extends CompatTesting {

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownNowInterruptsRunningTasksAndCancelsTimersAndSleeps(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Future<?> running = runtime.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        });
        ScheduledFuture<?> periodic = runtime.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
        CompletableFuture<Void> sleeping = runtime.sleep(Duration.ofHours(1)).toCompletableFuture();
        started.await();

        List<Runnable> neverRan = runtime.shutdownNow();
        assertThat(neverRan).isEmpty();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(running).isCancelled();
        assertThat(await(interrupted)).isTrue();
        assertThat(periodic.isCancelled())
                .as("periodic tasks stop with the runtime")
                .isTrue();
        assertThatThrownBy(() -> await(sleeping)).hasCauseInstanceOf(CancellationException.class);
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownNowReturnsTheTasksThatNeverStartedAndRunningThemRunsTheirWork(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        List<String> ran = new CopyOnWriteArrayList<>();
        ScheduledFuture<String> inOneHour = runtime.schedule(() -> ran.add("1h") ? "report" : "", 1, TimeUnit.HOURS);
        ScheduledFuture<?> inTwoHours = runtime.schedule(() -> ran.add("2h"), 2, TimeUnit.HOURS);
        ScheduledFuture<?> inThreeHours = runtime.schedule(() -> ran.add("3h"), 3, TimeUnit.HOURS);

        List<Runnable> neverRan = runtime.shutdownNow();
        // As ScheduledThreadPoolExecutor does: the tasks returned are the futures legacy code holds, not done.
        assertThat(neverRan)
                .containsExactlyInAnyOrder((Runnable) inOneHour, (Runnable) inTwoHours, (Runnable) inThreeHours);
        assertThat(inOneHour.isDone()).isFalse();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();

        neverRan.forEach(Runnable::run); // on this thread: the runtime has stopped
        assertThat(ran).containsExactlyInAnyOrder("1h", "2h", "3h");
        assertThat(inOneHour.get()).isEqualTo("report");
        clock.advance(Duration.ofHours(3));
        neverRan.forEach(Runnable::run);
        assertThat(ran)
                .as("each runs once, and never again on the stopped runtime")
                .hasSize(3);
    }

    @Test
    void shutdownNowReturnsBlockingWorkStillQueuedForABlockingThread() throws Exception {
        CompatRuntime runtime = builder(BaseKind.POOLED).maxBlockingThreads(1).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> busy = runtime.spawnBlocking(() -> {
            started.countDown();
            new CountDownLatch(1).await();
            return "unreachable";
        });
        started.await();
        CompletableFuture<String> queued = runtime.spawnBlocking(() -> "queued work ran");

        List<Runnable> neverRan = runtime.shutdownNow();
        assertThat(neverRan).containsExactly((Runnable) queued);
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(busy).isCancelled();
        neverRan.get(0).run();
        assertThat(queued).isCompletedWithValue("queued work ran");
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void afterShutdownNowTheRuntimeIsTerminatedOnlyOnceATaskIgnoringItsInterruptHasEnded(BaseKind kind)
            throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread stubborn = startStubbornTask(runtime, release);

        runtime.shutdownNow();
        // The stop has done all it can without the task: it no longer listens to the clock.
        awaitTrue(() -> clock.listeners() == 0);
        assertThat(runtime.awaitTermination(1, TimeUnit.SECONDS))
                .as("terminated while a task still runs")
                .isFalse();
        assertThat(runtime.isTerminated()).isFalse();
        assertThat(stubborn.isAlive()).isTrue();

        release.countDown();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        stubborn.join(HANG_GUARD); // a virtual thread is not listed by name: it must end too
        assertThat(stubborn.isAlive()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void closeGivesUpOnATaskIgnoringItsInterruptButTheRuntimeIsNotTerminatedUntilItEnds(BaseKind kind)
            throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread stubborn = startStubbornTask(runtime, release);

        // close(grace) bounds the caller's wait (an application's shutdown must not hang on one task)...
        await(onAnotherThread(() -> runtime.close(Duration.ofMillis(200))));
        // ...but does not pretend: the task still runs, so the runtime is not terminated.
        assertThat(runtime.isTerminated())
                .as("terminated while a task still runs")
                .isFalse();
        assertThat(runtime.awaitTermination(100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(stubborn.isAlive()).isTrue();

        release.countDown();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        stubborn.join(HANG_GUARD);
        assertThat(stubborn.isAlive()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownNowFailsABlockOnWaitWithTheEnginesCancellation(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        onAnotherThread(() -> {
            try {
                runtime.blockOn(runtime.sleep(Duration.ofHours(1)).thenApply(v -> "woke"));
                failure.complete(null);
            } catch (Throwable e) {
                failure.complete(e);
            }
        });
        awaitTrue(() -> runtime.countedTasks() == 1); // the waiter is in

        runtime.shutdownNow();
        assertThat(await(failure))
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("runtime " + runtime.name() + " was shut down");
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void aBlockOnStartedAfterShutdownNowFailsInsteadOfWaitingForever(BaseKind kind) throws Exception {
        CompatRuntime runtime = builder(kind).build();
        runtime.shutdownNow();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();

        // The runtime no longer counts waits; the stage would never complete.
        CompletableFuture<Void> waited = onAnotherThread(() -> runtime.blockOn(new CompletableFuture<String>()));
        assertThatThrownBy(() -> await(waited))
                .cause()
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("runtime " + runtime.name() + " was shut down");
    }

    /** Starts a counted task that swallows interrupts until {@code release}; returns its thread once it runs. */
    private static Thread startStubbornTask(CompatRuntime runtime, CountDownLatch release) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        runtime.execute(() -> {
            thread.complete(Thread.currentThread());
            awaitIgnoringInterrupts(release);
        });
        return await(thread);
    }
}
