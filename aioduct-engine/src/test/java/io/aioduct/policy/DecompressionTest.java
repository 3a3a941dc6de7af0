package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import io.aioduct.AioductClient;
import io.aioduct.BodyTooLargeException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decompression on every runtime over every protocol: the Accept-Encoding the client adds, bodies decoded
 * while they stream whichever way they are read, the headers of a decoded response, the responses left
 * alone, and the failures (bomb, corrupt and truncated streams, early close), each with nothing leaked
 * ({@link EngineTest}'s teardown) and the connection given up when the body was not read to its end.
 */
class DecompressionTest extends MatrixTest {
    private static final byte[] TEXT = text(50_000, 1);

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Consumer<AioductClient.Builder> settings) {
        HttpEngine engine = matrixEngine(kind, protocol.config());
        AioductClient.Builder b = AioductClient.builder(engine);
        settings.accept(b);
        return b.build();
    }

    /** The four ways to read a body, each returning the bytes read. */
    enum Style {
        BYTES(r -> r.body().bytes()),
        STRING(r -> r.body().string().getBytes(StandardCharsets.UTF_8)),
        INPUT_STREAM(r -> readAll(r.body().inputStream())),
        PUBLISHER(r -> collect(r.body().publisher())),
        BYTES_ASYNC(r -> r.body().bytesAsync().toCompletableFuture().join());

        final Function<Response, byte[]> read;

        Style(Function<Response, byte[]> read) {
            this.read = read;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void decodesEveryCodingWhicheverWayTheBodyIsRead(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route("/gzip", (req, reply) -> reply.respond(200, gzip(TEXT), "Content-Encoding", "gzip"));
        server.route("/zlib", (req, reply) -> reply.respond(200, zlib(TEXT, false), "Content-Encoding", "deflate"));
        server.route("/raw", (req, reply) -> reply.respond(200, zlib(TEXT, true), "Content-Encoding", "deflate"));
        server.route(
                "/chunked",
                (req, reply) -> reply.respondChunked(200, pieces(gzip(TEXT), 3000), "Content-Encoding", "GZIP"));
        server.route(
                "/two",
                (req, reply) -> reply.respond(200, gzip(zlib(TEXT, false)), "Content-Encoding", "deflate, gzip"));
        AioductClient client = client(kind, protocol, b -> {});

        for (String path : List.of("/gzip", "/zlib", "/raw", "/chunked", "/two")) {
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
                assertThat(seen.header("Accept-Encoding"))
                        .isEqualTo(Decompression.defaults().acceptEncoding())
                        .startsWith("gzip, deflate");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aLargeBodyStreamsDecodedPastTheBufferedLimit(RuntimeKind kind, Protocol protocol) throws IOException {
        byte[] big = text(6 * 1024 * 1024, 2);
        byte[] coded = gzip(big);
        MatrixServer server = serve(protocol);
        server.route("/big", (req, reply) -> {
            MatrixServer.Writer w = reply.respondStreaming(200, -1, "Content-Encoding", "gzip");
            CompletableFuture.runAsync(() -> {
                for (byte[] piece : pieces(coded, 16 * 1024)) w.write(piece).join();
                w.end();
            });
        });
        AioductClient client = client(kind, protocol, b -> b.maxBufferedBodyBytes(1024 * 1024));

        try (Response r = client.get(server.uri("/big")).execute();
                InputStream in = r.body().inputStream()) {
            assertThat(readAll(in)).isEqualTo(big);
        }
        try (Response r = client.get(server.uri("/big")).execute()) {
            assertThatThrownBy(() -> r.body().bytes())
                    .isInstanceOf(BodyTooLargeException.class)
                    .hasMessageContaining("gzip");
        }
        server.awaitAbandonedOrClosed(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBombFailsAtTheSizeLimitOrTheRatio(RuntimeKind kind, Protocol protocol) {
        byte[] bomb = gzip(new byte[16 * 1024 * 1024]);
        MatrixServer server = serve(protocol);
        server.route(
                "/bomb", (req, reply) -> reply.respondChunked(200, pieces(bomb, 4096), "Content-Encoding", "gzip"));
        AioductClient limited = client(
                kind,
                protocol,
                b -> b.decompression(Decompression.defaults().withMaxRatio(0).withMaxDecodedBytes(2 * 1024 * 1024)));
        AioductClient ratio = client(kind, protocol, b -> b.maxBufferedBodyBytes(Long.MAX_VALUE));

        try (Response r = limited.get(server.uri("/bomb")).execute()) {
            assertThatThrownBy(() -> readAll(r.body().inputStream()))
                    .satisfies(e -> assertThat(
                                    cause(e, BodyTooLargeException.class).getMessage())
                            .contains("maxDecodedBytes"));
        }
        try (Response r = ratio.get(server.uri("/bomb")).execute()) {
            assertThatThrownBy(() -> r.body().bytes())
                    .satisfies(e -> assertThat(
                                    cause(e, BodyTooLargeException.class).getMessage())
                            .contains("maxRatio"));
        }
        try (Response r = ratio.get(server.uri("/bomb")).execute()) {
            assertThatThrownBy(() -> collect(r.body().publisher()))
                    .satisfies(e -> assertThat(
                                    cause(e, BodyTooLargeException.class).getMessage())
                            .contains("maxRatio"));
        }
        // A bomb this small has arrived whole by the time it fails, so its connection may well be reused;
        // the teardown checks that nothing is left in flight.
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aCorruptOrTruncatedStreamIsAProtocolErrorNamingTheCoding(RuntimeKind kind, Protocol protocol) {
        byte[] good = gzip(TEXT);
        byte[] corrupt = good.clone();
        for (int i = 20; i < 60; i++) corrupt[i] ^= 0x5a;
        byte[] truncated = Arrays.copyOf(good, good.length - 100);
        MatrixServer server = serve(protocol);
        server.route("/corrupt", (req, reply) -> reply.respond(200, corrupt, "Content-Encoding", "gzip"));
        server.route("/truncated", (req, reply) -> reply.respond(200, truncated, "Content-Encoding", "gzip"));
        server.route("/notgzip", (req, reply) -> reply.respond(200, TEXT, "Content-Encoding", "gzip"));
        AioductClient client = client(kind, protocol, b -> {});

        for (String path : List.of("/corrupt", "/notgzip")) {
            for (Style style : Style.values()) {
                try (Response r = client.get(server.uri(path)).execute()) {
                    assertThatThrownBy(() -> style.read.apply(r))
                            .as(path + " read as " + style)
                            .satisfies(e -> assertThat(cause(e, HttpProtocolException.class)
                                            .getMessage())
                                    .startsWith("corrupt gzip response body"));
                }
            }
        }
        for (Style style : Style.values()) {
            try (Response r = client.get(server.uri("/truncated")).execute()) {
                assertThatThrownBy(() -> style.read.apply(r))
                        .as("truncated read as " + style)
                        .satisfies(e -> assertThat(
                                        cause(e, HttpProtocolException.class).getMessage())
                                .startsWith("truncated gzip response body"));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void responsesWithoutContentOrWithUnknownCodingsAreLeftAlone(RuntimeKind kind, Protocol protocol) {
        byte[] coded = gzip(TEXT);
        MatrixServer server = serve(protocol);
        server.route("/doc", (req, reply) -> reply.respond(200, coded, "Content-Encoding", "gzip"));
        server.route("/204", (req, reply) -> reply.respond(204, new byte[0], "Content-Encoding", "gzip"));
        server.route("/304", (req, reply) -> reply.respond(304, new byte[0], "Content-Encoding", "gzip"));
        server.route(
                "/empty",
                (req, reply) -> reply.respond(200, new byte[0], "Content-Encoding", "gzip", "Content-Length", "0"));
        server.route("/compress", (req, reply) -> reply.respond(200, TEXT, "Content-Encoding", "compress"));
        server.route("/mixed", (req, reply) -> reply.respond(200, TEXT, "Content-Encoding", "gzip, x-unknown"));
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.head(server.uri("/doc")).execute()) {
            assertThat(r.headers().first("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body().bytes()).isEmpty();
        }
        for (String path : List.of("/204", "/304", "/empty")) {
            try (Response r = client.get(server.uri(path)).execute()) {
                assertThat(r.headers().first("Content-Encoding")).as(path).isEqualTo("gzip");
                assertThat(r.body().bytes()).as(path).isEmpty();
            }
        }
        for (String path : List.of("/compress", "/mixed")) {
            try (Response r = client.get(server.uri(path)).execute()) {
                assertThat(r.headers().contains("Content-Encoding")).as(path).isTrue();
                assertThat(r.body().contentLength()).isEqualTo(TEXT.length);
                assertThat(r.body().bytes()).as(path).isEqualTo(TEXT);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aCallersOwnAcceptEncodingOrDecompressionOffGetsTheRawBody(RuntimeKind kind, Protocol protocol) {
        byte[] coded = gzip(TEXT);
        MatrixServer server = serve(protocol);
        server.route("/doc", (req, reply) -> reply.respond(200, coded, "Content-Encoding", "gzip"));
        AioductClient client = client(kind, protocol, b -> {});
        AioductClient off = client(kind, protocol, b -> b.decompression(Decompression.off()));

        try (Response r =
                client.get(server.uri("/doc")).header("Accept-Encoding", "gzip").execute()) {
            assertThat(r.headers().first("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body().contentLength()).isEqualTo(coded.length);
            assertThat(r.body().bytes()).isEqualTo(coded);
        }
        assertThat(server.takeRequest().headers("Accept-Encoding")).containsExactly("gzip");
        try (Response r = off.get(server.uri("/doc")).execute()) {
            assertThat(r.headers().first("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body().bytes()).isEqualTo(coded);
        }
        assertThat(server.takeRequest().header("Accept-Encoding")).isNull();
        AioductClient derived = off.newBuilder().build();
        assertThat(derived.settings().decompression().enabled()).isFalse();
    }

    /**
     * The cost rule: with decompression on, a small uncompressed GET allocates no more than with it off
     * (the Accept-Encoding field is written from a constant, the response costs one header lookup). Counted
     * in bytes allocated by the client's threads (the caller and the runtime's), never timed: rounds of each
     * alternate on one engine, and the medians are compared with a small margin for the JIT's noise.
     */
    @Test
    void aSmallUncompressedGetAllocatesNoMoreWithDecompressionOn() {
        server.route("/small", (req, ex) -> ex.respond(200, "small"));
        HttpEngine engine = singlePoolEngine(RuntimeKind.POOLED, EngineConfig.DEFAULT);
        AioductClient on = AioductClient.builder(engine).build();
        AioductClient off =
                AioductClient.builder(engine).decompression(Decompression.off()).build();
        String uri = server.uri("/small");
        for (int i = 0; i < 3000; i++) {
            getSmall(on, uri);
            getSmall(off, uri);
        }
        int rounds = 7;
        int perRound = 400;
        long[] withOn = new long[rounds];
        long[] withOff = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            withOff[r] = allocatedPerRequest(off, uri, perRound);
            withOn[r] = allocatedPerRequest(on, uri, perRound);
        }
        Arrays.sort(withOn);
        Arrays.sort(withOff);
        long medianOn = withOn[rounds / 2];
        long medianOff = withOff[rounds / 2];
        System.out.printf("bytes allocated per small GET: decompression on %d, off %d%n", medianOn, medianOff);
        assertThat(medianOn)
                .as(
                        "bytes allocated per small GET with decompression on (off: %d; rounds on %s, off %s)",
                        medianOff, Arrays.toString(withOn), Arrays.toString(withOff))
                .isLessThanOrEqualTo(medianOff + medianOff / 20 + 64);
    }

    private static void getSmall(AioductClient client, String uri) {
        try (Response r = client.get(uri).execute()) {
            r.body().bytes();
        }
    }

    private static long allocatedPerRequest(AioductClient client, String uri, int requests) {
        long before = clientAllocatedBytes();
        for (int i = 0; i < requests; i++) getSmall(client, uri);
        return (clientAllocatedBytes() - before) / requests;
    }

    /** Bytes allocated so far by this thread and the runtime's threads. */
    private static long clientAllocatedBytes() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("aioduct-") || t == Thread.currentThread()) ids.add(t.threadId());
        }
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(
                ids.stream().mapToLong(Long::longValue).toArray())) {
            if (b > 0) sum += b;
        }
        return sum;
    }

    // ---- helpers ----

    /** The first {@code type} in the chain of causes from {@code e}. */
    static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        throw new AssertionError("no " + type.getSimpleName() + " in", e);
    }

    /** Letters and spaces: compresses about 2:1 to 3:1, like real text. */
    static byte[] text(int size, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            int c = random.nextInt(32);
            out[i] = (byte) (c < 26 ? 'a' + c : ' ');
        }
        return out;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] zlib(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater)) {
            z.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    static List<byte[]> pieces(byte[] data, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < data.length; i += size) {
            out.add(Arrays.copyOfRange(data, i, Math.min(data.length, i + size)));
        }
        return out;
    }

    static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a publisher to its end, one buffer at a time. */
    static byte[] collect(Flow.Publisher<ByteBuffer> publisher) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        try {
            return done.join();
        } catch (CompletionException e) {
            throw e;
        }
    }
}
