package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.Mockito.mock;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * When the context stops, the starter's shutdown phase waits for requests in flight, for at most {@code
 * spring.lifecycle.timeout-per-shutdown-phase}, before any bean is destroyed; {@code aioduct.shutdown.grace}
 * (set tiny or huge here) is not what carries them.
 */
class GracefulShutdownLifecycleTest extends NoLeaks {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));
    private final BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/hold", (req, ex) -> held.add(ex));
        server.route("/now", (req, ex) -> ex.respond(200, "now"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void anInFlightRequestFinishesWithinTheShutdownPhase(String kind) {
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.shutdown.grace=1ms",
                        "spring.lifecycle.timeout-per-shutdown-phase=60s")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    AioductGracefulShutdownLifecycle lifecycle =
                            context.getBean(AioductGracefulShutdownLifecycle.class);
                    assertThat(lifecycle.isRunning()).isTrue();
                    CompletableFuture<Response> inFlight =
                            client.get(server.uri("/hold")).send();
                    ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
                    assertThat(exchange).isNotNull();

                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                    while (lifecycle.isRunning()) Thread.sleep(5);
                    // The phase is waiting: nothing destroyed, the engine open, the request still running.
                    assertThat(engine.isClosed()).isFalse();
                    assertThat(engine.inFlight()).isEqualTo(1);
                    exchange.respond(200, "finished in time");

                    try (Response response = inFlight.get(10, TimeUnit.SECONDS)) {
                        assertThat(response.body().string()).isEqualTo("finished in time");
                    }
                    closing.get(30, TimeUnit.SECONDS);
                    assertThat(engine.isClosed()).isTrue();
                    assertThat(engine.runtime().isClosed()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRequestOutlastingTheShutdownPhaseIsCancelled(String kind) {
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.shutdown.grace=60s",
                        "spring.lifecycle.timeout-per-shutdown-phase=100ms")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    CompletableFuture<Response> inFlight =
                            client.get(server.uri("/hold")).send();
                    assertThat(held.poll(10, TimeUnit.SECONDS)).isNotNull();

                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);

                    // Within 10 s although aioduct.shutdown.grace is 60 s: the phase's budget ended it.
                    Throwable thrown = catchThrowable(() -> inFlight.get(10, TimeUnit.SECONDS));
                    assertThat(thrown)
                            .isInstanceOf(ExecutionException.class)
                            .cause()
                            .isInstanceOf(RequestCancelledException.class)
                            .hasMessageContaining("shut down");
                    closing.get(30, TimeUnit.SECONDS);
                    assertThat(engine.runtime().isClosed()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aStoppedContextStartsAgainWithItsEngine(String kind) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind).run(context -> {
            AioductClient client = context.getBean(AioductClient.class);
            context.getSourceApplicationContext().stop();
            assertThat(context.getBean(AioductGracefulShutdownLifecycle.class).isRunning())
                    .isFalse();
            // Stopping drained; it did not close: beans of later phases may still send last requests.
            try (Response response = client.get(server.uri("/now")).execute()) {
                assertThat(response.body().string()).isEqualTo("now");
            }
            context.getSourceApplicationContext().start();
            try (Response response = client.get(server.uri("/now")).execute()) {
                assertThat(response.body().string()).isEqualTo("now");
            }
        });
    }

    @Test
    void namedClientsAreDrainedToo() {
        runner.withPropertyValues(
                        "aioduct.clients.slow.runtime.kind=virtual",
                        "aioduct.shutdown.grace=1ms",
                        "spring.lifecycle.timeout-per-shutdown-phase=60s")
                .run(context -> {
                    AioductClients clients = context.getBean(AioductClients.class);
                    AioductGracefulShutdownLifecycle lifecycle =
                            context.getBean(AioductGracefulShutdownLifecycle.class);
                    CompletableFuture<Response> inFlight =
                            clients.client("slow").get(server.uri("/hold")).send();
                    ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
                    assertThat(exchange).isNotNull();

                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                    while (lifecycle.isRunning()) Thread.sleep(5);
                    assertThat(clients.engine("slow").isClosed()).isFalse();
                    exchange.respond(200, "named");

                    try (Response response = inFlight.get(10, TimeUnit.SECONDS)) {
                        assertThat(response.body().string()).isEqualTo("named");
                    }
                    closing.get(30, TimeUnit.SECONDS);
                    assertThat(clients.engine("slow").runtime().isClosed()).isTrue();
                });
    }

    @Test
    void thePhaseComesAfterTheWebServerDrainedAndStopped() {
        // Stop runs from the highest phase down. Boot's web server stop is 1024 below its graceful drain.
        int webServerDrain = new WebServerGracefulShutdownLifecycle(mock(WebServer.class)).getPhase();
        int webServerStop = webServerDrain - 1024;
        assertThat(AioductGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
                .isLessThan(webServerStop)
                .isGreaterThan(0);
        assertThat(webServerStop).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
    }
}
