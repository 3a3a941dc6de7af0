package io.aioduct.http2;

import static io.aioduct.http2.H2Support.WAIT;
import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.pump;
import static io.aioduct.http2.H2Support.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Giving up on one HTTP/2 exchange, on every runtime: cancelling its future, closing its body early or
 * dropping its response resets that stream (RST_STREAM CANCEL) and nothing else: the connection and its
 * other streams carry on.
 */
class Http2CancellationTest extends EngineTest {

    private static final int CANCEL = 0x8;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingOneFutureResetsOnlyItsStream(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> doomed =
                    client.get(h2.uri("/held/doomed")).send();
            CompletableFuture<Response> survivor =
                    client.get(h2.uri("/held/survivor")).send();
            List<H2ServerExchange> exchanges = take(held, 2);
            H2ServerExchange doomedExchange = exchanges.stream()
                    .filter(ex -> ex.request().path().equals("/held/doomed"))
                    .findFirst()
                    .orElseThrow();
            H2ServerExchange survivorExchange = exchanges.stream()
                    .filter(ex -> ex != doomedExchange)
                    .findFirst()
                    .orElseThrow();

            assertThat(doomed.cancel(true)).isTrue();

            awaitTrue(
                    () -> !h2.resetsReceived().isEmpty()
                            || !h2.goAwaysReceived().isEmpty(),
                    () -> "the cancelled stream was never reset");
            assertThat(h2.goAwaysReceived())
                    .as("GOAWAYs: cancelling must not close the connection")
                    .isEmpty();
            assertThat(h2.resetsReceived())
                    .containsExactly(new H2TestServer.ReceivedReset(1, doomedExchange.streamId(), CANCEL));
            survivorExchange.respond(200, "survived");
            assertThat(await(survivor).body().string()).isEqualTo("survived");
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.openConnections()).isEqualTo(1);
            assertThat(doomed).isCancelled();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void closingABodyEarlyResetsOnlyItsStream(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            BlockingQueue<H2ServerExchange> big = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/big", (req, ex) -> {
                big.add(ex);
                pump(ex.respondStreaming(200), 8 * 1024 * 1024, 0);
            });
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> survivor = client.get(h2.uri("/held")).send();
            H2ServerExchange survivorExchange = take(held, 1).get(0);
            Response response = client.get(h2.uri("/big")).execute();
            int bigStream = take(big, 1).get(0).streamId();
            try (InputStream in = response.body().inputStream()) {
                assertThat(in.readNBytes(1000)).hasSize(1000);
            }

            awaitTrue(() -> !h2.resetsReceived().isEmpty(), () -> "the closed body's stream was never reset");
            assertThat(h2.resetsReceived()).containsExactly(new H2TestServer.ReceivedReset(1, bigStream, CANCEL));
            survivorExchange.respond(200, "survived");
            assertThat(await(survivor).body().string()).isEqualTo("survived");
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.goAwaysReceived()).isEmpty();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anAbandonedResponseResetsItsStream(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.start()) {
            // A body that never ends: only the abandonment can free its stream (the read timeout is 30 s).
            h2.route("/endless", (req, ex) -> ex.respondStreaming(200).write("the start of a long story"));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            sendAndDropTheResponse(client, h2);
            assertThat(h2.takeRequest().path()).isEqualTo("/endless");

            long deadline = System.nanoTime() + WAIT.toNanos();
            while (h2.resetsReceived().isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the stream of an unreachable response was never reset; engine: inFlight=" + engine.inFlight()
                            + " pools=" + engine.poolStats());
                }
                System.gc();
                Thread.sleep(20);
            }
            assertThat(h2.resetsReceived()).containsExactly(new H2TestServer.ReceivedReset(1, 1, CANCEL));
            awaitQuiet(engine);
            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok");
            assertThat(h2.connectionsAccepted())
                    .as("the connection outlived the abandoned stream")
                    .isEqualTo(1);
            assertThat(h2.goAwaysReceived()).isEmpty();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    /** In its own frame, so no local variable keeps the response reachable afterwards. */
    private static void sendAndDropTheResponse(AioductClient client, H2TestServer h2) {
        Response response = client.get(h2.uri("/endless")).execute();
        assertThat(response.status()).isEqualTo(200);
    }
}
