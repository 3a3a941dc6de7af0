package io.aioduct.http2;

import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.h2c;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Response;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2StreamingResponse;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Response trailers on every runtime: HTTP/2 trailing HEADERS and HTTP/1.1 chunked trailers reach {@link
 * Response#trailers()} once the body has been read, whichever way it is read, and are empty when the
 * server sent none.
 */
class Http2TrailersTest extends EngineTest {

    // ---- HTTP/2 ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void h2TrailersArriveOnceTheBodyHasBeenRead(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            LinkedBlockingQueue<H2StreamingResponse> bodies = new LinkedBlockingQueue<>();
            h2.route("/", (req, ex) -> {
                H2StreamingResponse body = ex.respondStreaming(200);
                body.write("first part, ");
                bodies.add(body);
            });
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            Response response = client.get(h2.uri("/")).execute();
            assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
            CompletableFuture<HttpHeaders> trailers = response.trailers().toCompletableFuture();
            H2StreamingResponse body = take(bodies);
            H2Support.sleep(100); // room for trailers that would wrongly complete before the end
            assertThat(trailers).as("trailers before the body ended").isNotDone();

            body.write("second part");
            body.end(Map.of("X-Checksum", "42", "x-status", "complete"));

            assertThat(response.body().string()).isEqualTo("first part, second part");
            HttpHeaders fields = await(trailers);
            assertThat(fields.first("x-checksum")).isEqualTo("42");
            assertThat(fields.first("X-Status")).isEqualTo("complete");
            assertThat(fields.size()).isEqualTo(2);
            assertThat(response.headers().contains("x-checksum"))
                    .as("trailers are not headers")
                    .isFalse();
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void h2TrailersReachEveryWayOfReadingTheBody(RuntimeKind kind) throws Exception {
        byte[] big = H2Support.randomBytes(300_000, 5);
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route(
                    "/small",
                    (req, ex) -> ex.respond(200, "small".getBytes(StandardCharsets.UTF_8), Map.of("x-t", "s")));
            h2.route("/big", (req, ex) -> ex.respond(200, big, Map.of("x-t", "b")));
            h2.route("/empty", (req, ex) -> ex.respond(200, new byte[0], Map.of("x-t", "e")));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            Response small = client.get(h2.uri("/small")).execute();
            assertThat(await(small.body().stringAsync())).isEqualTo("small");
            assertThat(await(small.trailers()).first("x-t")).isEqualTo("s");

            Response stream = client.get(h2.uri("/big")).execute();
            try (InputStream in = stream.body().inputStream()) {
                H2Support.assertSameBytes(in.readAllBytes(), big, "the body before the trailers");
            }
            assertThat(await(stream.trailers()).first("x-t")).isEqualTo("b");

            Response published = client.get(h2.uri("/big")).execute();
            H2Support.HoldingSubscriber subscriber = new H2Support.HoldingSubscriber();
            published.body().publisher().subscribe(subscriber);
            subscriber.subscription().request(Long.MAX_VALUE);
            await(subscriber.done);
            assertThat(subscriber.bytes.get()).isEqualTo(big.length);
            assertThat(await(published.trailers()).first("x-t")).isEqualTo("b");

            Response empty = client.get(h2.uri("/empty")).execute();
            assertThat(empty.body().bytes()).isEmpty();
            assertThat(await(empty.trailers()).first("x-t")).isEqualTo("e");
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void h2TrailersAreEmptyWhenTheServerSendsNone(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/plain", (req, ex) -> ex.respond(200, "plain"));
            h2.route("/streamed", (req, ex) -> {
                H2StreamingResponse body = ex.respondStreaming(200);
                body.write("streamed");
                body.end();
            });
            h2.route("/nobody", (req, ex) -> ex.respond(204, new byte[0]));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            for (String path : List.of("/plain", "/streamed", "/nobody")) {
                Response r = client.get(h2.uri(path)).execute();
                r.body().bytes();
                assertThat(await(r.trailers()).size())
                        .as("trailer fields of %s", path)
                        .isZero();
            }
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- HTTP/1.1 chunked ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http11ChunkedTrailersArriveOnceTheBodyHasBeenRead(RuntimeKind kind) throws Exception {
        server.route(
                "/trailers",
                (req, ex) -> ex.respondChunked(
                        200,
                        List.of("abc".getBytes(StandardCharsets.US_ASCII), new byte[40_000]),
                        Map.of("X-Checksum", "42", "X-Other", "yes")));
        server.route("/none", (req, ex) -> ex.respondChunked(200, List.of("abc".getBytes(StandardCharsets.US_ASCII))));
        server.route("/sized", (req, ex) -> ex.respond(200, "sized"));
        AioductClient client = client(kind);

        Response response = client.get(server.uri("/trailers")).execute();
        assertThat(response.version()).isEqualTo(HttpVersion.HTTP_1_1);
        try (InputStream in = response.body().inputStream()) {
            assertThat(in.readAllBytes()).hasSize(40_003);
        }
        HttpHeaders fields = await(response.trailers());
        assertThat(fields.first("x-checksum")).isEqualTo("42");
        assertThat(fields.first("X-Other")).isEqualTo("yes");

        Response aggregated = client.get(server.uri("/trailers")).execute();
        assertThat(aggregated.body().bytes()).hasSize(40_003);
        assertThat(await(aggregated.trailers()).first("X-Checksum")).isEqualTo("42");

        for (String path : List.of("/none", "/sized")) {
            Response r = client.get(server.uri(path)).execute();
            r.body().bytes();
            assertThat(await(r.trailers()).size())
                    .as("trailer fields of %s", path)
                    .isZero();
        }
        awaitQuiet(client.engine());
    }

    private static H2StreamingResponse take(LinkedBlockingQueue<H2StreamingResponse> queue) {
        try {
            H2StreamingResponse r = queue.poll(H2Support.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(r).as("the server's streaming response").isNotNull();
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
