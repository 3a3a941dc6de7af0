package io.aioduct.http2;

import static io.aioduct.http2.H2Support.WAIT;
import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.bodyFailure;
import static io.aioduct.http2.H2Support.failure;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.StreamResetException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/2 failures on every runtime: GOAWAY below in-flight streams, stream resets (REFUSED_STREAM retried
 * once, others failing only their stream), connection errors failing every stream of their connection,
 * unknown frames, oversized header lists, and the server dropping the TCP connection.
 */
class Http2ErrorHandlingTest extends EngineTest {

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    // ---- GOAWAY ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void goAwayRetriesStreamsAboveTheLastStreamIdOnANewConnection(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/after", (req, ex) -> ex.respond(200, "after on " + ex.connectionId()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            List<CompletableFuture<Response>> responses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                responses.add(client.get(h2.uri("/held/" + i)).send());
            }
            List<H2ServerExchange> first = new ArrayList<>(take(held, 3));
            first.sort(Comparator.comparingInt(H2ServerExchange::streamId));
            assertThat(first).extracting(H2ServerExchange::streamId).containsExactly(1, 3, 5);
            assertThat(first).allSatisfy(ex -> assertThat(ex.connectionId()).isEqualTo(1));

            await(first.get(0).goAway(3, Http2Error.NO_ERROR.code(), "draining"));

            // Stream 5 was never processed: the client sends it again, on a new connection.
            int above = Integer.parseInt(first.get(2).request().path().substring("/held/".length()));
            awaitTrue(
                    () -> !held.isEmpty() || responses.get(above).isDone(),
                    () -> "the request above the last stream id was neither retried nor failed");
            assertThat(responses.get(above))
                    .as("the request on stream 5, above GOAWAY's last stream id, must be retried, not failed")
                    .isNotCompletedExceptionally();
            H2ServerExchange retried = take(held, 1).get(0);
            assertThat(retried.connectionId()).as("the retry's connection").isEqualTo(2);
            assertThat(retried.request().path())
                    .isEqualTo(first.get(2).request().path());
            Map<String, String> expected = new HashMap<>();
            for (H2ServerExchange ex : List.of(first.get(0), first.get(1), retried)) {
                String body = "stream " + ex.streamId() + " on " + ex.connectionId();
                expected.put(ex.request().path(), body);
                ex.respond(200, body);
            }
            for (int i = 0; i < responses.size(); i++) {
                assertThat(await(responses.get(i)).body().string()).isEqualTo(expected.get("/held/" + i));
            }
            assertThat(expected.values()).contains("stream 1 on 1", "stream 3 on 1");

            assertThat(client.get(h2.uri("/after")).execute().body().string())
                    .as("a request after GOAWAY goes to the new connection")
                    .isEqualTo("after on 2");
            assertThat(h2.connectionsAccepted()).isEqualTo(2);
            assertThat(h2.requests())
                    .filteredOn(r -> r.path().equals(retried.request().path()))
                    .extracting(RecordedRequest::connectionId)
                    .containsExactly(1, 2);
            h2.awaitOpenConnections(1, WAIT); // the old one closes once its streams are done
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- RST_STREAM ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void refusedStreamIsRetriedOnceWhateverTheMethod(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            Map<String, AtomicInteger> arrivals = new java.util.concurrent.ConcurrentHashMap<>();
            h2.route("/refuse-once", (req, ex) -> {
                int n = arrivals.computeIfAbsent(req.path(), p -> new AtomicInteger())
                        .incrementAndGet();
                if (n == 1) {
                    ex.reset(Http2Error.REFUSED_STREAM);
                } else {
                    ex.respond(200, "attempt " + n + " got " + req.bodySize() + " bytes");
                }
            });
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            assertThat(client.get(h2.uri("/refuse-once/get")).execute().body().string())
                    .isEqualTo("attempt 2 got 0 bytes");
            assertThat(client.post(h2.uri("/refuse-once/post"))
                            .body(RequestBody.ofString("x".repeat(1000)))
                            .execute()
                            .body()
                            .string())
                    .as("a POST the server refused was never processed: sent again")
                    .isEqualTo("attempt 2 got 1000 bytes");
            assertThat(h2.requests())
                    .extracting(RecordedRequest::path)
                    .containsExactly("/refuse-once/get", "/refuse-once/get", "/refuse-once/post", "/refuse-once/post");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aStreamRefusedTwiceFailsWithStreamResetException(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/refuse", (req, ex) -> ex.reset(Http2Error.REFUSED_STREAM));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            Throwable failure = failure(client.get(h2.uri("/refuse")).send());

            assertThat(failure)
                    .isInstanceOfSatisfying(
                            StreamResetException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(0x7));
            assertThat(h2.requests()).as("one retry, no more").hasSize(2);
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void otherResetsFailOnlyTheirRequestWhileTheConnectionCarriesOn(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/cancel", (req, ex) -> ex.reset(Http2Error.CANCEL));
            h2.route("/internal", (req, ex) -> ex.reset(Http2Error.INTERNAL_ERROR));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> survivor = client.get(h2.uri("/held")).send();
            H2ServerExchange survivorExchange = take(held, 1).get(0);

            assertThat(failure(client.get(h2.uri("/cancel")).send()))
                    .isInstanceOfSatisfying(
                            StreamResetException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(0x8));
            assertThat(failure(client.put(h2.uri("/internal"))
                            .body(RequestBody.ofString("idempotent, still not retried"))
                            .send()))
                    .isInstanceOfSatisfying(
                            StreamResetException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(0x2));

            assertThat(survivor).isNotDone();
            survivorExchange.respond(200, "survived");
            assertThat(await(survivor).body().string()).isEqualTo("survived");
            assertThat(h2.requests())
                    .as("a reset other than REFUSED_STREAM is not retried")
                    .extracting(RecordedRequest::path)
                    .containsExactlyInAnyOrder("/held", "/cancel", "/internal");
            assertThat(h2.requests())
                    .allSatisfy(r -> assertThat(r.connectionId()).isEqualTo(1));
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResetAfterTheResponseHeadFailsTheBodyWithTheCode(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route(
                    "/partial",
                    (req, ex) -> ex.respondStreaming(200)
                            .write("the start")
                            .thenRun(() -> ex.reset(Http2Error.INTERNAL_ERROR)));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            Response response = client.get(h2.uri("/partial")).execute();
            assertThat(response.status()).isEqualTo(200);
            assertThat(bodyFailure(response))
                    .isInstanceOfSatisfying(
                            StreamResetException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(0x2));
            assertThat(failure(response.trailers())).isInstanceOf(StreamResetException.class);

            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- connection errors ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void dataOnStreamZeroFailsEveryStreamOfTheConnection(RuntimeKind kind) {
        connectionErrorFailsEveryInFlightStream(
                kind, ex -> ex.writeRawFrame(DATA, 0, 0, "data on stream 0".getBytes(StandardCharsets.US_ASCII)), 0x1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anUndecodableHeaderBlockFailsEveryStreamOfTheConnection(RuntimeKind kind) {
        connectionErrorFailsEveryInFlightStream(
                kind,
                ex -> ex.writeRawFrame(HEADERS, END_HEADERS | END_STREAM, ex.streamId(), new byte[] {
                    (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF
                }),
                0x9);
    }

    private void connectionErrorFailsEveryInFlightStream(
            RuntimeKind kind, java.util.function.Consumer<H2ServerExchange> misbehave, long expectedGoAwayCode) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok on " + ex.connectionId()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> a = client.get(h2.uri("/held/a")).send();
            CompletableFuture<Response> b = client.get(h2.uri("/held/b")).send();
            List<H2ServerExchange> exchanges = take(held, 2);

            misbehave.accept(exchanges.get(0));

            assertThat(failure(a)).isInstanceOf(HttpProtocolException.class);
            assertThat(failure(b)).isInstanceOf(HttpProtocolException.class);
            awaitTrue(() -> !h2.goAwaysReceived().isEmpty(), () -> "the client sent no GOAWAY");
            assertThat(h2.goAwaysReceived().get(0).errorCode()).isEqualTo(expectedGoAwayCode);
            h2.awaitOpenConnections(0, WAIT);

            assertThat(client.get(h2.uri("/ok")).execute().body().string())
                    .as("the next request opens a new connection")
                    .isEqualTo("ok on 2");
            assertThat(h2.requests())
                    .filteredOn(r -> r.path().startsWith("/held"))
                    .hasSize(2);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void unknownFrameTypesAreIgnored(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/", (req, ex) -> {
                ex.writeRawFrame(0xFA, 0x5, ex.streamId(), "on the stream".getBytes(StandardCharsets.US_ASCII));
                ex.writeRawFrame(0xFB, 0xFF, 0, "on the connection".getBytes(StandardCharsets.US_ASCII));
                ex.respond(200, "after unknown frames");
            });
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            for (int i = 0; i < 2; i++) {
                assertThat(client.get(h2.uri("/")).execute().body().string()).isEqualTo("after unknown frames");
            }
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.goAwaysReceived()).isEmpty();
            assertThat(h2.resetsReceived()).isEmpty();
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responseHeadersOverTheHeaderListLimitFailOnlyThatRequest(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/over", (req, ex) -> ex.respondOversizedHeaders(80_000));
            h2.route("/under", (req, ex) -> ex.respondOversizedHeaders(60_000));
            HttpEngine engine = singlePoolEngine(kind, h2c()); // limit: 64 KiB
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> survivor = client.get(h2.uri("/held")).send();
            H2ServerExchange survivorExchange = take(held, 1).get(0);

            Throwable failure = failure(client.get(h2.uri("/over")).send());
            assertThat(failure).isInstanceOf(HttpProtocolException.class).hasMessageContaining("header list");
            Response under = client.get(h2.uri("/under")).execute();
            assertThat(under.status()).isEqualTo(200);
            assertThat(under.headers().first("x-filler-0")).hasSize(4000);
            under.close();

            survivorExchange.respond(200, "survived");
            assertThat(await(survivor).body().string()).isEqualTo("survived");
            assertThat(h2.connectionsAccepted())
                    .as("a stream error keeps the connection")
                    .isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- the TCP connection dropped ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdempotentRequestThatReceivedNothingIsRetriedWhenTheConnectionDrops(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            AtomicInteger arrivals = new AtomicInteger();
            h2.route("/drop-once", (req, ex) -> {
                if (arrivals.incrementAndGet() == 1) {
                    ex.closeConnection();
                } else {
                    ex.respond(200, "second try on " + ex.connectionId());
                }
            });
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            // The engine treats a connection lost before any response byte like a stale HTTP/1.1 connection:
            // an idempotent request is sent once more, on a fresh connection.
            assertThat(client.get(h2.uri("/drop-once")).execute().body().string())
                    .isEqualTo("second try on 2");
            assertThat(h2.requestCount()).isEqualTo(2);
            assertThat(h2.connectionsAccepted()).isEqualTo(2);
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aNonIdempotentRequestFailsWithConnectionClosedWhenTheConnectionDrops(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/drop", (req, ex) -> ex.closeConnection());
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));

            Throwable failure = failure(client.post(h2.uri("/drop"))
                    .body(RequestBody.ofString("once"))
                    .send());

            assertThat(failure).isInstanceOf(ConnectionClosedException.class);
            assertThat(h2.requestCount()).as("a POST is not sent twice").isEqualTo(1);
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            awaitQuiet(client.engine());
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theServerClosingABusyConnectionRetriesItsGetsAndFailsItsPost(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);
            List<CompletableFuture<Response>> gets = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                gets.add(client.get(h2.uri("/held/" + i)).send());
            }
            CompletableFuture<Response> post = client.post(h2.uri("/held/post"))
                    .body(RequestBody.ofString("once"))
                    .send();
            take(held, 4);

            // GOAWAY naming every stream as possibly processed, then FIN: nothing was answered.
            assertThat(h2.closeAllConnections()).isEqualTo(1);

            assertThat(failure(post)).isInstanceOf(ConnectionClosedException.class);
            List<H2ServerExchange> retried = take(held, 3);
            assertThat(retried).allSatisfy(ex -> assertThat(ex.connectionId()).isGreaterThan(1));
            for (H2ServerExchange ex : retried) {
                ex.respond(200, "retried " + ex.request().path());
            }
            for (int i = 0; i < gets.size(); i++) {
                assertThat(await(gets.get(i)).body().string()).isEqualTo("retried /held/" + i);
            }
            assertThat(h2.requests())
                    .filteredOn(r -> r.path().equals("/held/post"))
                    .as("the POST is not sent twice")
                    .hasSize(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aConnectionResetMidBodyFailsTheBodyAndRetriesTheUnansweredGet(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> midBody =
                    client.get(h2.uri("/held/mid-body")).send();
            H2ServerExchange midBodyExchange = take(held, 1).get(0);
            midBodyExchange.respondStreaming(200).write("x".repeat(1000));
            Response response = await(midBody);
            CompletableFuture<Response> unanswered =
                    client.get(h2.uri("/held/unanswered")).send();
            H2ServerExchange unansweredExchange = take(held, 1).get(0);
            assertThat(unansweredExchange.connectionId()).isEqualTo(midBodyExchange.connectionId());

            midBodyExchange.resetConnection();

            assertThat(bodyFailure(response)).isInstanceOf(ConnectionClosedException.class);
            H2ServerExchange retried = take(held, 1).get(0);
            assertThat(retried.request().path()).isEqualTo("/held/unanswered");
            assertThat(retried.connectionId()).isEqualTo(2);
            retried.respond(200, "answered on retry");
            assertThat(await(unanswered).body().string()).isEqualTo("answered on retry");
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }
}
