package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Expect: 100-continue} on every runtime over every protocol (HTTP/1.1 and HTTP/2, cleartext and
 * TLS): the body waits for the 100 (Continue) or the continue timeout, a final response first means the
 * body is never sent and the client goes on correctly (HTTP/1.1 on a new connection, HTTP/2 on the same
 * one, the stream reset), and requests without the expectation are unchanged.
 *
 * <p>The server's view proves the order: the handler that answers 100 (a little later, so a client that
 * sent the body at once would show it) records how many body bytes had arrived when it did. No test
 * measures time: a wait that should have ended by a 100 is made too long to end any other way.
 */
class ExpectContinueTest extends MatrixTest {

    /** Long enough that a body released by it instead of by the 100 fails the test (response timeout). */
    private static final Duration NEVER = Duration.ofMinutes(5);
    /** The continue wait of tests where the server never sends 100. */
    private static final Duration SHORT = Duration.ofMillis(150);
    /** How long the server waits before its 100: time for a client that did not wait to show it. */
    private static final Duration LATER = Duration.ofMillis(100);

    private static final Duration WAIT = Duration.ofSeconds(10);

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    /** requestBodyStart events heard: only bodies that really started. */
    private final AtomicInteger bodyStarts = new AtomicInteger();

    private final EventListener listener = new EventListener() {
        @Override
        public void requestBodyStart(Request request, ConnectionInfo connection) {
            bodyStarts.incrementAndGet();
        }
    };

    private AioductClient client(RuntimeKind kind, Protocol protocol, Duration continueTimeout) {
        HttpEngine engine = matrixEngine(
                kind, protocol.config().toBuilder().eventListener(listener).build());
        return AioductClient.builder(engine)
                .expectContinueTimeout(continueTimeout)
                .responseTimeout(WAIT)
                .build();
    }

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static Request.Builder expecting(AioductClient client, MatrixServer server, RequestBody body) {
        return client.post(server.uri("/echo")).header("Expect", "100-continue").body(body);
    }

    /**
     * Answers every complete request on {@code /echo} with 200 and its body; the head of one that expects
     * 100-continue goes to {@code onHead} first, before its body is read.
     */
    private static void echo(MatrixServer server, MatrixServer.Responder onHead) {
        server.routeExpectingContinue("/echo", onHead, (req, reply) -> reply.respond(200, req.body()));
    }

    // ---- the behaviours ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theBodyGoesOnlyAfterTheContinue(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        AtomicInteger bodyBeforeContinue = new AtomicInteger(-1);
        echo(
                server,
                (head, reply) -> reply.later(LATER, () -> {
                    bodyBeforeContinue.set(reply.bodyBytesReceived());
                    reply.interim(100);
                }));
        AioductClient client = client(kind, protocol, NEVER);
        // Larger than what goes inline with the head, to take the separate-write path too.
        for (byte[] body : List.of(payload(1000), payload(40_000))) {
            bodyBeforeContinue.set(-1);
            try (Response r =
                    expecting(client, server, RequestBody.ofBytes(body)).execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().bytes()).isEqualTo(body);
            }
            assertThat(bodyBeforeContinue.get())
                    .as("body bytes the server had when it sent 100")
                    .isZero();
            RecordedRequest seen = server.takeRequest();
            assertThat(seen.header("expect")).isEqualToIgnoringCase("100-continue");
            assertThat(seen.body()).isEqualTo(body);
        }
        assertThat(bodyStarts.get()).isEqualTo(2);
        assertThat(server.connectionsAccepted())
                .as("the connection is reused after a 100")
                .isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void withoutAContinueTheBodyGoesAfterTheTimeout(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        AtomicInteger heads = new AtomicInteger();
        echo(server, (head, reply) -> heads.incrementAndGet()); // never says 100
        AioductClient client = client(kind, protocol, SHORT);
        byte[] body = payload(5000);

        try (Response r = expecting(client, server, RequestBody.ofBytes(body)).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().bytes()).isEqualTo(body);
        }
        assertThat(server.takeRequest().body()).isEqualTo(body);
        assertThat(heads.get()).isEqualTo(1);
        assertThat(bodyStarts.get()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aFinalResponseFirstMeansTheBodyIsNeverSent(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        List<MatrixServer.Reply> answered = new CopyOnWriteArrayList<>();
        echo(server, (head, reply) -> {
            answered.add(reply);
            String status = head.header("x-answer");
            reply.respond(Integer.parseInt(status), "no body wanted");
        });
        // A wait that cannot run out during the test: under load a short one may rightly send the body before
        // the server's answer arrives (stress runs showed it), which is not what this test is about.
        AioductClient client = client(kind, protocol, NEVER);
        int skipped = 0;
        for (int status : new int[] {417, 401, 413}) {
            // A streamed (non-replayable) body for one of them: it is never read.
            RequestBody body = status == 413
                    ? RequestBody.ofInputStream(new ByteArrayInputStream(payload(3000)), -1)
                    : RequestBody.ofBytes(payload(3000));
            try (Response r = expecting(client, server, body)
                    .header("X-Answer", Integer.toString(status))
                    .execute()) {
                assertThat(r.status()).isEqualTo(status);
                assertThat(r.body().string()).isEqualTo("no body wanted");
            }
            // Once HTTP/1.1 closed the connection or HTTP/2 reset the stream, no body byte can follow.
            server.awaitSkipped(++skipped);
        }
        assertThat(answered)
                .as("body bytes each server saw")
                .allSatisfy(h -> assertThat(h.bodyBytesReceived()).isZero());
        assertThat(bodyStarts.get()).as("requestBodyStart events").isZero();

        // The client goes on: HTTP/1.1 on a new connection each time, HTTP/2 on the same one.
        byte[] next = payload(100);
        try (Response r =
                client.post(server.uri("/echo")).body(RequestBody.ofBytes(next)).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().bytes()).isEqualTo(next);
        }
        assertThat(server.connectionsAccepted()).isEqualTo(protocol.h2 ? 1 : 4);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void earlyHintsDoNotReleaseTheBody(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        AtomicInteger bodyBeforeContinue = new AtomicInteger(-1);
        echo(server, (head, reply) -> {
            reply.interim(103, "Link", "</style.css>; rel=preload");
            reply.later(LATER, () -> {
                bodyBeforeContinue.set(reply.bodyBytesReceived());
                reply.interim(100);
            });
        });
        AioductClient client = client(kind, protocol, NEVER);
        byte[] body = payload(2000);

        try (Response r = expecting(client, server, RequestBody.ofBytes(body)).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().bytes()).isEqualTo(body);
        }
        assertThat(bodyBeforeContinue.get()).as("body bytes before the 100").isZero();
        assertThat(server.takeRequest().body()).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aStreamedBodyWaitsForTheContinueToo(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        AtomicInteger bodyBeforeContinue = new AtomicInteger(-1);
        echo(
                server,
                (head, reply) -> reply.later(LATER, () -> {
                    bodyBeforeContinue.set(reply.bodyBytesReceived());
                    reply.interim(100);
                }));
        AioductClient client = client(kind, protocol, NEVER);
        for (long length : new long[] {-1, 30_000}) {
            byte[] body = payload(30_000);
            bodyBeforeContinue.set(-1);
            try (Response r = expecting(
                            client, server, RequestBody.ofInputStream(new ByteArrayInputStream(body), length))
                    .execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().bytes()).isEqualTo(body);
            }
            assertThat(bodyBeforeContinue.get()).as("body bytes before the 100").isZero();
            assertThat(server.takeRequest().body()).isEqualTo(body);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void withoutTheExpectationNothingWaits(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        echo(server, (head, reply) -> {}); // would never say 100: a body held for it would time out the test
        AioductClient client = client(kind, protocol, NEVER);
        byte[] body = payload(1000);

        try (Response r =
                client.post(server.uri("/echo")).body(RequestBody.ofBytes(body)).execute()) {
            assertThat(r.body().bytes()).isEqualTo(body);
        }
        assertThat(server.takeRequest().header("expect")).isNull();
        // A request without content has nothing to hold back, Expect or not.
        try (Response r =
                client.get(server.uri("/echo")).header("Expect", "100-continue").execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        server.takeRequest();
        // A zero continue timeout (here per request) sends the body at once.
        try (Response r = expecting(client, server, RequestBody.ofBytes(body))
                .expectContinueTimeout(Duration.ZERO)
                .execute()) {
            assertThat(r.body().bytes()).isEqualTo(body);
        }
        assertThat(server.takeRequest().body()).isEqualTo(body);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }
}
