package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import io.aioduct.runtime.compat.CompatRuntime;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.spring.testing.NoLeaks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * {@code aioduct.compat.*}: the engine on a compat runtime over the chosen runtime, and that runtime as the
 * application's task executor and scheduler when asked, in place of Spring Boot's.
 */
class AioductCompatAutoConfigurationTest extends NoLeaks {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductCompatAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class,
                    TaskSchedulingAutoConfiguration.class));

    @ParameterizedTest
    @CsvSource({"pooled, compat(pooled(epoll))", "virtual, compat(virtual)"})
    void compatPutsTheEngineOnACompatRuntimeOverTheChosenOne(String kind, String name) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.compat.enabled=true")
                .run(context -> {
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    assertThat(engine.runtime()).isInstanceOf(CompatRuntime.class);
                    assertThat(engine.runtime().name()).isEqualTo(name);
                    assertThat(context.getBean(AioductClient.class).engine()).isSameAs(engine);
                });
    }

    @Test
    void withoutCompatTheEngineRunsOnThePlainRuntime() {
        runner.run(context ->
                assertThat(context.getBean(HttpEngine.class).runtime()).isInstanceOf(PooledRuntime.class));
    }

    @Test
    void compatAloneLeavesSpringBootsTaskExecutorAndSchedulerAlone() {
        runner.withPropertyValues("aioduct.compat.enabled=true").run(context -> {
            assertThat(context.getBean(AioductCompatAutoConfiguration.APPLICATION_TASK_EXECUTOR))
                    .isInstanceOf(ThreadPoolTaskExecutor.class);
            assertThat(context).doesNotHaveBean(ConcurrentTaskScheduler.class);
        });
    }

    @ParameterizedTest
    @CsvSource({"pooled", "virtual"})
    void taskExecutorMakesTheRuntimeTheApplicationsExecutorAndScheduler(String kind) {
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.compat.enabled=true",
                        "aioduct.compat.task-executor=true")
                .run(context -> {
                    CompatRuntime runtime =
                            (CompatRuntime) context.getBean(HttpEngine.class).runtime();
                    assertThat(context).hasSingleBean(TaskExecutor.class).hasSingleBean(TaskScheduler.class);
                    ConcurrentTaskScheduler executor = (ConcurrentTaskScheduler)
                            context.getBean(AioductCompatAutoConfiguration.APPLICATION_TASK_EXECUTOR);
                    assertThat(context.getBean("taskScheduler")).isSameAs(executor);
                    assertThat(context.getBean(TaskScheduler.class)).isSameAs(executor);
                    assertThat(executor.getConcurrentExecutor()).isSameAs(runtime);

                    CompletableFuture<CompatRuntime> ranOn = executor.submitCompletable(CompatRuntime::current);
                    assertThat(ranOn.get(10, TimeUnit.SECONDS)).isSameAs(runtime);
                });
    }

    @Test
    void taskDecoratorsDecorateTheRuntimesTasks() {
        runner.withPropertyValues("aioduct.compat.enabled=true", "aioduct.compat.task-executor=true")
                .withBean(
                        TaskDecorator.class,
                        () -> task -> () -> {
                            DecoratedMarker.MARK.set("decorated");
                            try {
                                task.run();
                            } finally {
                                DecoratedMarker.MARK.remove();
                            }
                        })
                .run(context -> {
                    AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
                    assertThat(executor.submitCompletable(DecoratedMarker.MARK::get)
                                    .get(10, TimeUnit.SECONDS))
                            .isEqualTo("decorated");
                });
    }

    @Test
    void theRuntimeStopsWithTheContextAndLeavesNoThread() {
        CompatRuntime[] runtime = new CompatRuntime[1];
        runner.withPropertyValues("aioduct.compat.enabled=true", "aioduct.compat.task-executor=true")
                .run(context -> {
                    runtime[0] =
                            (CompatRuntime) context.getBean(HttpEngine.class).runtime();
                    // A periodic legacy task is running when the context closes.
                    context.getBean(TaskScheduler.class).scheduleAtFixedRate(() -> {}, Duration.ofMillis(10));
                });
        assertThat(runtime[0].isTerminated()).isTrue();
        awaitNoRuntimeThreads();
    }

    @Test
    void taskExecutorNeedsTheEngineOnACompatRuntime() {
        runner.withPropertyValues("aioduct.compat.enabled=true", "aioduct.compat.task-executor=true")
                .withBean(HttpEngine.class, Aioduct::pooled)
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("aioduct.compat.task-executor=true needs the engine on a compat runtime")
                        .hasMessageContaining("pooled(epoll)"));
    }

    /** What the decorator sets around each task. */
    private static final class DecoratedMarker {
        static final ThreadLocal<String> MARK = new ThreadLocal<>();
    }
}
