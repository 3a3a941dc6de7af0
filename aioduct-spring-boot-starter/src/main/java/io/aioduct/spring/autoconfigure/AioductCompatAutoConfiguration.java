package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.HttpEngine;
import io.aioduct.runtime.compat.CompatRuntime;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

/**
 * With {@code aioduct.compat.task-executor=true}, the engine's compat runtime is also the application's
 * task executor and scheduler: one bean, {@code applicationTaskExecutor} (alias {@code taskScheduler}),
 * adapting the runtime to Spring's {@code AsyncTaskExecutor} and {@code TaskScheduler}. Ordered before
 * Spring Boot's task execution and scheduling auto-configuration, whose executor and scheduler then back
 * off: {@code @Async} and {@code @Scheduled} methods run on the runtime's threads, sharing them with the
 * engine, and so does whatever else Spring Boot hands the application task executor (Spring MVC's async
 * requests, background bean initialization). {@link TaskDecorator} beans decorate its tasks, as they would
 * Spring Boot's own executor's.
 *
 * <p>One bean for both roles: Spring looks up the unique {@code TaskExecutor} for {@code @Async}, and two
 * adapters would be two. It holds nothing to close; the runtime stops after the engine, once every bean
 * that uses it is gone ({@link ManagedEngines}). {@code spring.task.execution.*} and {@code
 * spring.task.scheduling.*} do not apply to it.
 */
@AutoConfiguration(
        after = AioductAutoConfiguration.class,
        beforeName = {
            "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
            "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration"
        })
@ConditionalOnProperty(name = "aioduct.compat.task-executor", havingValue = "true")
@ConditionalOnBean(HttpEngine.class)
public final class AioductCompatAutoConfiguration {

    /** Spring Boot's name for the application's executor; {@code @Scheduled} finds a scheduler by type, or by the alias. */
    static final String APPLICATION_TASK_EXECUTOR = "applicationTaskExecutor";

    @Bean(name = {APPLICATION_TASK_EXECUTOR, "taskScheduler"})
    ConcurrentTaskScheduler applicationTaskExecutor(HttpEngine engine, ObjectProvider<TaskDecorator> decorators) {
        if (!(engine.runtime() instanceof CompatRuntime runtime)) {
            throw new IllegalStateException("aioduct.compat.task-executor=true needs the engine on a compat runtime, "
                    + "but it runs on " + engine.runtime().name() + ": set aioduct.compat.enabled=true, or build the "
                    + "application's own HttpEngine bean on a CompatRuntime");
        }
        ConcurrentTaskScheduler scheduler = new ConcurrentTaskScheduler(runtime, runtime);
        List<TaskDecorator> found = decorators.orderedStream().toList();
        if (!found.isEmpty()) {
            scheduler.setTaskDecorator(found.size() == 1 ? found.get(0) : new CompositeTaskDecorator(found));
        }
        return scheduler;
    }
}
