package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Where io_uring cannot run (here: Netty's native transports are disabled for the whole JVM, which the
 * {@code no-native-transport} surefire execution does), {@code aioduct.runtime.kind=io-uring} fails
 * start-up naming the properties that fix it, and the pooled runtime still starts, on NIO.
 */
@EnabledIfSystemProperty(named = "io.netty.transport.noNative", matches = "true")
class NoNativeTransportTest extends NoLeaks {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    @Test
    void ioUringWithoutFallbackFailsNamingTheFallbackAndTheKinds() {
        runner.withPropertyValues("aioduct.runtime.kind=io-uring").run(context -> {
            assertThat(context).hasFailed();
            assertThat(startupException(context.getStartupFailure()))
                    .cause()
                    .isInstanceOf(io.aioduct.runtime.RuntimeUnavailableException.class);
            assertThat(startupException(context.getStartupFailure()))
                    .hasMessageContaining("aioduct.runtime.kind=io-uring cannot run here")
                    .hasMessageContaining("aioduct.runtime.io-uring-fallback=epoll")
                    .hasMessageContaining("pooled, virtual, io-uring");
        });
    }

    @Test
    void ioUringWithTheEpollFallbackStillFailsWhenEpollCannotRunEither() {
        runner.withPropertyValues("aioduct.runtime.kind=io-uring", "aioduct.runtime.io-uring-fallback=epoll")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(startupException(context.getStartupFailure()))
                            .hasMessageContaining("aioduct.runtime.io-uring-fallback=epoll")
                            .hasMessageContaining("noNative")
                            .hasMessageContaining("aioduct.runtime.kind to pooled or virtual");
                });
    }

    @Test
    void aNamedIoUringClientFailsStartUpNamingItsPropertyAndTheDefaultEngineIsClosed() {
        runner.withPropertyValues("aioduct.clients.edge.runtime.kind=io-uring").run(context -> {
            assertThat(context).hasFailed();
            assertThat(startupException(context.getStartupFailure()))
                    .hasMessageContaining("aioduct.clients.edge.runtime.kind=io-uring cannot run here");
        });
        // NoLeaks: the default engine, started before the named one failed, left no thread behind.
    }

    private static Throwable startupException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RuntimeUnavailableAtStartupException) {
                return t;
            }
        }
        throw new AssertionError("no RuntimeUnavailableAtStartupException in", failure);
    }

    @Test
    void thePooledRuntimeRunsOnNio() {
        runner.run(context ->
                assertThat(context.getBean(HttpEngine.class).runtime().name()).isEqualTo("pooled(nio)"));
    }
}
