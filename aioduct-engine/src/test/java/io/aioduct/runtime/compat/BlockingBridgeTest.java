package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductException;
import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Blocking work beside async work: spawnBlocking, blockInPlace, and blockOn's refusal on a worker. */
class BlockingBridgeTest extends CompatTesting {

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void spawnBlockingRunsOffTheWorkersAndMayBlockOn(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            CompletableFuture<Thread> where = runtime.spawnBlocking(Thread::currentThread);
            CompletableFuture<String> waited =
                    runtime.spawnBlocking(() -> runtime.blockOn(runtime.spawnHandle(() -> "inner")));

            Thread t = await(where);
            if (kind == BaseKind.POOLED) {
                assertThat(t.getName()).startsWith(PREFIX + "-blocking-");
            } else {
                assertThat(t.isVirtual()).isTrue();
            }
            assertThat(await(waited)).isEqualTo("inner");
            assertThat(runtime.isIdle())
                    .as("spawnBlocking returns a handle: not counted")
                    .isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void blockInPlaceLetsAWorkerBlockWhileOtherTasksKeepRunning(BaseKind kind) throws Exception {
        // One worker: without compensation the second task could never run while the first one blocks.
        try (CompatRuntime runtime = builder(kind).workers(1).build()) {
            CountDownLatch unblock = new CountDownLatch(1);
            CompletableFuture<String> blocker = runtime.spawnHandle(() -> runtime.blockInPlace(() -> {
                assertThat(unblock.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                        .as("a second task ran while this worker blocked")
                        .isTrue();
                return "unblocked";
            }));
            runtime.spawn(unblock::countDown);
            assertThat(await(blocker)).isEqualTo("unblocked");
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void blockInPlaceReturnsTheValueAndRethrowsFailures(BaseKind kind) {
        try (CompatRuntime runtime = builder(kind).build()) {
            assertThat(runtime.blockInPlace(() -> 42)).isEqualTo(42);
            assertThatThrownBy(() -> runtime.blockInPlace(() -> {
                        throw new IOException("disk");
                    }))
                    .isInstanceOf(AioductException.class)
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void blockOnFromAPooledWorkerThrowsAtOnceNamingTheThread() {
        try (CompatRuntime runtime = builder(BaseKind.POOLED).build()) {
            CompletableFuture<Object> never = new CompletableFuture<>();
            CompletableFuture<Object> onWorker = runtime.spawnHandle(() -> runtime.blockOn(never));
            Future<Object> legacyOnWorker = runtime.submit(() -> runtime.blockOn((Future<Object>) never));

            for (Future<Object> attempt : java.util.List.of(onWorker, legacyOnWorker)) {
                assertThatThrownBy(() -> await(attempt))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("blockOn called on thread '" + PREFIX + "-worker-")
                        .hasMessageContaining("blockInPlace");
            }
        }
    }

    @Test
    void blockOnInsideBlockInPlaceIsAllowedOnAPooledWorker() throws Exception {
        try (CompatRuntime runtime = builder(BaseKind.POOLED).build()) {
            CompletableFuture<String> nested = runtime.spawnHandle(
                    () -> runtime.blockInPlace(() -> runtime.blockOn(runtime.spawnHandle(() -> "nested"))));
            assertThat(await(nested)).isEqualTo("nested");
        }
    }

    @Test
    void aTaskOnTheVirtualBaseMayBlockOnDirectly() throws Exception {
        try (CompatRuntime runtime = builder(BaseKind.VIRTUAL).build()) {
            CompletableFuture<String> nested =
                    runtime.spawnHandle(() -> runtime.blockOn(runtime.spawnHandle(() -> "parked, not blocked")));
            assertThat(await(nested)).isEqualTo("parked, not blocked");
        }
    }
}
