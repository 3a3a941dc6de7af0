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
 * The engine shuts down with its context: requests in flight get {@code aioduct.shutdown.grace} to
 * finish, those that outlast it are cancelled, and nothing of the runtime is left running.
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
    void anInFlightRequestFinishesWithinTheGracePeriod(String kind) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.shutdown.grace=10s")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    CompletableFuture<Response> inFlight =
                            client.get(server.uri("/hold")).send();
                    ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
                    assertThat(exchange).isNotNull();

                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                    // The engine refuses new work at once, but lets the running exchange finish.
                    HttpEngine engine = context.getSourceApplicationContext().getBean(HttpEngine.class);
                    while (!engine.isClosed()) Thread.sleep(5);
                    exchange.respond(200, "finished in time");

                    try (Response response = inFlight.get(10, TimeUnit.SECONDS)) {
                        assertThat(response.body().string()).isEqualTo("finished in time");
                    }
                    closing.get(20, TimeUnit.SECONDS);
                    assertThat(engine.runtime().isClosed()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRequestOutlastingTheGracePeriodIsCancelled(String kind) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.shutdown.grace=100ms")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    CompletableFuture<Response> inFlight =
                            client.get(server.uri("/hold")).send();
                    assertThat(held.poll(10, TimeUnit.SECONDS)).isNotNull();

                    context.close();

                    Throwable thrown = catchThrowable(() -> inFlight.get(10, TimeUnit.SECONDS));
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
