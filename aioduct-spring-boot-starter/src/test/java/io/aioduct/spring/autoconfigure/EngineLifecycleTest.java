package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.TestServer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The engine shuts down with its context: requests in flight when the engine closes (those a bean sends as
 * it is destroyed, after the stop phase drained the rest, see {@link GracefulShutdownLifecycleTest}) get
 * {@code aioduct.shutdown.grace} to finish, those that outlast it are cancelled, and nothing of the runtime is
 * left running.
 */
class EngineLifecycleTest extends NoLeaks {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));
    private final BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/hold", (req, ex) -> held.add(ex));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aLastRequestInFlightFinishesWithinTheGracePeriod(String kind) {
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.shutdown.grace=10s",
                        "farewell.url=" + server.uri("/hold"))
                .withUserConfiguration(FarewellConfiguration.class)
                .run(context -> {
                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                    ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
                    assertThat(exchange).isNotNull();
                    // The engine refuses new work at once, but lets the running exchange finish.
                    HttpEngine engine = context.getSourceApplicationContext().getBean(HttpEngine.class);
                    while (!engine.isClosed()) Thread.sleep(5);
                    exchange.respond(200, "finished in time");

                    try (Response response = Farewell.sent.get(10, TimeUnit.SECONDS)) {
                        assertThat(response.body().string()).isEqualTo("finished in time");
                    }
                    closing.get(20, TimeUnit.SECONDS);
                    assertThat(engine.runtime().isClosed()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aLastRequestOutlastingTheGracePeriodIsCancelled(String kind) {
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.shutdown.grace=100ms",
                        "farewell.url=" + server.uri("/hold"))
                .withUserConfiguration(FarewellConfiguration.class)
                .run(context -> {
                    context.close();
                    assertThat(held.poll(10, TimeUnit.SECONDS)).isNotNull();

                    Throwable thrown = catchThrowable(() -> Farewell.sent.get(10, TimeUnit.SECONDS));
                    assertThat(thrown)
                            .isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(RequestCancelledException.class);
                });
    }

    @Test
    void aBeanMaySendALastRequestWhenItIsDestroyed() {
        server.route("/goodbye", (req, ex) -> ex.respond(200, "bye"));
        LastWords.sent.set(null);
        runner.withPropertyValues("lastwords.url=" + server.uri("/goodbye"))
                .withUserConfiguration(LastWordsConfiguration.class)
                .run(context -> assertThat(context).hasSingleBean(LastWords.class));
        assertThat(LastWords.sent.get()).isEqualTo("200 bye");
    }

    @Configuration(proxyBeanMethods = false)
    static class LastWordsConfiguration {
        @Bean
        LastWords lastWords(AioductClient client, @Value("${lastwords.url}") String url) {
            return new LastWords(client, url);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FarewellConfiguration {
        @Bean
        Farewell farewell(AioductClient client, @Value("${farewell.url}") String url) {
            Farewell.sent = new CompletableFuture<>();
            return new Farewell(client, url);
        }
    }

    /** Sends a request as it is destroyed, without waiting for it: the engine closes while it is in flight. */
    record Farewell(AioductClient client, String url) implements DisposableBean {
        static volatile CompletableFuture<Response> sent = new CompletableFuture<>();

        @Override
        public void destroy() {
            client.get(url).send().whenComplete((r, e) -> {
                if (e != null) sent.completeExceptionally(e);
                else sent.complete(r);
            });
        }
    }

    /** Deregisters itself over HTTP as the context closes, as a service registry client would. */
    record LastWords(AioductClient client, String url) implements DisposableBean {
        static final AtomicReference<String> sent = new AtomicReference<>();

        @Override
        public void destroy() {
            try (Response response = client.get(url).execute()) {
                sent.set(response.status() + " " + response.body().string());
            }
        }
    }
}
