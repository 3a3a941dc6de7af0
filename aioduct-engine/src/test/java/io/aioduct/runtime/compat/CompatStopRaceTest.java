package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Admission racing the stop, and the two stops racing each other, forced into their worst interleaving by
 * {@link CompatHooks} (threads held on latches, never sleeps): a task is refused, handed out by {@code
 * shutdownNow}, or run or cancelled before the runtime stops waiting for its tasks, never accepted and then
 * forgotten; and callbacks the stop runs never run under its lock.
 */
class CompatStopRaceTest extends CompatTesting {

    /** The ways a task gets onto the runtime: counted and not, on the workers, the blocking pool and the timer. */
    enum Admission {
        SUBMIT,
        SPAWN_HANDLE,
        SPAWN_BLOCKING,
        SCHEDULE;

        Future<?> admit(CompatRuntime runtime, Runnable body) {
            return switch (this) {
                case SUBMIT -> runtime.submit(body);
                case SPAWN_HANDLE -> runtime.spawnHandle(Executors.callable(body));
                case SPAWN_BLOCKING -> runtime.spawnBlocking(Executors.callable(body));
                case SCHEDULE -> runtime.schedule(body, 0, TimeUnit.SECONDS);
            };
        }
    }

    static Stream<Arguments> everyBaseAndAdmission() {
        List<Arguments> all = new ArrayList<>();
        for (BaseKind kind : BaseKind.values()) {
            for (Admission admission : Admission.values()) {
                all.add(Arguments.of(kind, admission));
            }
        }
        return all.stream();
    }

    static Stream<Arguments> everyBaseAndUncountedAdmission() {
        return everyBaseAndAdmission().filter(a -> {
            Admission admission = (Admission) a.get()[1];
            return admission == Admission.SPAWN_HANDLE || admission == Admission.SPAWN_BLOCKING;
        });
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void shutdownNowHandsOutEveryTaskNotStartedWhileTheCompatThreadStopsToo(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CountDownLatch nowDecided = new CountDownLatch(1);
        CountDownLatch releaseNow = new CountDownLatch(1);
        CountDownLatch compatStopping = new CountDownLatch(1);
        CompatRuntime runtime = builder(kind)
                .clock(clock)
                .hooks(new CompatHooks() {
                    @Override
                    public void stopNowDecided() {
                        nowDecided.countDown();
                        awaitIgnoringInterrupts(releaseNow);
                    }

                    @Override
                    public void stopClaiming() {
                        compatStopping.countDown();
                    }
                })
                .build();
        List<ScheduledFuture<?>> pending = List.of(
                runtime.schedule(() -> {}, 1, TimeUnit.HOURS),
                runtime.schedule(() -> {}, 2, TimeUnit.HOURS),
                runtime.schedule(() -> {}, 3, TimeUnit.HOURS));

        CompletableFuture<List<Runnable>> shutdownNow = new CompletableFuture<>();
        onAnotherThread(() -> shutdownNow.complete(runtime.shutdownNow()));
        assertThat(nowDecided.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // shutdownNow has refused work and not yet looked at the tasks; the compat thread wakes and stops too.
        clock.advance(Duration.ofNanos(1));
        assertThat(compatStopping.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        // Either it waits for shutdownNow to finish deciding, or (the race) it has cancelled the tasks already.
        awaitTrue(() -> runtime.core().stopWaitsForAdmission() || pending.get(0).isCancelled());
        releaseNow.countDown();

        List<Runnable> neverRan = await(shutdownNow);
        assertThat(neverRan)
                .as("every task not started is handed out, none cancelled by the compat thread meanwhile")
                .containsExactlyInAnyOrderElementsOf(
                        pending.stream().map(f -> (Runnable) f).toList());
        assertThat(pending).noneMatch(Future::isCancelled);
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        neverRan.forEach(Runnable::run);
        assertThat(pending).allMatch(f -> f.isDone() && !f.isCancelled());
    }

    @ParameterizedTest
    @MethodSource("everyBaseAndAdmission")
    void aTaskAdmittedWhileShutdownNowRunsIsHandedOutOrHadStartedBeforeShutdownNowDecided(
            BaseKind kind, Admission admission) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        AdmissionHold hold = new AdmissionHold();
        CompatRuntime runtime = builder(kind).clock(clock).hooks(hold).build();
        AtomicBoolean shutdownNowReturned = new AtomicBoolean();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicBoolean startedAfterShutdownNow = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        Runnable body = () -> {
            startedAfterShutdownNow.set(shutdownNowReturned.get());
            interrupted.set(Thread.currentThread().isInterrupted());
            ranOn.set(Thread.currentThread());
        };

        hold.arm();
        CompletableFuture<Future<?>> admitted = new CompletableFuture<>();
        onAnotherThread(() -> admitted.complete(admission.admit(runtime, body)));
        hold.awaitHeld();
        // The admission found the runtime accepting and is in the middle of registering the task.
        CompletableFuture<List<Runnable>> shutdownNow = new CompletableFuture<>();
        onAnotherThread(() -> {
            List<Runnable> list = runtime.shutdownNow();
            shutdownNowReturned.set(true);
            shutdownNow.complete(list);
        });
        awaitTrue(() -> shutdownNow.isDone() || runtime.core().stopWaitsForAdmission());
        assertThat(shutdownNow.isDone())
                .as("shutdownNow decided what becomes of the tasks while one was being admitted")
                .isFalse();
        hold.release();

        Future<?> task = await(admitted); // accepted: the runtime was accepting when it looked
        List<Runnable> neverRan = await(shutdownNow);
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        if (neverRan.contains((Runnable) task)) {
            assertThat(ranOn.get())
                    .as("a task handed out never ran on the runtime")
                    .isNull();
            ((Runnable) task).run();
            assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        } else if (ranOn.get() != null && startedAfterShutdownNow.get()) {
            // Not handed out: a thread had taken the task before shutdownNow decided, which then cancelled it.
            // As on ThreadPoolExecutor, a body whose thread had taken it may begin late, but interrupted.
            assertThat(interrupted.get())
                    .as("a body that began after shutdownNow returned saw its interrupt")
                    .isTrue();
        }
        assertThat(task.isDone())
                .as("a task not handed out ran or was cancelled")
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("everyBaseAndUncountedAdmission")
    void aTaskAdmittedWhileTheIdleStopClaimsTheTasksEndsBeforeTheStopStopsWaitingForThem(
            BaseKind kind, Admission admission) throws Exception {
        AdmissionHold hold = new AdmissionHold();
        AtomicBoolean stopAwaitedTasks = new AtomicBoolean();
        CountDownLatch releaseStop = new CountDownLatch(1);
        hold.onStopAwaitedTasks = () -> {
            stopAwaitedTasks.set(true);
            awaitIgnoringInterrupts(releaseStop); // the base stays open: a late task could still run
        };
        CompatRuntime runtime = builder(kind).hooks(hold).build();
        AtomicBoolean ranAfterTheStopWaited = new AtomicBoolean();
        Runnable body = () -> ranAfterTheStopWaited.set(stopAwaitedTasks.get());

        hold.arm();
        CompletableFuture<Future<?>> admitted = new CompletableFuture<>();
        onAnotherThread(() -> admitted.complete(admission.admit(runtime, body)));
        hold.awaitHeld();
        CompletableFuture<Void> stopped = onAnotherThread(runtime::shutdownOnIdle);
        // The runtime is idle (the task is not counted): the compat thread decides to stop.
        awaitTrue(() -> stopAwaitedTasks.get() || runtime.core().stopWaitsForAdmission());
        hold.release();

        Future<?> task = await(admitted);
        awaitTrue(task::isDone); // run, or cancelled by the stop
        releaseStop.countDown();
        await(stopped);
        assertThat(runtime.isTerminated()).isTrue();
        assertThat(ranAfterTheStopWaited.get())
                .as("the task ran after the stop had waited for every task")
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void callbacksShutdownNowRunsMayWaitForAnotherThreadThatSubmits(BaseKind kind) throws Exception {
        CompatRuntime runtime = builder(kind).build();
        CountDownLatch started = new CountDownLatch(1);
        Future<?> running = runtime.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Throwable> seenByOtherThread = new CompletableFuture<>();
        // Legacy code reacting to the cancellation: it asks another thread to submit, and waits for it.
        ((CompletableFuture<?>) running).whenComplete((v, e) -> {
            CompletableFuture<Void> other = onAnotherThread(() -> runtime.submit(() -> {}));
            try {
                other.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                seenByOtherThread.complete(null);
            } catch (Exception failure) {
                seenByOtherThread.complete(failure.getCause() != null ? failure.getCause() : failure);
            }
        });
        assertThat(started.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();

        await(onAnotherThread(runtime::shutdownNow));
        assertThat(await(seenByOtherThread))
                .as("the other thread's submit is refused, not stuck behind the stop's lock")
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(running).isCancelled();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void callbacksTheIdleStopRunsMayWaitForAnotherThreadThatSpawns(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        CompatRuntime runtime = builder(kind).clock(clock).build();
        // Not counted, not due: the stop cancels it, on the compat thread.
        ScheduledFuture<?> periodic = runtime.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
        CompletableFuture<Throwable> seenByOtherThread = new CompletableFuture<>();
        ((CompletableFuture<?>) periodic).whenComplete((v, e) -> {
            CompletableFuture<Void> other = onAnotherThread(() -> runtime.spawnHandle(() -> "late"));
            try {
                other.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                seenByOtherThread.complete(null);
            } catch (Exception failure) {
                seenByOtherThread.complete(failure.getCause() != null ? failure.getCause() : failure);
            }
        });

        await(onAnotherThread(runtime::shutdownOnIdle));
        assertThat(await(seenByOtherThread))
                .as("the other thread's spawn is refused, not stuck behind the stop's lock")
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(periodic.isCancelled()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void aTaskCancelledAsItsBodyStartsNeverRunsItsBody(BaseKind kind) throws Exception {
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        CompatRuntime runtime = builder(kind)
                .hooks(new CompatHooks() {
                    @Override
                    public void bodyStarting() {
                        if (armed.compareAndSet(true, false)) {
                            starting.countDown();
                            awaitIgnoringInterrupts(go);
                        }
                    }
                })
                .build();
        AtomicBoolean ran = new AtomicBoolean();
        // A body that blocks, as legacy code does, would hold the stop forever were it started uninterrupted.
        Future<?> task = runtime.submit(() -> ran.set(true));
        assertThat(starting.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();

        // The task has started, but its thread is not yet one shutdownNow can interrupt.
        assertThat(runtime.shutdownNow()).isEmpty();
        assertThat(task.isCancelled()).isTrue();
        go.countDown();
        assertThat(runtime.awaitTermination(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(ran.get())
                .as("the body of a task cancelled before it could be interrupted ran")
                .isFalse();
    }

    /** Holds the next admission once it has found the runtime accepting, until released. */
    private static final class AdmissionHold implements CompatHooks {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        volatile Runnable onStopAwaitedTasks = () -> {};

        void arm() {
            armed.set(true);
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }

        void release() {
            released.countDown();
        }

        @Override
        public void admissionChecked() {
            if (armed.compareAndSet(true, false)) {
                held.countDown();
                awaitIgnoringInterrupts(released);
            }
        }

        @Override
        public void stopAwaitedTasks() {
            onStopAwaitedTasks.run();
        }
    }
}
