package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.protocol.Http1Options;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Responses that break HTTP/1.1 on every runtime: each must fail its exchange with a precise error, close
 * the connection it arrived on and leave the client fit for the next request.
 */
class MalformedResponseTest extends EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int HEAD_LIMIT = 1024;

    /** A response head limit small enough to be passed by a 4 KiB header. */
    private static final EngineConfig SMALL_HEADS = EngineConfig.builder()
            .http1(new Http1Options(HEAD_LIMIT, 256 * 1024, 64 * 1024))
            .build();

    /** One way to break a response: the raw bytes the server writes and what the error must say. */
    record Malformation(String name, String raw, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Malformation> malformations() {
        return List.of(
                new Malformation("bad status line", "HTTP/1.1 OK 200\r\nContent-Length: 2\r\n\r\nok", "status line"),
                new Malformation(
                        "space before colon",
                        "HTTP/1.1 200 OK\r\nX-Bad : 1\r\nContent-Length: 2\r\n\r\nok",
                        "whitespace in or after the header name"),
                new Malformation(
                        "header without colon",
                        "HTTP/1.1 200 OK\r\nX-No-Colon\r\nContent-Length: 2\r\n\r\nok",
                        "no colon"),
                new Malformation(
                        "obs-fold line",
                        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 2\r\n\r\nok",
                        "obsolete line folding"),
                new Malformation(
                        "control char in a header value",
                        "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 2\r\n\r\nok",
                        "'X-Ctl' has an illegal character"),
                new Malformation(
                        "two different Content-Length values",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
                        "two different Content-Length values"),
                new Malformation(
                        "Content-Length with chunked",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                        "both Content-Length and Transfer-Encoding"),
                new Malformation(
                        "non-numeric Content-Length",
                        "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nok",
                        "is not a number"),
                new Malformation(
                        "unsupported transfer coding",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
                        "unsupported transfer coding 'gzip'"),
                new Malformation(
                        "broken chunk size",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                        "invalid chunk size"),
                new Malformation(
                        "head larger than the limit",
                        "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(4096) + "\r\nContent-Length: 2\r\n\r\nok",
                        "exceeds the limit of " + HEAD_LIMIT + " bytes"));
    }

    static Stream<Arguments> runtimesAndMalformations() {
        return Arrays.stream(RuntimeKind.values())
                .flatMap(kind -> malformations().stream().map(m -> Arguments.of(kind, m)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("runtimesAndMalformations")
    void malformedResponseFailsClosesItsConnectionAndTheClientRecovers(RuntimeKind kind, Malformation m)
            throws Exception {
        server.route("/bad", (req, ex) -> ex.writeRaw(m.raw()));
        server.route("/good", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = client(kind, SMALL_HEADS, b -> {});

        Throwable failure = exchangeFailure(client, server.uri("/bad"));

        assertThat(failure).isInstanceOf(HttpProtocolException.class).hasMessageContaining(m.messagePart());
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isZero();

        assertThat(client.get(server.uri("/good")).execute().body().string()).isEqualTo("fine");
        assertThat(server.takeRequest().path()).isEqualTo("/bad");
        RecordedRequest next = server.takeRequest();
        assertThat(next.path()).isEqualTo("/good");
        assertThat(next.requestIndexOnConnection()).isZero();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void malformedHeadFailsTheBlockingCallDirectly(RuntimeKind kind) {
        server.route("/bad", (req, ex) -> ex.writeRaw("HTTP/1.1 2xx Nope\r\nContent-Length: 0\r\n\r\n"));
        server.route("/good", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = client(kind);

        assertThatThrownBy(() -> client.get(server.uri("/bad")).execute())
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageContaining("status");

        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(client.get(server.uri("/good")).execute().body().string()).isEqualTo("fine");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bodyShorterThanContentLengthFailsWithConnectionClosed(RuntimeKind kind) throws Exception {
        server.route(
                "/short",
                (req, ex) -> ex.writeRawThenClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10)));
        server.route("/good", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = client(kind);

        Response response = client.get(server.uri("/short")).execute();
        assertThat(response.status()).isEqualTo(200);
        Throwable failure = bodyFailure(response);

        assertThat(failure).isInstanceOf(ConnectionClosedException.class).hasMessageContaining("10 of 100");
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(client.get(server.uri("/good")).execute().body().string()).isEqualTo("fine");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bytesBeyondContentLengthAreDroppedAndTheConnectionIsNotReused(RuntimeKind kind) {
        server.route("/long", (req, ex) -> ex.writeRaw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA-BYTES"));
        server.route("/good", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = client(kind);

        assertThat(client.get(server.uri("/long")).execute().body().string()).isEqualTo("hello");

        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isZero();
        // On io_uring sequential requests visit every core; none may find the out-of-step connection.
        int cores = cores(client);
        for (int i = 0; i < cores; i++) {
            assertThat(client.get(server.uri("/good")).execute().body().string())
                    .isEqualTo("fine");
        }
        assertThat(server.takeRequest().path()).isEqualTo("/long");
        for (int i = 0; i < cores; i++) {
            RecordedRequest next = server.takeRequest();
            assertThat(next.path()).isEqualTo("/good");
            assertThat(next.requestIndexOnConnection())
                    .as("request %s must be the first on a new connection", next)
                    .isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void malformedChunkAfterTheHeadFailsTheBodyRead(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> exchanges = new LinkedBlockingQueue<>();
        server.route("/chunked", (req, ex) -> {
            ex.writeRaw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc");
            exchanges.add(ex);
        });
        server.route("/good", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = client(kind);

        Response response = client.get(server.uri("/chunked")).execute();
        assertThat(response.status()).isEqualTo(200);
        CompletableFuture<byte[]> body = response.body().bytesAsync().toCompletableFuture();
        // The chunk of 5 ends after "abcde" and must be followed by CRLF, not "!!".
        exchanges.take().writeRaw("de!!garbage\r\n");

        Throwable failure = outcome(body);
        assertThat(failure).isInstanceOf(HttpProtocolException.class).hasMessageContaining("chunk");
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(client.get(server.uri("/good")).execute().body().string()).isEqualTo("fine");
    }

    // ---- isolation: a failing test must not leak a busy engine into the tests after it ----

    private final List<HttpEngine> engines = new ArrayList<>();

    @Override
    protected HttpEngine engine(RuntimeKind kind, EngineConfig config) {
        HttpEngine e = super.engine(kind, config);
        engines.add(e);
        return e;
    }

    /**
     * Runs before {@link EngineTest}'s own check, which skips closing an engine it finds busy: an engine that
     * does not quiet down is closed here, then reported, so its threads cannot fail the following tests.
     */
    @AfterEach
    void closeEnginesLeftBusy() {
        AssertionError busy = null;
        for (HttpEngine e : engines) {
            if (e.isClosed()) {
                continue;
            }
            try {
                awaitQuiet(e);
            } catch (AssertionError notQuiet) {
                e.close(Duration.ofSeconds(1));
                if (busy == null) {
                    busy = notQuiet;
                }
            }
        }
        engines.clear();
        if (busy != null) {
            throw busy;
        }
    }

    // ---- helpers ----

    /** How many connections sequential requests from the test thread spread over (one per io_uring core). */
    static int cores(AioductClient client) {
        return client.engine().runtime() instanceof RuntimeLocal local ? local.cores() : 1;
    }

    /**
     * Sends a GET and reads its whole body, both with a bound; returns what failed. Uses {@code send()} so a
     * future that never completes fails the test instead of hanging it.
     */
    static Throwable exchangeFailure(AioductClient client, String uri) throws InterruptedException {
        CompletableFuture<Response> sent = client.get(uri).send();
        Response response;
        try {
            response = sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the response future did not complete within " + WAIT + " (exchange hangs)", e);
        }
        return bodyFailure(response);
    }

    /** Reads the whole body with a bound and returns the failure; fails the test if the body was read. */
    static Throwable bodyFailure(Response response) throws InterruptedException {
        return outcome(response.body().bytesAsync().toCompletableFuture());
    }

    static Throwable outcome(CompletableFuture<byte[]> body) throws InterruptedException {
        try {
            byte[] bytes = body.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected the body to fail, but it was read: " + bytes.length + " bytes");
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the body read did not end within " + WAIT + " (body hangs)", e);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
