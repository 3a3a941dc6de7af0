package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Closing an engine: grace for in-flight exchanges, a clear error after it, idempotence, no thread left. */
class ShutdownTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anInFlightExchangeFinishesWithinTheGracePeriod(RuntimeKind kind) throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.route("/", (req, ex) -> {
            arrived.countDown();
            ex.schedule(Duration.ofMillis(300), () -> ex.respond(200, "late but fine"));
        });
        HttpEngine engine = engine(kind);
        AioductClient client = AioductClient.builder(engine).build();
        CompletableFuture<String> body = client.get(server.uri("/"))
                .send()
                .thenCompose(r -> r.body().stringAsync())
                .toCompletableFuture();
        assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();

        engine.close(Duration.ofSeconds(10));

        assertThat(body.get(5, TimeUnit.SECONDS)).isEqualTo("late but fine");
        assertThat(liveRuntimeThreads()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anExchangeStillRunningAfterTheGracePeriodFailsWithAClearError(RuntimeKind kind) throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.route("/", (req, ex) -> {
            arrived.countDown();
            ex.stall();
        });
        HttpEngine engine = engine(kind);
        AioductClient client = AioductClient.builder(engine).build();
        CompletableFuture<Response> response = client.get(server.uri("/")).send();
        assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();

        engine.close(Duration.ofMillis(200));

        assertThatThrownBy(() -> response.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("shut down");
        assertThat(liveRuntimeThreads()).isEmpty();
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void closingIsIdempotentAndRefusesNewRequests(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        HttpEngine engine = engine(kind);
        AioductClient client = AioductClient.builder(engine).build();
        client.get(server.uri("/")).execute().close();

        engine.close();
        engine.close();

        assertThat(engine.isClosed()).isTrue();
        assertThat(liveRuntimeThreads()).isEmpty();
        assertThatThrownBy(() -> client.get(server.uri("/")).execute())
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("shut down");
        assertThat(client.get(server.uri("/")).send()).failsWithin(Duration.ofSeconds(5));
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }
}
