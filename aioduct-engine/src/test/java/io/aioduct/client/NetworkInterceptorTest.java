package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Interceptor;
import io.aioduct.Response;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Application interceptors wrap the call; network interceptors run after the built-in policies, just
 * before the engine, and see the request as it goes out (with what the application interceptors added); on
 * every runtime over every protocol.
 */
class NetworkInterceptorTest extends MatrixTest {

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void networkInterceptorsRunAfterTheApplicationOnesOnBothKindsOfCall(RuntimeKind kind, Protocol protocol)
            throws Exception {
        MatrixServer server = serve(protocol);
        server.route("/n", (req, reply) -> reply.respond(200, "ok"));
        List<String> order = new CopyOnWriteArrayList<>();
        Interceptor application = chain -> {
            order.add("application");
            return chain.proceed(
                    chain.request().toBuilder().header("X-App", "1").build());
        };
        Interceptor network = chain -> {
            order.add("network sees X-App=" + chain.request().headers().first("X-App"));
            return chain.proceed(
                            chain.request().toBuilder().header("X-Net", "2").build())
                    .thenApply(response -> {
                        order.add("network got " + response.status());
                        return response;
                    });
        };
        AioductClient client = AioductClient.builder(matrixEngine(kind, protocol.config()))
                .networkInterceptor(network)
                .interceptor(application)
                .build();

        try (Response r = client.get(server.uri("/n")).execute()) {
            assertThat(r.body().string()).isEqualTo("ok");
        }
        try (Response r = client.get(server.uri("/n")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(r.body().string()).isEqualTo("ok");
        }

        assertThat(order)
                .containsExactly(
                        "application",
                        "network sees X-App=1",
                        "network got 200",
                        "application",
                        "network sees X-App=1",
                        "network got 200");
        for (int i = 0; i < 2; i++) {
            RecordedRequest seen = server.takeRequest();
            assertThat(seen.header("X-App")).isEqualTo("1");
            assertThat(seen.header("X-Net")).isEqualTo("2");
        }
        assertThat(client.newBuilder().build().toString()).contains("AioductClient");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aNetworkInterceptorAloneStillReachesTheEngine(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        server.route("/alone", (req, reply) -> reply.respond(204, ""));
        List<String> seen = new CopyOnWriteArrayList<>();
        AioductClient client = AioductClient.builder(matrixEngine(kind, protocol.config()))
                .networkInterceptor(chain -> {
                    seen.add(chain.request().uri().getPath());
                    return chain.proceed(chain.request());
                })
                .build();

        try (Response r = client.get(server.uri("/alone")).execute()) {
            assertThat(r.status()).isEqualTo(204);
        }
        try (Response r =
                client.newBuilder().build().get(server.uri("/alone")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(r.status()).isEqualTo(204);
        }
        assertThat(seen).containsExactly("/alone", "/alone");
        awaitQuiet(client.engine());
    }
}
