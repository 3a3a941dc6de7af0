package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cancelling the future {@code send} returns when the client has interceptors: the exchange under them
 * is aborted, and a response that arrives anyway is closed, so a pool of one connection never stays
 * taken. (Without interceptors the engine's own future is returned and cancels itself.)
 */
class InterceptorCancellationTest extends EngineTest {

    private AioductClient oneConnectionClient(RuntimeKind kind, io.aioduct.Interceptor interceptor) {
        HttpEngine engine = singlePoolEngine(
                kind,
                EngineConfig.builder()
                        .pool(PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(1))
                        .build());
        return AioductClient.builder(engine).interceptor(interceptor).build();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingTheSendAbortsTheExchangeUnderTheInterceptors(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/stall", (req, ex) -> held.add(ex));
        server.route("/next", (req, ex) -> ex.respond(200, "next"));
        // A derived stage, as most interceptors return: cancelling it alone would not reach the engine.
        AioductClient client = oneConnectionClient(
                kind, chain -> chain.proceed(chain.request()).thenApply(response -> response));

        CompletableFuture<Response> stalled = client.get(server.uri("/stall")).send();
        assertThat(held.poll(5, TimeUnit.SECONDS))
                .as("the stalled request reached the server")
                .isNotNull();
        assertThat(stalled.cancel(true)).isTrue();

        try (Response next = client.get(server.uri("/next")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(next.body().string()).isEqualTo("next");
        }
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResponseArrivingAfterTheCancelIsClosed(RuntimeKind kind) throws Exception {
        // Half a body: the connection stays taken until someone reads or closes the response.
        server.route(
                "/slow-interceptor", (req, ex) -> ex.respondStreaming(200, 10).write("12345"));
        server.route("/next", (req, ex) -> ex.respond(200, "next"));
        CountDownLatch answered = new CountDownLatch(1);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AioductClient client = oneConnectionClient(
                kind,
                chain -> chain.proceed(chain.request()).thenCompose(response -> {
                    answered.countDown();
                    return gate.thenApply(v -> response);
                }));

        CompletableFuture<Response> send =
                client.get(server.uri("/slow-interceptor")).send();
        assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(send.cancel(true)).isTrue();
        gate.complete(null);

        awaitQuiet(client.engine());
        try (Response next = client.get(server.uri("/next")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(next.body().string()).isEqualTo("next");
        }
    }
}
