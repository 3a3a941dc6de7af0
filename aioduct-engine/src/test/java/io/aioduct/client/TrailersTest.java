package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpHeaders;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Trailer fields both ways, over HTTP/1.1 (chunked) and HTTP/2 (a final HEADERS frame), on every runtime. */
class TrailersTest extends EngineTest {

    private static EngineConfig h2c() {
        return EngineConfig.builder()
                .http2(Http2Options.DEFAULT.withPriorKnowledge(true))
                .build();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http1ResponseTrailersArriveAfterTheBody(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respondChunked(200, List.of("part".getBytes()), Map.of("X-Sum", "123")));
        Response r = client(kind).get(server.uri("/")).execute();

        assertThat(r.body().string()).isEqualTo("part");
        assertThat(r.trailers().toCompletableFuture().get(5, TimeUnit.SECONDS).first("x-sum"))
                .isEqualTo("123");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responsesWithoutTrailersHaveNone(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "plain"));
        Response r = client(kind).get(server.uri("/")).execute();

        assertThat(r.body().string()).isEqualTo("plain");
        assertThat(r.trailers().toCompletableFuture().get(5, TimeUnit.SECONDS).size())
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http1RequestTrailersGoChunkedAfterTheBody(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(kind);

        client.post(server.uri("/"))
                .body(RequestBody.ofString("payload"))
                .trailers(() -> HttpHeaders.of("X-Checksum", "abc"))
                .execute()
                .close();
        client.post(server.uri("/"))
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[50_000]), 50_000))
                .trailers(() -> HttpHeaders.of("X-Count", "50000"))
                .execute()
                .close();

        RecordedRequest small = server.takeRequest();
        assertThat(small.chunked()).isTrue();
        assertThat(small.bodyAsString()).isEqualTo("payload");
        assertThat(small.trailer("X-Checksum")).isEqualTo("abc");
        RecordedRequest streamed = server.takeRequest();
        assertThat(streamed.bodySize()).isEqualTo(50_000);
        assertThat(streamed.trailer("X-Count")).isEqualTo("50000");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http2TrailersBothWays(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route(
                    "/",
                    (req, ex) -> ex.respond(200, ("got " + req.bodyAsString()).getBytes(), Map.of("grpc-status", "0")));
            AioductClient client = client(kind, h2c(), b -> {});

            Response r = client.post(h2.uri("/"))
                    .body(RequestBody.ofString("data"))
                    .trailers(() -> HttpHeaders.of("X-Signature", "sig"))
                    .execute();

            assertThat(r.body().string()).isEqualTo("got data");
            assertThat(r.trailers()
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS)
                            .first("grpc-status"))
                    .isEqualTo("0");
            RecordedRequest req = h2.takeRequest();
            assertThat(req.trailer("x-signature")).isEqualTo("sig");

            client.get(h2.uri("/"))
                    .trailers(() -> HttpHeaders.of("X-Empty-Body", "yes"))
                    .execute()
                    .close();
            assertThat(h2.takeRequest().trailer("x-empty-body")).isEqualTo("yes");
        }
    }
}
