package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpVersion;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The everyday exchange on every runtime: methods, headers, bodies both ways, keep-alive. */
class BasicExchangeTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void getReturnsStatusVersionHeadersAndBody(RuntimeKind kind) {
        server.route(
                "/hello",
                (req, ex) -> ex.respond(
                        200, "hello".getBytes(), "X-Reply", "yes", "Content-Type", "text/plain; charset=utf-8"));
        AioductClient client = client(kind);

        try (Response r = client.get(server.uri("/hello")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(r.headers().first("x-reply")).isEqualTo("yes");
            assertThat(r.body().string()).isEqualTo("hello");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void sendCompletesAsynchronouslyWithTheBody(RuntimeKind kind) throws Exception {
        server.route("/async", (req, ex) -> ex.respond(200, "async body"));
        AioductClient client = client(kind);

        String body = client.get(server.uri("/async"))
                .send()
                .thenCompose(r -> r.body().stringAsync())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        assertThat(body).isEqualTo("async body");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void keepAliveReusesConnectionsForSequentialRequests(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(kind);

        for (int i = 0; i < 6; i++) {
            assertThat(client.get(server.uri("/n" + i)).execute().body().string())
                    .isEqualTo("ok");
        }

        // io_uring sends requests from a non-core thread to the cores round-robin, and each core keeps
        // its own connection; the other runtimes share one pool.
        int connections = connectionsPerOrigin(client);
        assertThat(server.connectionsAccepted()).isEqualTo(connections);
        assertThat(server.requests())
                .filteredOn(r -> r.requestIndexOnConnection() > 0)
                .hasSize(6 - connections);
    }

    /** How many connections sequential requests from the test thread spread over. */
    static int connectionsPerOrigin(AioductClient client) {
        return client.engine().runtime() instanceof io.aioduct.runtime.RuntimeLocal local ? local.cores() : 1;
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void sendsHostAndDefaultUserAgent(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        client(kind).get(server.uri("/")).execute().close();

        RecordedRequest req = server.takeRequest();
        assertThat(req.header("Host")).isEqualTo("127.0.0.1:" + server.port());
        assertThat(req.header("User-Agent")).startsWith("aioduct-java/");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aClientRebuiltOnAnotherEngineKeepsItsSettingsAndInterceptors(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = AioductClient.builder(engine(kind))
                .userAgent("mine/1.0")
                .defaultHeader("X-Team", "payments")
                .interceptor(chain -> chain.proceed(chain.request().toBuilder()
                        .header("X-Intercepted", "yes")
                        .build()))
                .readTimeout(java.time.Duration.ofSeconds(7))
                .build();
        io.aioduct.engine.HttpEngine other = engine(kind);
        AioductClient moved = client.newBuilder(other).build();

        moved.get(server.uri("/")).execute().close();

        assertThat(moved.engine()).isSameAs(other);
        assertThat(moved.settings()).isEqualTo(client.settings());
        RecordedRequest req = server.takeRequest();
        assertThat(req.header("User-Agent")).isEqualTo("mine/1.0");
        assertThat(req.header("X-Team")).isEqualTo("payments");
        assertThat(req.header("X-Intercepted")).isEqualTo("yes");
        assertThat(other.poolStats()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void userAgentCanBeOverriddenOrRemoved(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(kind);
        AioductClient custom = client.newBuilder().userAgent("mine/1.0").build();
        AioductClient none = client.newBuilder().noUserAgent().build();

        custom.get(server.uri("/")).execute().close();
        none.get(server.uri("/")).execute().close();
        client.get(server.uri("/"))
                .header("User-Agent", "per-request")
                .execute()
                .close();

        assertThat(server.takeRequest().header("User-Agent")).isEqualTo("mine/1.0");
        assertThat(server.takeRequest().headers("User-Agent")).isEmpty();
        assertThat(server.takeRequest().headers("User-Agent")).containsExactly("per-request");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void queryParametersArePercentEncodedAndExistingQueryKept(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        client(kind)
                .get(server.uri("/search?lang=en"))
                .query("q", "a b&c=d/é")
                .query("empty", "")
                .execute()
                .close();

        assertThat(server.takeRequest().uri()).isEqualTo("/search?lang=en&q=a%20b%26c%3Dd%2F%C3%A9&empty=");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void multiValuedHeadersTravelBothWays(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok".getBytes(), "Set-Cookie", "a=1", "Set-Cookie", "b=2"));
        Response r = client(kind)
                .get(server.uri("/"))
                .header("Accept", "text/plain")
                .header("Accept", "text/html")
                .execute();
        r.close();

        assertThat(server.takeRequest().headers("Accept")).containsExactly("text/plain", "text/html");
        assertThat(r.headers().all("set-cookie")).containsExactly("a=1", "b=2");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void getWithoutBodySendsNoContentLength(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        client(kind).get(server.uri("/")).execute().close();

        RecordedRequest req = server.takeRequest();
        assertThat(req.headers("Content-Length")).isEmpty();
        assertThat(req.headers("Transfer-Encoding")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bytesBodyIsSentWithContentLength(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, req.bodyAsString()));
        byte[] big = new byte[100_000];
        java.util.Arrays.fill(big, (byte) 'z');
        AioductClient client = client(kind);

        String small = client.post(server.uri("/"))
                .body(RequestBody.ofString("payload"))
                .execute()
                .body()
                .string();
        client.put(server.uri("/")).body(RequestBody.ofBytes(big)).execute().close();

        assertThat(small).isEqualTo("payload");
        RecordedRequest first = server.takeRequest();
        assertThat(first.header("Content-Length")).isEqualTo("7");
        assertThat(first.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        RecordedRequest second = server.takeRequest();
        assertThat(second.method()).isEqualTo("PUT");
        assertThat(second.body()).isEqualTo(big);
        assertThat(second.chunked()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void formBodyIsUrlEncoded(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", "Ada Lovelace");
        form.put("math", "1+1=2");
        client(kind)
                .post(server.uri("/"))
                .body(RequestBody.ofForm(form))
                .execute()
                .close();

        RecordedRequest req = server.takeRequest();
        assertThat(req.bodyAsString()).isEqualTo("name=Ada+Lovelace&math=1%2B1%3D2");
        assertThat(req.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void streamBodyOfUnknownLengthIsSentChunkedAndKnownLengthIsNot(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        byte[] data = new byte[70_000];
        new java.util.Random(1).nextBytes(data);
        AioductClient client = client(kind);

        client.post(server.uri("/"))
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(data), -1))
                .execute()
                .close();
        client.post(server.uri("/"))
                .body(RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length))
                .execute()
                .close();

        RecordedRequest chunked = server.takeRequest();
        assertThat(chunked.chunked()).isTrue();
        assertThat(chunked.body()).isEqualTo(data);
        RecordedRequest sized = server.takeRequest();
        assertThat(sized.chunked()).isFalse();
        assertThat(sized.header("Content-Length")).isEqualTo(String.valueOf(data.length));
        assertThat(sized.body()).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void publisherBodyIsStreamed(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>();
        var response = client(kind)
                .post(server.uri("/"))
                .body(RequestBody.ofPublisher(publisher, -1))
                .send();
        // A SubmissionPublisher drops items nobody has subscribed to yet; the engine subscribes once the
        // request head is written.
        awaitTrue(() -> publisher.getNumberOfSubscribers() == 1, () -> "the engine never subscribed to the body");
        for (String part : List.of("one,", "two,", "three")) {
            publisher.submit(ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8)));
        }
        publisher.close();

        response.get(5, TimeUnit.SECONDS).close();
        RecordedRequest req = server.takeRequest();
        assertThat(req.bodyAsString()).isEqualTo("one,two,three");
        assertThat(req.chunked()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void writerBodyIsStreamedWithOrWithoutALength(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        byte[] block = new byte[10_000];
        java.util.Arrays.fill(block, (byte) 'w');
        AioductClient client = client(kind);
        RequestBody.BodyWriter writer = out -> {
            for (int i = 0; i < 30; i++) {
                out.write(block);
            }
            out.write('!');
        };

        client.post(server.uri("/"))
                .body(RequestBody.ofWriter(writer, -1, true))
                .execute()
                .close();
        client.put(server.uri("/"))
                .body(RequestBody.ofWriter(writer, 300_001, true))
                .execute()
                .close();

        RecordedRequest chunked = server.takeRequest();
        assertThat(chunked.chunked()).isTrue();
        assertThat(chunked.bodySize()).isEqualTo(300_001);
        assertThat(chunked.bodyAsString()).endsWith("w!");
        RecordedRequest sized = server.takeRequest();
        assertThat(sized.chunked()).isFalse();
        assertThat(sized.header("Content-Length")).isEqualTo("300001");
        assertThat(sized.bodySize()).isEqualTo(300_001);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anExceptionFromTheBodyWriterFailsTheExchangeWithThatException(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(kind);
        IllegalStateException boom = new IllegalStateException("the writer broke");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.post(server.uri("/"))
                        .body(RequestBody.ofWriter(
                                out -> {
                                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                                    out.flush();
                                    throw boom;
                                },
                                -1,
                                false))
                        .execute())
                .isSameAs(boom);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void chunkedResponseIsDecoded(RuntimeKind kind) {
        server.route(
                "/",
                (req, ex) -> ex.respondChunked(
                        200,
                        List.of("abc".getBytes(), "defgh".getBytes(), new byte[40_000]),
                        Map.of("X-Checksum", "42")));
        byte[] body = client(kind).get(server.uri("/")).execute().body().bytes();

        assertThat(body).hasSize(40_008);
        assertThat(new String(body, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("abcdefgh");
    }

    /** bytes() of a chunked body sizes its array by what came with the head, then grows: small and large alike. */
    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void chunkedBodiesOfEverySizeAreReadWhole(RuntimeKind kind) {
        byte[] data = new byte[100_000];
        new java.util.Random(3).nextBytes(data);
        server.route("/later", (req, ex) -> {
            var body = ex.respondStreaming(200, -1);
            body.write("ab").join();
            // The rest after a pause: it does not come with the head.
            java.util.concurrent.CompletableFuture.delayedExecutor(50, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> body.write(data).thenCompose(v -> body.end()));
        });
        AioductClient client = client(kind);
        for (int size : new int[] {0, 1, 1023, 1024, 1025, 4096, 16_384, 16_385, 70_000}) {
            byte[] payload = java.util.Arrays.copyOf(data, size);
            server.route("/sized", (req, ex) -> ex.respondChunked(200, List.of(payload)));
            assertThat(client.get(server.uri("/sized")).execute().body().bytes())
                    .as("a chunked body of %d bytes", size)
                    .isEqualTo(payload);
        }
        byte[] later = client.get(server.uri("/later")).execute().body().bytes();
        assertThat(later).hasSize(2 + data.length);
        assertThat(java.util.Arrays.copyOfRange(later, 2, later.length)).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void headAnd204And304HaveNoBodyAndKeepTheConnection(RuntimeKind kind) {
        server.route("/head", (req, ex) -> ex.respond(200, "this body is never sent for HEAD"));
        server.route("/204", (req, ex) -> ex.writeRaw("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"));
        server.route("/304", (req, ex) -> ex.writeRaw("HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n"));
        AioductClient client = client(kind);

        Response head = client.head(server.uri("/head")).execute();
        assertThat(head.headers().first("Content-Length")).isEqualTo("32");
        assertThat(head.body().bytes()).isEmpty();
        assertThat(client.get(server.uri("/204")).execute().body().bytes()).isEmpty();
        assertThat(client.get(server.uri("/304")).execute().body().bytes()).isEmpty();
        assertThat(client.get(server.uri("/head")).execute().body().string()).hasSize(32);

        assertThat(server.connectionsAccepted()).isEqualTo(connectionsPerOrigin(client));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void unknownStatusCodesComeThrough(RuntimeKind kind) {
        server.route("/555", (req, ex) -> ex.writeRaw("HTTP/1.1 555 Custom\r\nContent-Length: 0\r\n\r\n"));
        server.route("/929", (req, ex) -> ex.writeRaw("HTTP/1.1 929\r\nContent-Length: 0\r\n\r\n"));
        AioductClient client = client(kind);

        assertThat(client.get(server.uri("/555")).execute().status()).isEqualTo(555);
        assertThat(client.get(server.uri("/929")).execute().status()).isEqualTo(929);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void stringUsesTheContentTypeCharset(RuntimeKind kind) {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
        server.route("/", (req, ex) -> ex.respond(200, latin1, "Content-Type", "text/plain; charset=ISO-8859-1"));

        assertThat(client(kind).get(server.uri("/")).execute().body().string()).isEqualTo("café");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bodyReadsAsAnInputStream(RuntimeKind kind) throws Exception {
        byte[] data = new byte[1_000_000];
        new java.util.Random(2).nextBytes(data);
        server.route("/", (req, ex) -> ex.respond(200, data));

        try (InputStream in = client(kind).get(server.uri("/")).execute().body().inputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }
}
