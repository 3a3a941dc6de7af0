package io.aioduct.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request body source that fails (a stream or writer that throws after some bytes, a publisher that
 * signals an error after one buffer, or one that emits fewer or more bytes than it declared) fails the
 * exchange the same way on every runtime and protocol (see docs/errors.md, "A failing request body"):
 *
 * <ul>
 *   <li>{@code send()} fails with the source's own exception, the same instance; {@code execute()} throws
 *       it as is when it is unchecked, and otherwise an {@link AioductException} whose direct cause it
 *       is. A length mismatch is the engine's {@link IllegalStateException} naming both lengths.
 *   <li>callFailed and requestFailed carry that same exception; nothing is retried (the source is
 *       opened once, even when it could be reopened and the method is idempotent on a reused connection).
 *   <li>the server never sees a complete request: HTTP/1.1 closes the connection before the body ends
 *       (no terminating chunk, the declared length never reached), HTTP/2 resets the stream without
 *       END_STREAM and keeps the connection;
 *   <li>the next request on the same client works, and nothing is left in flight or leaked.
 * </ul>
 */
class RequestBodyFailureTest extends EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The bytes a source produces before it fails: well inside any window or socket buffer. */
    private static final int PART = 4096;

    /** How a body source fails, and what the caller must see. */
    enum Source {
        /** An InputStream (reopenable) that throws an IOException after one part; sent chunked. */
        STREAM_CHUNKED,
        /** The same, with a declared length it never reaches. */
        STREAM_SIZED,
        /** A BodyWriter (repeatable) that throws an unchecked exception after one part; sent chunked. */
        WRITER_UNCHECKED,
        /** A BodyWriter (repeatable) that throws an IOException after one part, with a declared length. */
        WRITER_SIZED_CHECKED,
        /** A publisher that signals an unchecked error after one buffer; sent chunked. */
        PUBLISHER_ERROR,
        /** A publisher that signals a checked error after one buffer, with a declared length. */
        PUBLISHER_ERROR_SIZED,
        /** A publisher that completes after one buffer of the two it declared. */
        PUBLISHER_SHORT,
        /** A publisher that emits two buffers where it declared one. */
        PUBLISHER_LONG;

        /** A fresh source of this kind. */
        Attempt attempt() {
            return new Attempt(this);
        }
    }

    /** One failing body: the request body, the error it will raise, and how often it was opened. */
    static final class Attempt {
        final Source kind;
        final AtomicInteger opened = new AtomicInteger();
        /** The source's own error, or null when the engine reports a length mismatch. */
        final @Nullable Throwable error;

        final RequestBody body;

        Attempt(Source kind) {
            this.kind = kind;
            byte[] part = new byte[PART];
            Arrays.fill(part, (byte) 'x');
            switch (kind) {
                case STREAM_CHUNKED, STREAM_SIZED -> {
                    IOException e = new IOException("the body stream broke (" + kind + ")");
                    error = e;
                    body = RequestBody.ofInputStream(
                            streams(() -> new FailingStream(part, e)), kind == Source.STREAM_SIZED ? 3L * PART : -1);
                }
                case WRITER_UNCHECKED -> {
                    IllegalArgumentException e = new IllegalArgumentException("the body writer failed (" + kind + ")");
                    error = e;
                    body = RequestBody.ofWriter(
                            out -> {
                                opened.incrementAndGet();
                                out.write(part);
                                out.flush();
                                throw e;
                            },
                            -1,
                            true);
                }
                case WRITER_SIZED_CHECKED -> {
                    IOException e = new IOException("the body writer broke (" + kind + ")");
                    error = e;
                    body = RequestBody.ofWriter(
                            out -> {
                                opened.incrementAndGet();
                                out.write(part);
                                out.flush();
                                throw e;
                            },
                            3L * PART,
                            true);
                }
                case PUBLISHER_ERROR -> {
                    RuntimeException e = new RuntimeException("the body publisher failed (" + kind + ")");
                    error = e;
                    body = RequestBody.ofPublisher(new PartsPublisher(opened, List.of(part), e), -1);
                }
                case PUBLISHER_ERROR_SIZED -> {
                    Exception e = new Exception("the body publisher failed (" + kind + ")");
                    error = e;
                    body = RequestBody.ofPublisher(new PartsPublisher(opened, List.of(part), e), 3L * PART);
                }
                case PUBLISHER_SHORT -> {
                    error = null;
                    body = RequestBody.ofPublisher(new PartsPublisher(opened, List.of(part), null), 2L * PART);
                }
                case PUBLISHER_LONG -> {
                    error = null;
                    body = RequestBody.ofPublisher(new PartsPublisher(opened, List.of(part, part), null), PART);
                }
                default -> throw new AssertionError(kind);
            }
        }

        private Supplier<InputStream> streams(Supplier<InputStream> open) {
            return () -> {
                opened.incrementAndGet();
                return open.get();
            };
        }

        /** What the caller of {@code execute()} must get: the source's exception, or its checked one wrapped. */
        void assertThrownByExecute(Throwable thrown) {
            if (error == null) {
                assertLengthMismatch(thrown);
            } else if (error instanceof RuntimeException || error instanceof Error) {
                assertThat(thrown).as("execute(): the source's own exception").isSameAs(error);
            } else {
                assertThat(thrown)
                        .as("execute(): an AioductException caused directly by the source's checked exception")
                        .isExactlyInstanceOf(AioductException.class)
                        .cause()
                        .isSameAs(error);
            }
        }

        /** What {@code send()}'s future must fail with, and what callFailed/requestFailed must carry. */
        void assertIsTheFailure(Throwable failure) {
            if (error == null) {
                assertLengthMismatch(failure);
            } else {
                assertThat(failure).as("the source's own exception").isSameAs(error);
            }
        }

        private void assertLengthMismatch(Throwable thrown) {
            assertThat(thrown)
                    .as("a body that does not match its declared length")
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(
                            kind == Source.PUBLISHER_LONG
                                    ? "longer than its declared length of " + PART
                                    : "ended after " + PART + " of its declared " + 2 * PART);
        }
    }

    static Stream<Arguments> everyRuntimeProtocolAndSource() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : Protocol.values()) {
                for (Source source : Source.values()) {
                    out.add(Arguments.of(kind, protocol, source));
                }
            }
        }
        return out.stream();
    }

    private final List<AutoCloseable> servers = new ArrayList<>();
    private final List<Throwable> serverFailures = new ArrayList<>();
    private final Events events = new Events();

    @AfterEach
    void closeServers() throws Exception {
        for (AutoCloseable s : servers) {
            if (s instanceof TestServer t) serverFailures.addAll(t.failures());
            if (s instanceof H2TestServer t) serverFailures.addAll(t.failures());
            s.close();
        }
        servers.clear();
        assertThat(serverFailures).as("server-side failures").isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("everyRuntimeProtocolAndSource")
    void aFailingBodySourceFailsTheExchangeWithItsOwnExceptionAndNeverCompletesTheRequest(
            RuntimeKind kind, Protocol protocol, Source source) throws Exception {
        Peer peer = start(protocol);
        HttpEngine engine = singlePoolEngine(
                kind, protocol.config().toBuilder().eventListener(events).build());
        AioductClient client = AioductClient.builder(engine).build();

        // A reused connection and an idempotent method with a reopenable body: everything a retry wants.
        assertOk(client, peer.uri("/warm-up"));

        Attempt viaExecute = source.attempt();
        Throwable thrown = catchThrowable(() -> client.put(peer.uri("/upload"))
                .header("X-Attempt", "1")
                .body(viaExecute.body)
                .execute()
                .close());
        viaExecute.assertThrownByExecute(thrown);
        checkEventsAndNoRetry(viaExecute, "1");
        assertOk(client, peer.uri("/after-1"));

        Attempt viaSend = source.attempt();
        Throwable failed = sendFailure(
                client.put(peer.uri("/upload"))
                        .header("X-Attempt", "2")
                        .body(viaSend.body)
                        .build(),
                client);
        viaSend.assertIsTheFailure(failed);
        checkEventsAndNoRetry(viaSend, "2");
        assertOk(client, peer.uri("/after-2"));

        awaitQuiet(engine);
        peer.assertTwoRequestsCutShort();
        assertThat(peer.requestPaths())
                .as("complete requests the server received: the failed uploads never completed")
                .containsExactly("/warm-up", "/after-1", "/after-2");
    }

    private void checkEventsAndNoRetry(Attempt attempt, String mark) {
        awaitTrue(
                () -> events.named("callFailed", mark).size() == 1,
                () -> "no callFailed for attempt " + mark + ": " + events.all);
        assertThat(attempt.opened.get())
                .as("times the body source was opened (no retry)")
                .isEqualTo(1);
        assertThat(events.named("retry", mark)).as("retries").isEmpty();
        attempt.assertIsTheFailure(events.named("callFailed", mark).get(0));
        List<Throwable> requestFailed = events.named("requestFailed", mark);
        assertThat(requestFailed).as("requestFailed events").hasSize(1);
        attempt.assertIsTheFailure(requestFailed.get(0));
        assertThat(events.named("responseFailed", mark))
                .as("responseFailed events")
                .isEmpty();
        assertThat(events.named("requestBodyEnd", mark))
                .as("requestBodyEnd events")
                .isEmpty();
    }

    private static void assertOk(AioductClient client, String uri) {
        try (Response r = client.get(uri).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok");
        }
    }

    private static Throwable sendFailure(Request request, AioductClient client) throws InterruptedException {
        try {
            Response r = client.send(request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            r.close();
            throw new AssertionError("expected the exchange to fail, but got " + r.status());
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the exchange did not end within " + WAIT + " (hangs)", e);
        }
    }

    // ---- the servers ----

    /** The server of one protocol, seen as what this test checks. */
    interface Peer {
        String uri(String path);

        /** The two failed uploads ended as their protocol wants, and the connections are as expected. */
        void assertTwoRequestsCutShort();

        List<String> requestPaths();
    }

    private Peer start(Protocol protocol) {
        if (!protocol.h2) {
            TestServer s = protocol.tls ? TestServer.startTls(TlsMaterial.shared()) : TestServer.start();
            servers.add(s);
            s.handle((req, ex) -> ex.respond(200, "ok"));
            return new Peer() {
                @Override
                public String uri(String path) {
                    return s.uri(path);
                }

                @Override
                public void assertTwoRequestsCutShort() {
                    // warm-up + upload 1 on the first connection, which the failure closes; after-1 + upload 2
                    // on the second, closed too; after-2 on the third, idle in the pool.
                    s.awaitOpenConnections(1, WAIT);
                    assertThat(s.connectionsAccepted())
                            .as("connections accepted")
                            .isEqualTo(3);
                }

                @Override
                public List<String> requestPaths() {
                    return s.requests().stream().map(RecordedRequest::uri).toList();
                }
            };
        }
        H2TestServer s = protocol.tls ? H2TestServer.startTls(TlsMaterial.shared()) : H2TestServer.start();
        servers.add(s);
        s.handle((req, ex) -> ex.respond(200, "ok"));
        return new Peer() {
            @Override
            public String uri(String path) {
                return s.uri(path);
            }

            @Override
            public void assertTwoRequestsCutShort() {
                awaitTrue(() -> s.resetsReceived().size() >= 2, () -> "RST_STREAMs received: " + s.resetsReceived());
                assertThat(s.resetsReceived())
                        .as("each failed upload's stream is reset")
                        .hasSize(2)
                        .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(8 /* CANCEL */));
                assertThat(s.goAwaysReceived())
                        .as("GOAWAYs: one stream's failure ends no connection")
                        .isEmpty();
                assertThat(s.connectionsAccepted()).as("connections accepted").isEqualTo(1);
                assertThat(s.openConnections()).as("open connections").isEqualTo(1);
                if (s.isTls()) {
                    assertThat(s.http1().requestCount())
                            .as("requests over the HTTP/1.1 fallback")
                            .isZero();
                }
            }

            @Override
            public List<String> requestPaths() {
                return s.requests().stream().map(RecordedRequest::uri).toList();
            }
        };
    }

    // ---- sources ----

    /** One part of bytes, then an IOException. */
    private static final class FailingStream extends InputStream {
        private final byte[] part;
        private final IOException error;
        private int at;

        FailingStream(byte[] part, IOException error) {
            this.part = part;
            this.error = error;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (at == part.length) throw error;
            int n = Math.min(len, part.length - at);
            System.arraycopy(part, at, b, off, n);
            at += n;
            return n;
        }
    }

    /** Emits its parts one per request(n), then signals {@code error} or completes. */
    private static final class PartsPublisher implements Flow.Publisher<ByteBuffer> {
        private final AtomicInteger subscribed;
        private final List<byte[]> parts;
        private final @Nullable Throwable error;

        PartsPublisher(AtomicInteger subscribed, List<byte[]> parts, @Nullable Throwable error) {
            this.subscribed = subscribed;
            this.parts = parts;
            this.error = error;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscribed.incrementAndGet();
            subscriber.onSubscribe(new Flow.Subscription() {
                private int next;
                private long demand;
                private boolean emitting;
                private boolean done;

                @Override
                public synchronized void request(long n) {
                    demand += n;
                    if (emitting) return; // re-entrant request: the loop below serves it
                    emitting = true;
                    try {
                        while (!done && demand > 0 && next < parts.size()) {
                            demand--;
                            subscriber.onNext(ByteBuffer.wrap(parts.get(next++)));
                        }
                        if (!done && next == parts.size()) {
                            done = true;
                            if (error != null) {
                                subscriber.onError(error);
                            } else {
                                subscriber.onComplete();
                            }
                        }
                    } finally {
                        emitting = false;
                    }
                }

                @Override
                public synchronized void cancel() {
                    done = true;
                }
            });
        }
    }

    // ---- events ----

    /** Records the failure events of each upload, by its X-Attempt header. */
    private static final class Events implements EventListener {
        record Seen(String name, String mark, @Nullable Throwable error) {}

        final List<Seen> all = new CopyOnWriteArrayList<>();

        List<Throwable> named(String name, String mark) {
            return all.stream()
                    .filter(s -> s.name().equals(name) && s.mark().equals(mark))
                    .map(s -> s.error() == null ? new Throwable("(none)") : s.error())
                    .toList();
        }

        private void add(String name, Request request, @Nullable Throwable error) {
            String mark = request.headers().first("X-Attempt");
            if (mark != null) all.add(new Seen(name, mark, error));
        }

        @Override
        public void callFailed(Request request, Throwable error, long nanos) {
            add("callFailed", request, error);
        }

        @Override
        public void requestFailed(Request request, ConnectionInfo connection, Throwable error) {
            add("requestFailed", request, error);
        }

        @Override
        public void responseFailed(Request request, ConnectionInfo connection, Throwable error) {
            add("responseFailed", request, error);
        }

        @Override
        public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
            add("requestBodyEnd", request, null);
        }

        @Override
        public void retry(Request request, int attempt, Throwable cause) {
            add("retry", request, cause);
        }
    }
}
