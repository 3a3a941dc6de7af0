package io.aioduct.http2;

import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.bodyFailure;
import static io.aioduct.http2.H2Support.failure;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.priorKnowledge;
import static io.aioduct.http2.H2Support.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Timeouts over HTTP/2 on every runtime: a response or read timeout ends its own stream (RST_STREAM
 * CANCEL) and leaves the connection to the others, and keep-alive PINGs keep an idle connection (when the
 * server answers them) or close it (when it does not).
 */
class Http2TimeoutTest extends EngineTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResponseTimeoutEndsOnlyItsStream(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/stall", (req, ex) -> ex.stall());
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> other = client.get(h2.uri("/held")).send();
            H2ServerExchange otherExchange = take(held, 1).get(0);

            Throwable failure =
                    failure(client.get(h2.uri("/stall")).responseTimeout(SHORT).send());

            assertThat(failure).isInstanceOfSatisfying(TimedOutException.class, e -> {
                assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE);
                assertThat(e.timeout()).isEqualTo(SHORT);
            });
            awaitTrue(() -> !h2.resetsReceived().isEmpty(), () -> "the timed-out stream was not reset");
            H2TestServer.ReceivedReset reset = h2.resetsReceived().get(0);
            assertThat(reset.errorCode()).as("CANCEL").isEqualTo(0x8);
            assertThat(reset.streamId()).isNotEqualTo(otherExchange.streamId());

            otherExchange.respond(200, "the other stream");
            assertThat(await(other).body().string()).isEqualTo("the other stream");
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted())
                    .as("the connection outlived the timeout")
                    .isEqualTo(1);
            assertThat(h2.requests()).as("a timed-out request is not retried").hasSize(3);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aReadTimeoutMidBodyEndsOnlyItsStream(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route(
                    "/partial",
                    (req, ex) ->
                            ex.respondStreaming(200, "content-length", "1000").write("x".repeat(100)));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            Response response =
                    client.get(h2.uri("/partial")).readTimeout(SHORT).execute();
            assertThat(response.status()).isEqualTo(200);

            assertThat(bodyFailure(response)).isInstanceOfSatisfying(TimedOutException.class, e -> {
                assertThat(e.kind()).isEqualTo(TimedOutException.Kind.READ);
                assertThat(e.timeout()).isEqualTo(SHORT);
            });
            awaitTrue(() -> !h2.resetsReceived().isEmpty(), () -> "the timed-out stream was not reset");
            assertThat(h2.resetsReceived().get(0).errorCode()).isEqualTo(0x8);
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdleConnectionIsPingedAndKeptWhileThePingsAreAnswered(RuntimeKind kind) {
        // The usual shape: the interval longer than the timeout (defaults: 30 s and 10 s).
        Http2Options options = priorKnowledge().withPing(Duration.ofMillis(500), Duration.ofMillis(400));
        try (RawH2Peer peer = RawH2Peer.start()) {
            HttpEngine engine = singlePoolEngine(kind, h2c(options));
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(peer.uri("/first")).execute().status()).isEqualTo(200);

            awaitTrue(
                    () -> peer.frames(RawH2Peer.PING).size() >= 3,
                    () -> "an idle connection should be PINGed every 500 ms; PINGs: "
                            + peer.frames(RawH2Peer.PING).size());

            assertThat(peer.connectionsEndedByClient())
                    .as("connections the client closed")
                    .isZero();
            assertThat(client.get(peer.uri("/second")).execute().status()).isEqualTo(200);
            assertThat(peer.connectionsAccepted())
                    .as("the PINGed connection was reused")
                    .isEqualTo(1);
            assertThat(peer.frames(RawH2Peer.PING)).allSatisfy(f -> {
                assertThat(f.streamId()).isZero();
                assertThat(f.payload()).hasSize(8);
            });
            awaitQuiet(engine);
            assertThat(peer.failures()).isEmpty();
        }
        try (H2TestServer h2 = H2TestServer.start()) {
            // Netty's server answers PINGs by itself: the connection lives through many intervals.
            h2.route("/", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c(options));
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(h2.uri("/")).execute().body().string()).isEqualTo("ok");
            H2Support.sleep(1200);
            assertThat(h2.openConnections()).isEqualTo(1);
            assertThat(client.get(h2.uri("/")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void answeredPingsFollowTheIntervalEvenWhenTheTimeoutIsLonger(RuntimeKind kind) {
        // pingInterval is "how long a connection may stay silent before we PING it": after an answered PING
        // the connection is silent again, so the next PING is due one interval after the answer, however long
        // the timeout for answers is.
        Http2Options options = priorKnowledge().withPing(Duration.ofMillis(100), Duration.ofSeconds(30));
        try (RawH2Peer peer = RawH2Peer.start()) {
            HttpEngine engine = singlePoolEngine(kind, h2c(options));
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(peer.uri("/first")).execute().status()).isEqualTo(200);

            awaitTrue(
                    () -> peer.frames(RawH2Peer.PING).size() >= 3,
                    () -> "with a 100 ms interval 3 PINGs are due within a second; got "
                            + peer.frames(RawH2Peer.PING).size() + " in 10 s");
            assertThat(peer.connectionsEndedByClient()).isZero();
            awaitQuiet(engine);
            assertThat(peer.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anUnansweredPingClosesTheConnectionAndFailsItsStreams(RuntimeKind kind) {
        Duration pingTimeout = Duration.ofMillis(300);
        Http2Options options = priorKnowledge().withPing(Duration.ofMillis(200), pingTimeout);
        try (RawH2Peer peer = RawH2Peer.start().ackPings(false).answerRequests(false)) {
            HttpEngine engine = singlePoolEngine(kind, h2c(options));
            AioductClient client = H2Support.client(engine);

            // The server accepts the stream and then goes silent: only the PING notices.
            Throwable failure = failure(client.get(peer.uri("/silent")).send());

            assertThat(failure).isInstanceOfSatisfying(TimedOutException.class, e -> {
                assertThat(e.kind()).isEqualTo(TimedOutException.Kind.READ);
                assertThat(e.timeout()).isEqualTo(pingTimeout);
                assertThat(e.getMessage()).contains("PING");
            });
            assertThat(peer.frames(RawH2Peer.PING)).isNotEmpty();
            awaitTrue(() -> peer.connectionsEndedByClient() == 1, () -> "the client kept the silent connection");
            assertThat(peer.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(peer.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdleConnectionWhosePingGoesUnansweredIsReplaced(RuntimeKind kind) {
        // PINGs are answered while a request runs: otherwise it would have to finish within one interval +
        // timeout of its connection's start, a race with the clock a busy JVM loses (1 in ~180 under
        // scripts/stress).
        Http2Options options = priorKnowledge().withPing(Duration.ofMillis(250), Duration.ofMillis(750));
        try (RawH2Peer peer = RawH2Peer.start()) {
            HttpEngine engine = singlePoolEngine(kind, h2c(options));
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(peer.uri("/first")).execute().status()).isEqualTo(200);
            peer.ackPings(false); // from now on: the idle connection's next PING goes unanswered

            awaitTrue(() -> peer.connectionsEndedByClient() == 1, () -> "the unanswered PING did not close it");
            peer.ackPings(true);

            assertThat(client.get(peer.uri("/second")).execute().status()).isEqualTo(200);
            assertThat(peer.connectionsAccepted()).isEqualTo(2);
            awaitQuiet(engine);
            assertThat(peer.failures()).isEmpty();
            assertThat(peer.frames(RawH2Peer.GOAWAY))
                    .as("the client sends GOAWAY before it closes the silent connection")
                    .filteredOn(f -> f.connection() == 1)
                    .hasSize(1);
        }
    }
}
