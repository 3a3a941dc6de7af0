package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The single-thread flavour: tasks run on the calling thread, only while it drives the runtime. */
class CurrentThreadRuntimeTest extends CompatTesting {

    @Test
    void tasksRunOnlyInsideBlockOnOnTheCallingThread() {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            List<Thread> ranOn = new ArrayList<>();
            runtime.spawn(() -> ranOn.add(Thread.currentThread()));
            CompletableFuture<String> handle = runtime.spawnHandle(() -> "value");
            assertThat(ranOn).isEmpty();
            assertThat(handle).isNotDone();

            assertThat(runtime.blockOn(handle)).isEqualTo("value");
            assertThat(ranOn).containsExactly(Thread.currentThread());
            assertThat(liveThreads(PREFIX)).isEmpty();
        }
    }

    @Test
    void tasksMayShareStateThatIsNotThreadSafe() throws Exception {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            List<Integer> plainList = new ArrayList<>(); // no lock: every task runs on this thread
            List<Thread> threads = new ArrayList<>();
            CurrentThreadRuntime.Handle handle = runtime.handle();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                senders.add(onAnotherThread(() -> {
                    for (int i = 0; i < 250; i++) {
                        handle.spawn(() -> {
                            plainList.add(1);
                            threads.add(Thread.currentThread());
                        });
                    }
                }));
            }
            for (int i = 0; i < 1000; i++) {
                runtime.spawn(() -> plainList.add(1));
            }
            runtime.blockOn(CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)));
            runtime.runUntilIdle();

            assertThat(plainList).hasSize(2000);
            assertThat(threads).hasSize(1000).containsOnly(Thread.currentThread());
        }
    }

    @Test
    void theHandleSpawnsFromAnotherThreadIntoTheRunningRuntime() {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            CurrentThreadRuntime.Handle handle = runtime.handle();
            CompletableFuture<CompletableFuture<Thread>> viaHandle = new CompletableFuture<>();
            onAnotherThread(() -> viaHandle.complete(handle.spawnHandle(Thread::currentThread)));

            CompletableFuture<Thread> ran = runtime.blockOn(viaHandle);
            assertThat(runtime.blockOn(ran)).isSameAs(Thread.currentThread());
        }
    }

    @Test
    void runUntilIdleWaitsForCountedTasksButNotForHandles() throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime(clock)) {
            CountDownLatch sleeping = new CountDownLatch(1);
            List<String> seen = new ArrayList<>();
            runtime.spawnAsync(() -> {
                CompletableFuture<Void> nap =
                        runtime.sleep(Duration.ofSeconds(5)).toCompletableFuture();
                sleeping.countDown();
                return nap.thenRun(() -> seen.add("woke"));
            });
            CompletableFuture<Object> neverDone = runtime.spawnHandleAsync(CompletableFuture::new);
            CompletableFuture<Void> advancer = onAnotherThread(() -> {
                sleeping.await();
                clock.advance(Duration.ofSeconds(5));
            });

            runtime.runUntilIdle();
            assertThat(seen).containsExactly("woke");
            assertThat(neverDone).isNotDone();
            assertThat(runtime.isIdle()).isTrue();
            await(advancer);
        }
    }

    @Test
    void blockOnWorksTwiceInARowAndLeavesTheRuntimeIdle() {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            assertThat(runtime.blockOn(runtime.spawnHandle(() -> "one"))).isEqualTo("one");
            assertThat(runtime.blockOn(runtime.spawnHandleAsync(() -> CompletableFuture.completedFuture("two"))))
                    .isEqualTo("two");
            assertThat(runtime.isIdle()).isTrue();
        }
    }

    @Test
    void blockOnFromInsideATaskThrowsInsteadOfDeadlocking() {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            CompletableFuture<Object> inner = runtime.spawnHandle(() -> runtime.blockOn(new CompletableFuture<>()));
            assertThatThrownBy(() -> runtime.blockOn(inner))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("blockOn called from a task of current-thread(")
                    .hasMessageContaining("would deadlock");
        }
    }

    @Test
    void otherThreadsMustUseTheHandle() throws Exception {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            CompletableFuture<Void> direct = onAnotherThread(() -> runtime.spawn(() -> {}));
            assertThatThrownBy(() -> await(direct))
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("other threads spawn through handle()");
        }
    }

    @Test
    void aFailingCountedTaskDoesNotKeepItBusy() {
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            runtime.spawn(() -> {
                throw new IllegalStateException("failed on purpose");
            });
            runtime.spawnAsync(() -> CompletableFuture.failedFuture(new IllegalStateException("stage failed")));
            runtime.runUntilIdle();
            assertThat(runtime.isIdle()).isTrue();
        }
    }

    @Test
    void staticRunDrivesUntilIdleAndCurrentFindsTheRuntime() {
        List<String> seen = new ArrayList<>();
        CurrentThreadRuntime.run(() -> {
            CurrentThreadRuntime runtime = CurrentThreadRuntime.current();
            runtime.spawn(() -> seen.add("child"));
            runtime.spawnAsync(() -> runtime.sleep(Duration.ofMillis(1)).thenRun(() -> seen.add("after sleep")));
            seen.add("boot");
        });
        assertThat(seen).containsExactly("boot", "child", "after sleep");
    }

    @Test
    void closingCancelsWhatHasNotRunAndRefusesMore() {
        CurrentThreadRuntime runtime = new CurrentThreadRuntime();
        CompletableFuture<String> pending = runtime.spawnHandle(() -> "never");
        CompletableFuture<Void> nap = runtime.sleep(Duration.ofHours(1)).toCompletableFuture();
        runtime.close();

        assertThat(pending).isCancelled();
        assertThat(nap).isCancelled();
        assertThatThrownBy(() -> runtime.spawn(() -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> runtime.handle().spawn(() -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThat(runtime.isClosed()).isTrue();
    }
}
