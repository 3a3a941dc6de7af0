package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.runtime.RuntimeExecutor;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import io.aioduct.testing.EngineTest;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Building a compat runtime: defaults, a base of one's own, and settings refused with a clear message. */
class CompatBuilderTest extends CompatTesting {

    @Test
    void thePlainConstructorRunsOnAPooledBaseWithAioductThreadNames() throws Exception {
        CompatRuntime runtime = new CompatRuntime();
        try {
            assertThat(runtime.name()).startsWith("compat(pooled(");
            assertThat(await(runtime.spawnHandle(() -> Thread.currentThread().getName())))
                    .startsWith("aioduct-worker-");
            assertThat(liveThreads("aioduct-compat")).containsExactly("aioduct-compat");
        } finally {
            runtime.close();
        }
        assertThat(EngineTest.liveRuntimeThreads()).isEmpty();
    }

    @Test
    void aGivenBaseRuntimeRunsTheTasksAndIsClosedWithTheCompatRuntime() throws Exception {
        VirtualThreadRuntime base = VirtualThreadRuntime.create(PREFIX + "-given");
        CompatRuntime runtime =
                CompatRuntime.builder().base(base).threadNamePrefix(PREFIX).build();
        assertThat(runtime.name()).isEqualTo("compat(virtual)");
        CompletableFuture<Boolean> virtual = new CompletableFuture<>();
        RuntimeExecutor.of(runtime)
                .execute(() -> virtual.complete(Thread.currentThread().isVirtual()));
        assertThat(await(virtual)).isTrue();

        runtime.shutdownOnIdle();
        assertThat(base.isClosed()).isTrue();
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        CompatRuntime.Builder builder = CompatRuntime.builder();
        assertThatThrownBy(() -> builder.workers(0)).hasMessage("workers must be >= 1, was 0");
        assertThatThrownBy(() -> builder.maxBlockingThreads(0)).hasMessage("maxBlockingThreads must be >= 1, was 0");
        assertThatThrownBy(() -> builder.threadNamePrefix(" ")).hasMessage("threadNamePrefix must not be blank");
        try (CompatRuntime other = builder(CompatRuntime.BaseKind.VIRTUAL).build()) {
            assertThatThrownBy(() -> builder.base(other))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a compat runtime cannot be the base of another one");
        }
    }
}
