package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.HttpProtocolException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.StreamingResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Spring's contract for a reactive {@code ClientHttpConnector} and the streaming promises the issue
 * adds, on every runtime: all methods, bodies both ways with back-pressure, errors from the request
 * body, cancellation that releases connections, malformed framing and response cookies.
 */
class AioductClientHttpConnectorTest extends EngineTest {
    private static final Duration HANG = Duration.ofSeconds(10); // only ever hit when something hangs

    private AioductClientHttpConnector connector(RuntimeKind kind) {
        return new AioductClientHttpConnector(
                AioductClient.builder(engine(kind)).build());
    }

    /** A connector whose requests from the test thread share one pool of one connection. */
    private AioductClientHttpConnector oneConnection(RuntimeKind kind) {
        HttpEngine engine = singlePoolEngine(
                kind,
                EngineConfig.builder()
                        .pool(PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(1))
                        .build());
        return new AioductClientHttpConnector(AioductClient.builder(engine).build());
    }

    private static Mono<DataBuffer> buffer(String text) {
        return Mono.fromCallable(
                () -> DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String bodyOf(ClientHttpResponse response) {
        return DataBufferUtils.join(response.getBody())
                .map(b -> {
                    String s = b.toString(StandardCharsets.UTF_8);
                    DataBufferUtils.release(b);
                    return s;
                })
                .defaultIfEmpty("")
                .block(HANG);
    }

    static Stream<Arguments> methods() {
        return Stream.of(RuntimeKind.values())
                .flatMap(kind -> Stream.of(HttpMethod.values()).map(method -> Arguments.of(kind, method)));
    }

    /**
     * The engine lends each response buffer only for the length of onNext; {@code join} keeps every
     * DataBuffer until the last one arrived, so they must be the connector's own copies.
     */
    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responseBuffersKeptPastOnNextStayByteExact(RuntimeKind kind) {
        byte[] large = new byte[300_000];
        new java.util.Random(24).nextBytes(large);
        server.route("/large", (req, ex) -> ex.respond(200, large));
        AioductClientHttpConnector connector = connector(kind);
        for (int i = 0; i < 3; i++) {
            ClientHttpResponse response = connector
                    .connect(HttpMethod.GET, server.toUri("/large"), ReactiveHttpOutputMessage::setComplete)
                    .block(HANG);
            byte[] joined = DataBufferUtils.join(response.getBody())
                    .map(b -> {
                        byte[] bytes = new byte[b.readableByteCount()];
                        b.read(bytes);
                        DataBufferUtils.release(b);
                        return bytes;
                    })
                    .block(HANG);
            assertThat(joined).as("try %d", i).isEqualTo(large);
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethodSendsItsHeadersAndBody(RuntimeKind kind, HttpMethod method) {
        server.route("/", (req, ex) -> ex.respond(200, "bar\r\n".getBytes(), "Baz", "Qux"));
        boolean withBody = List.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE)
                .contains(method);
        ClientHttpResponse response = connector(kind)
                .connect(method, server.toUri("/"), request -> {
                    assertThat(request.getMethod()).isEqualTo(method);
                    request.getHeaders().add("Foo", "Bar");
                    return withBody ? request.writeWith(buffer("foo\r\n")) : request.setComplete();
                })
                .block(HANG);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().getFirst("Baz")).isEqualTo("Qux");
        assertThat(bodyOf(response)).isEqualTo(method == HttpMethod.HEAD ? "" : "bar\r\n");

        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.method()).isEqualTo(method.name());
        assertThat(recorded.header("Foo")).isEqualTo("Bar");
        assertThat(recorded.bodyAsString()).isEqualTo(withBody ? "foo\r\n" : "");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anErrorInTheRequestBodyIsTheSameException(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        RuntimeException error = new RuntimeException("the body source failed");
        Flux<DataBuffer> body = Flux.concat(buffer("foo"), Mono.error(error));
        Throwable thrown = catchThrowable(() -> connector(kind)
                .connect(HttpMethod.POST, server.toUri("/"), request -> request.writeWith(body))
                .block(HANG));
        assertThat(thrown).isSameAs(error);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aKnownContentLengthIsSentAsIsAndTheBodyIsNotChunked(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.POST, server.toUri("/"), request -> {
                    request.getHeaders().setContentLength(6);
                    return request.writeWith(Flux.concat(buffer("abc"), buffer("def")));
                })
                .block(HANG);
        bodyOf(response);
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.header("Content-Length")).isEqualTo("6");
        assertThat(recorded.chunked()).isFalse();
        assertThat(recorded.bodyAsString()).isEqualTo("abcdef");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theRequestBodyIsPulledOneBufferAtATime(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, Integer.toString(req.bodySize())));
        List<Long> requests = new CopyOnWriteArrayList<>();
        Flux<DataBuffer> body = Flux.range(0, 500)
                .map(i -> (DataBuffer) DefaultDataBufferFactory.sharedInstance.wrap(new byte[1024]))
                .doOnRequest(requests::add);
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.POST, server.toUri("/"), request -> request.writeWith(body))
                .block(HANG);
        assertThat(bodyOf(response)).isEqualTo(Integer.toString(500 * 1024));
        assertThat(requests).isNotEmpty().allMatch(n -> n == 1L, "one buffer per request(n)");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theResponseBodyIsReadOnlyAsFarAsTheSubscriberAsks(RuntimeKind kind) throws Exception {
        BlockingQueue<StreamingResponse> bodies = new LinkedBlockingQueue<>();
        server.route("/stream", (req, ex) -> bodies.add(ex.respondStreaming(200, -1)));
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.GET, server.toUri("/stream"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        StreamingResponse body = bodies.poll(HANG.toSeconds(), TimeUnit.SECONDS);

        AtomicLong received = new AtomicLong();
        AtomicLong buffers = new AtomicLong();
        BaseSubscriber<DataBuffer> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(DataBuffer buffer) {
                buffers.incrementAndGet();
                received.addAndGet(buffer.readableByteCount());
                DataBufferUtils.release(buffer);
            }
        };
        response.getBody().subscribe(subscriber);

        // The subscriber asked for one buffer: the server's writes must stall once the socket buffers
        // and the engine's high-water mark are full, long before 32 MiB.
        byte[] chunk = new byte[64 * 1024];
        long total = 32L * 1024 * 1024;
        long written = 0;
        CompletableFuture<Void> stalled = null;
        while (written < total) {
            CompletableFuture<Void> write = body.write(chunk);
            try {
                write.get(2, TimeUnit.SECONDS);
                written += chunk.length;
            } catch (TimeoutException e) {
                stalled = write;
                break;
            }
        }
        assertThat(stalled)
                .as("the server was held back after %d bytes", written)
                .isNotNull();
        assertThat(buffers.get()).isEqualTo(1);

        subscriber.request(Long.MAX_VALUE);
        stalled.get(HANG.toSeconds(), TimeUnit.SECONDS);
        written += chunk.length;
        while (written < total) {
            body.write(chunk).get(HANG.toSeconds(), TimeUnit.SECONDS);
            written += chunk.length;
        }
        body.end().get(HANG.toSeconds(), TimeUnit.SECONDS);
        long expected = written;
        awaitTrue(() -> received.get() == expected, () -> "received " + received.get() + " of " + expected);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingTheResponseBodyReleasesTheConnectionOfAPoolOfOne(RuntimeKind kind) throws Exception {
        BlockingQueue<StreamingResponse> bodies = new LinkedBlockingQueue<>();
        server.route("/stream", (req, ex) -> {
            StreamingResponse body = ex.respondStreaming(200, -1);
            body.write(new byte[1024]);
            bodies.add(body);
        });
        server.route("/next", (req, ex) -> ex.respond(200, "next"));
        AioductClientHttpConnector connector = oneConnection(kind);

        ClientHttpResponse response = connector
                .connect(HttpMethod.GET, server.toUri("/stream"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        DataBuffer first = response.getBody().take(1).blockFirst(HANG); // take(1) cancels after one
        DataBufferUtils.release(first);

        ClientHttpResponse next = connector
                .connect(HttpMethod.GET, server.toUri("/next"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        assertThat(bodyOf(next)).isEqualTo("next");
        awaitQuiet(connector.client().engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingBeforeTheResponseHeadReleasesTheConnectionOfAPoolOfOne(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> stalled = new LinkedBlockingQueue<>();
        server.route("/stall", (req, ex) -> stalled.add(ex));
        server.route("/next", (req, ex) -> ex.respond(200, "next"));
        AioductClientHttpConnector connector = oneConnection(kind);

        Disposable waiting = connector
                .connect(HttpMethod.GET, server.toUri("/stall"), ReactiveHttpOutputMessage::setComplete)
                .subscribe(r -> {});
        assertThat(stalled.poll(HANG.toSeconds(), TimeUnit.SECONDS)).isNotNull();
        waiting.dispose();

        ClientHttpResponse next = connector
                .connect(HttpMethod.GET, server.toUri("/next"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        assertThat(bodyOf(next)).isEqualTo("next");
        awaitQuiet(connector.client().engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aMalformedChunkedResponseIsAnIOExceptionNotAHang(RuntimeKind kind) {
        server.route(
                "/bad",
                (req, ex) -> ex.writeRaw(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ-not-hex\r\nmore\r\n"));
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.GET, server.toUri("/bad"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        // block() wraps a checked exception; the body's own signal is inside.
        Throwable thrown = Exceptions.unwrap(catchThrowable(() -> bodyOf(response)));
        assertThat(thrown)
                .as("an IOException, as Spring's connectors report a broken body")
                .isInstanceOf(IOException.class)
                .hasCauseInstanceOf(HttpProtocolException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responseCookiesAreExposedWithEveryAttributeAndMaxAgeFromExpires(RuntimeKind kind) {
        String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
        server.route(
                "/cookies",
                (req, ex) -> ex.respond(
                        200,
                        new byte[0],
                        "Set-Cookie",
                        "session=abc; Path=/; HttpOnly; Max-Age=60",
                        "Set-Cookie",
                        "theme=dark; Expires=" + inAnHour
                                + "; Domain=.Example.com; Secure; SameSite=Lax; Partitioned"));
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.GET, server.toUri("/cookies"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        bodyOf(response);

        ResponseCookie session = response.getCookies().getFirst("session");
        assertThat(session.getValue()).isEqualTo("abc");
        assertThat(session.getMaxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(session.getPath()).isEqualTo("/");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.isPartitioned()).isFalse();

        ResponseCookie theme = response.getCookies().getFirst("theme");
        assertThat(theme.getValue()).isEqualTo("dark");
        assertThat(theme.getMaxAge()).isBetween(Duration.ofMinutes(55), Duration.ofHours(1));
        assertThat(theme.getDomain()).isEqualTo("example.com");
        assertThat(theme.isSecure()).isTrue();
        assertThat(theme.getSameSite()).isEqualTo("Lax");
        assertThat(theme.isPartitioned()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void statusCodesSpringDoesNotKnowComeThrough(RuntimeKind kind) {
        server.route("/929", (req, ex) -> ex.respond(929, "odd"));
        ClientHttpResponse response = connector(kind)
                .connect(HttpMethod.GET, server.toUri("/929"), ReactiveHttpOutputMessage::setComplete)
                .block(HANG);
        assertThat(response.getStatusCode().value()).isEqualTo(929);
        assertThat(bodyOf(response)).isEqualTo("odd");
    }
}
