package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The new face: stage-returning spawns, handles, sleep and blockOn. */
class NewFaceTest extends CompatTesting {

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void newStyleSpawnsRun(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (CompatRuntime runtime = builder(kind).clock(clock).build()) {
            CountDownLatch asleep = new CountDownLatch(1);
            runtime.spawnAsync(() -> {
                CompletionStage<Void> nap = runtime.sleep(Duration.ofSeconds(2));
                asleep.countDown();
                return nap.thenRun(() -> seen.add("after sleep"));
            });
            runtime.spawn(() -> seen.add("runnable"));
            assertThat(runtime.countedTasks()).isPositive();

            asleep.await(); // the deadline is taken when sleep() is called: move the clock only after that
            clock.advance(Duration.ofSeconds(2));
            runtime.awaitIdle();
            assertThat(seen).containsExactlyInAnyOrder("runnable", "after sleep");
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void spawnHandleCarriesTheResultInBothFlavours(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            CompletableFuture<String> legacy = runtime.spawnHandle(() -> "from a callable");
            CompletableFuture<String> modern =
                    runtime.spawnHandleAsync(() -> CompletableFuture.supplyAsync(() -> "from a stage"));
            CompletableFuture<String> failed = runtime.spawnHandleAsync(
                    () -> CompletableFuture.failedFuture(new UncheckedIOException("down", new java.io.IOException())));

            assertThat(await(legacy)).isEqualTo("from a callable");
            assertThat(await(modern)).isEqualTo("from a stage");
            assertThatThrownBy(() -> await(failed))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UncheckedIOException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void sleepCompletesNoEarlierThanTheClockSays(BaseKind kind) throws Exception {
        ManualCompatClock clock = new ManualCompatClock();
        try (CompatRuntime runtime = builder(kind).clock(clock).build()) {
            CompletableFuture<Void> three = runtime.sleep(Duration.ofSeconds(3)).toCompletableFuture();
            CompletableFuture<Void> two = runtime.sleep(Duration.ofSeconds(2)).toCompletableFuture();

            clock.advance(Duration.ofSeconds(2));
            await(two);
            assertThat(three).isNotDone();

            clock.advance(Duration.ofSeconds(1));
            await(three);
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void blockOnWorksTwiceInARow(BaseKind kind) {
        try (CompatRuntime runtime = builder(kind).build()) {
            assertThat(runtime.blockOn(runtime.spawnHandle(() -> 1))).isEqualTo(1);
            assertThat(runtime.blockOn(runtime.spawnHandleAsync(() -> CompletableFuture.completedFuture(2))))
                    .isEqualTo(2);
            Future<Integer> legacy = runtime.submit(() -> 3);
            assertThat(runtime.blockOn(legacy)).isEqualTo(3);
            assertThatThrownBy(() -> runtime.blockOn(runtime.spawnHandle(() -> {
                        throw new IllegalArgumentException("bad input");
                    })))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad input");
        }
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void theRuntimeIsIdleAfterBlockOn(BaseKind kind) {
        CompatRuntime runtime = builder(kind).build();
        String value = runtime.blockOn(runtime.spawnHandleAsync(
                () -> runtime.sleep(Duration.ofMillis(1)).thenApply(v -> "slept")));
        assertThat(value).isEqualTo("slept");
        assertThat(runtime.isIdle()).isTrue();
        assertThat(runtime.shutdownOnIdle()).isCompleted();
        assertThat(runtime.isTerminated()).isTrue();
    }
}
