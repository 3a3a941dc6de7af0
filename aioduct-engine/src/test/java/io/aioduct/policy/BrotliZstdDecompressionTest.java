package io.aioduct.policy;

import static io.aioduct.policy.DecompressionTest.cause;
import static io.aioduct.policy.DecompressionTest.collect;
import static io.aioduct.policy.DecompressionTest.gzip;
import static io.aioduct.policy.DecompressionTest.pieces;
import static io.aioduct.policy.DecompressionTest.readAll;
import static io.aioduct.policy.DecompressionTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.BodyTooLargeException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.DecompressionTest.Style;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.OptionalCodingBodies;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The br and zstd codings on every runtime over every protocol, with brotli4j and zstd-jni on the class
 * path (as the test scope has them): advertised after gzip and deflate, decoded whichever way the body is
 * read (alone, chained with gzip, zstd in several frames), and failing as gzip does: a bomb at the size
 * limit or the ratio, a corrupt or truncated stream as an {@link HttpProtocolException} naming the coding,
 * an early close giving the connection up; a client that does not ask for them gets them raw. Nothing
 * leaks ({@link EngineTest}'s teardown). {@code OptionalCodingsTest} covers the libraries' absence.
 */
class BrotliZstdDecompressionTest extends MatrixTest {
    private static final byte[] TEXT = text(50_000, 4);
    private static final List<String> CODINGS = List.of("br", "zstd");

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return DecompressionTest.everyRuntimeAndProtocol();
    }

    @BeforeAll
    static void theLibrariesArePresent() {
        // Fails loudly, rather than testing nothing, if a library or its native code went missing.
        assertThat(Decompression.isAvailable("br")).as("brotli4j available").isTrue();
        assertThat(Decompression.isAvailable("zstd")).as("zstd-jni available").isTrue();
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Consumer<AioductClient.Builder> settings) {
        HttpEngine engine = matrixEngine(kind, protocol.config());
        AioductClient.Builder b = AioductClient.builder(engine);
        settings.accept(b);
        return b.build();
    }

    private static byte[] encode(String coding, byte[] data) {
        return switch (coding) {
            case "br" -> OptionalCodingBodies.br(data);
            case "zstd" -> OptionalCodingBodies.zstd(data);
            case "gzip" -> DecompressionTest.gzip(data);
            default -> throw new IllegalArgumentException(coding);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void brAndZstdAreAskedForAndDecodedWhicheverWayTheBodyIsRead(RuntimeKind kind, Protocol protocol) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(OptionalCodingBodies.zstd(Arrays.copyOf(TEXT, 20_000)));
        frames.writeBytes(OptionalCodingBodies.zstd(Arrays.copyOfRange(TEXT, 20_000, TEXT.length)));
        MatrixServer server = serve(protocol);
        server.route("/br", (req, reply) -> reply.respond(200, encode("br", TEXT), "Content-Encoding", "br"));
        server.route("/zstd", (req, reply) -> reply.respond(200, encode("zstd", TEXT), "Content-Encoding", "zstd"));
        server.route(
                "/br-chunked",
                (req, reply) -> reply.respondChunked(200, pieces(encode("br", TEXT), 3000), "Content-Encoding", "BR"));
        server.route(
                "/zstd-frames",
                (req, reply) ->
                        reply.respondChunked(200, pieces(frames.toByteArray(), 1000), "Content-Encoding", "zstd"));
        server.route(
                "/br-gzip",
                (req, reply) -> reply.respond(200, gzip(encode("br", TEXT)), "Content-Encoding", "br, gzip"));
        server.route(
                "/gzip-zstd",
                (req, reply) -> reply.respond(
                        200, encode("zstd", gzip(TEXT)), "Content-Encoding", "gzip", "Content-Encoding", "zstd"));
        AioductClient client = client(kind, protocol, b -> {});

        for (String path : List.of("/br", "/zstd", "/br-chunked", "/zstd-frames", "/br-gzip", "/gzip-zstd")) {
            for (Style style : Style.values()) {
                try (Response r = client.get(server.uri(path)).execute()) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.headers().contains("Content-Encoding"))
                            .as("Content-Encoding of " + path)
                            .isFalse();
                    assertThat(r.headers().contains("Content-Length")).isFalse();
                    assertThat(r.body().contentLength()).isEqualTo(-1);
                    assertThat(style.read.apply(r))
                            .as(path + " read as " + style)
                            .isEqualTo(TEXT);
                }
                RecordedRequest seen = server.takeRequest();
                assertThat(seen.header("Accept-Encoding")).isEqualTo("gzip, deflate, br, zstd");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBrOrZstdBombFailsAtTheSizeLimitOrTheRatio(RuntimeKind kind, Protocol protocol) {
        byte[] zeros = new byte[16 * 1024 * 1024];
        MatrixServer server = serve(protocol);
        for (String coding : CODINGS) {
            byte[] bomb = encode(coding, zeros);
            server.route(
                    "/" + coding,
                    (req, reply) -> reply.respondChunked(200, pieces(bomb, 16), "Content-Encoding", coding));
        }
        AioductClient limited = client(
                kind,
                protocol,
                b -> b.decompression(Decompression.defaults().withMaxRatio(0).withMaxDecodedBytes(2 * 1024 * 1024)));
        AioductClient ratio = client(kind, protocol, b -> b.maxBufferedBodyBytes(Long.MAX_VALUE));

        for (String coding : CODINGS) {
            try (Response r = limited.get(server.uri("/" + coding)).execute()) {
                assertThatThrownBy(() -> readAll(r.body().inputStream()))
                        .satisfies(e -> assertThat(
                                        cause(e, BodyTooLargeException.class).getMessage())
                                .contains("the " + coding + " response body")
                                .contains("maxDecodedBytes"));
            }
            try (Response r = ratio.get(server.uri("/" + coding)).execute()) {
                assertThatThrownBy(() -> r.body().bytes())
                        .satisfies(e -> assertThat(
                                        cause(e, BodyTooLargeException.class).getMessage())
                                .contains("the " + coding + " response body")
                                .contains("maxRatio"));
            }
            try (Response r = ratio.get(server.uri("/" + coding)).execute()) {
                assertThatThrownBy(() -> collect(r.body().publisher()))
                        .satisfies(e -> assertThat(
                                        cause(e, BodyTooLargeException.class).getMessage())
                                .contains("maxRatio"));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aCorruptOrTruncatedBrOrZstdStreamIsAProtocolErrorNamingTheCoding(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        for (String coding : CODINGS) {
            byte[] good = encode(coding, TEXT);
            byte[] corrupt = good.clone();
            for (int i = 10; i < 60; i++) corrupt[i] ^= 0x5a;
            byte[] truncated = Arrays.copyOf(good, good.length - 100);
            server.route("/corrupt-" + coding, (req, reply) -> reply.respond(200, corrupt, "Content-Encoding", coding));
            server.route("/plain-" + coding, (req, reply) -> reply.respond(200, TEXT, "Content-Encoding", coding));
            server.route(
                    "/truncated-" + coding,
                    (req, reply) -> reply.respondChunked(200, pieces(truncated, 5000), "Content-Encoding", coding));
        }
        AioductClient client = client(kind, protocol, b -> {});

        for (String coding : CODINGS) {
            for (String path : List.of("/corrupt-" + coding, "/plain-" + coding)) {
                for (Style style : Style.values()) {
                    try (Response r = client.get(server.uri(path)).execute()) {
                        assertThatThrownBy(() -> style.read.apply(r))
                                .as(path + " read as " + style)
                                .satisfies(e -> assertThat(cause(e, HttpProtocolException.class)
                                                .getMessage())
                                        .startsWith("corrupt " + coding + " response body"));
                    }
                }
            }
            for (Style style : Style.values()) {
                try (Response r = client.get(server.uri("/truncated-" + coding)).execute()) {
                    assertThatThrownBy(() -> style.read.apply(r))
                            .as("truncated " + coding + " read as " + style)
                            .satisfies(e -> assertThat(cause(e, HttpProtocolException.class)
                                            .getMessage())
                                    .startsWith("truncated " + coding + " response body"));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aClientThatDoesNotAskForBrOrZstdGetsThemRaw(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        for (String coding : CODINGS) {
            byte[] coded = encode(coding, TEXT);
            server.route("/" + coding, (req, reply) -> reply.respond(200, coded, "Content-Encoding", coding));
        }
        AioductClient narrow = client(
                kind, protocol, b -> b.decompression(Decompression.defaults().withCodings("gzip", "deflate")));
        AioductClient zstdOnly = client(
                kind, protocol, b -> b.decompression(Decompression.defaults().withCodings("zstd")));

        for (String coding : CODINGS) {
            try (Response r = narrow.get(server.uri("/" + coding)).execute()) {
                assertThat(r.headers().first("Content-Encoding")).isEqualTo(coding);
                assertThat(r.body().bytes()).isEqualTo(encode(coding, TEXT));
            }
            assertThat(server.takeRequest().header("Accept-Encoding")).isEqualTo("gzip, deflate");
        }
        try (Response r = zstdOnly.get(server.uri("/br")).execute()) {
            assertThat(r.headers().first("Content-Encoding")).isEqualTo("br");
            assertThat(r.body().bytes()).isEqualTo(encode("br", TEXT));
        }
        try (Response r = zstdOnly.get(server.uri("/zstd")).execute()) {
            assertThat(r.headers().contains("Content-Encoding")).isFalse();
            assertThat(r.body().bytes()).isEqualTo(TEXT);
        }
        assertThat(server.takeRequest().header("Accept-Encoding")).isEqualTo("zstd");
        assertThat(server.takeRequest().header("Accept-Encoding")).isEqualTo("zstd");
    }

    static Stream<Arguments> everyRuntimeProtocolAndCoding() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : Protocol.values()) {
                // gzip too: the early close is the same rule for every coding, tested once.
                for (String coding : List.of("gzip", "br", "zstd")) out.add(Arguments.of(kind, protocol, coding));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("everyRuntimeProtocolAndCoding")
    void closingADecodedBodyEarlyGivesUpItsConnection(RuntimeKind kind, Protocol protocol, String coding)
            throws IOException {
        byte[] big = text(4 * 1024 * 1024, 5);
        byte[] coded = encode(coding, big);
        // The server sends the first half, then the rest only once the client gave the connection up: so
        // the raw body cannot end before (a decoder may need much input before its first output, and the
        // close reaches the event loop a little after close() returns: a body that ended in between would
        // rightly put its connection back in the pool).
        AtomicReference<CompletableFuture<Void>> closed = new AtomicReference<>();
        MatrixServer server = serve(protocol);
        server.route("/big", (req, reply) -> {
            CompletableFuture<Void> gate = closed.get();
            MatrixServer.Writer w = reply.respondStreaming(200, -1, "Content-Encoding", coding);
            CompletableFuture.runAsync(() -> {
                try {
                    List<byte[]> pieces = pieces(coded, 16 * 1024);
                    for (int i = 0; i < pieces.size(); i++) {
                        if (i == pieces.size() / 2) gate.get(10, TimeUnit.SECONDS);
                        w.write(pieces.get(i)).get(10, TimeUnit.SECONDS);
                    }
                    w.end();
                } catch (Exception gaveUp) {
                    // The client closed the body: the writes fail, as they should.
                }
            });
        });
        AioductClient client = client(kind, protocol, b -> {});

        closed.set(new CompletableFuture<>());
        try (Response r = client.get(server.uri("/big")).execute()) {
            InputStream in = r.body().inputStream();
            assertThat(in.readNBytes(100_000)).isEqualTo(Arrays.copyOf(big, 100_000));
            in.close();
        }
        abandoned(server, 1);
        closed.get().complete(null);
        closed.set(new CompletableFuture<>());
        try (Response r = client.get(server.uri("/big")).execute()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            r.body().publisher().subscribe(new Flow.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(2);
                    done.thenRun(s::cancel);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    done.complete(null);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {}
            });
            done.join();
        }
        abandoned(server, 2);
        closed.get().complete(null);
    }

    /** {@link MatrixServer#awaitAbandonedOrClosed}, saying what the client's pool holds when it fails. */
    private void abandoned(MatrixServer server, int exchanges) {
        try {
            server.awaitAbandonedOrClosed(exchanges);
        } catch (AssertionError e) {
            HttpEngine engine = lastMatrixEngine();
            throw new AssertionError(
                    e.getMessage() + "; client: inFlight=" + engine.inFlight() + " pools=" + engine.poolStats(), e);
        }
    }
}
