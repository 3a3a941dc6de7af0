package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.runtime.RuntimeStats;
import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The compat runtime's {@link RuntimeStats}: its own tasks, over its base's threads. */
class CompatStatsTest extends CompatTesting {

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void statsCountTasksWhileTheyRunAndAfter(BaseKind kind) throws Exception {
        try (CompatRuntime runtime = builder(kind).build()) {
            RuntimeStats before = runtime.stats();
            assertThat(before.kind()).isEqualTo("compat");
            assertThat(before.tasksRunning()).isZero();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                runtime.spawn(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertThat(started.await(HANG_GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();

            RuntimeStats during = runtime.stats();
            assertThat(during.tasksRunning()).isEqualTo(2);
            assertThat(during.tasksSpawned() - before.tasksSpawned()).isEqualTo(2);
            // The base's threads carrying the tasks, and the compat thread.
            assertThat(during.threads()).isGreaterThanOrEqualTo(2);
            assertThat(during.cores()).isEmpty();

            release.countDown();
            awaitTrue(() -> runtime.stats().tasksRunning() == 0);
            assertThat(runtime.stats().tasksSpawned()).isEqualTo(during.tasksSpawned());
        }
    }
}
