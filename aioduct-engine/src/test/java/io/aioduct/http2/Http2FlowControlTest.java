package io.aioduct.http2;

import static io.aioduct.http2.H2Support.assertSameBytes;
import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.failure;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.patternMismatch;
import static io.aioduct.http2.H2Support.priorKnowledge;
import static io.aioduct.http2.H2Support.pump;
import static io.aioduct.http2.H2Support.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/2 flow control on every runtime: large downloads within the client's windows, the windows the
 * client advertises, request bodies sent under a tiny or stalled server window, and a slow reader of one
 * stream that must not hold up the other streams of its connection.
 */
class Http2FlowControlTest extends EngineTest {

    private static final int MIB = 1024 * 1024;
    private static final int DEFAULT_WINDOW = 65_535;

    // ---- downloads ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void largeDownloadsArriveByteExact(RuntimeKind kind) throws Exception {
        byte[] one = randomBytes(MIB, 1);
        byte[] four = randomBytes(4 * MIB, 4);
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/one", (req, ex) -> ex.respond(200, one));
            h2.route("/four", (req, ex) -> ex.respond(200, four));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            assertSameBytes(client.get(h2.uri("/one")).execute().body().bytes(), one, "1 MiB with bytes()");
            try (InputStream in = client.get(h2.uri("/four")).execute().body().inputStream()) {
                assertSameBytes(in.readAllBytes(), four, "4 MiB from an input stream");
            }
            // Both at once on the one connection: 5 MiB, more than the 4 MiB connection window.
            CompletableFuture<Response> a = client.get(h2.uri("/four")).send();
            CompletableFuture<Response> b = client.get(h2.uri("/one")).send();
            assertSameBytes(await(await(a).body().bytesAsync()), four, "4 MiB at once with 1 MiB");
            assertSameBytes(await(await(b).body().bytesAsync()), one, "1 MiB at once with 4 MiB");

            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- the windows the client advertises ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theClientAdvertisesA2MiBStreamWindowAndA4MiBConnectionWindow(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/", (req, ex) -> ex.respond(200, "ok"));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));
            assertThat(client.get(h2.uri("/")).execute().body().string()).isEqualTo("ok");

            assertThat(h2.settingsReceived()).hasSize(1);
            Http2Settings settings = h2.settingsReceived().get(0).settings();
            assertThat(settings.initialWindowSize()).isEqualTo(2 * MIB);
            assertThat(settings.pushEnabled()).isFalse();
            assertThat(settings.maxFrameSize()).isEqualTo(16 * 1024);
            assertThat(settings.maxHeaderListSize()).isEqualTo(64L * 1024);
            assertThat(h2.failures()).isEmpty();
        }
        try (RawH2Peer peer = RawH2Peer.start()) {
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));
            assertThat(client.get(peer.uri("/")).execute().status()).isEqualTo(200);

            RawH2Peer.Frame settings = peer.frames(RawH2Peer.SETTINGS).get(0);
            assertThat(settings.setting(0x4)).as("SETTINGS_INITIAL_WINDOW_SIZE").isEqualTo(2L * MIB);
            List<RawH2Peer.Frame> updates = peer.frames(RawH2Peer.WINDOW_UPDATE);
            assertThat(updates).as("window updates").isNotEmpty();
            assertThat(updates.get(0).streamId()).as("the connection's").isZero();
            assertThat(updates.get(0).word(0))
                    .as("raises the connection window from 65535 to 4 MiB")
                    .isEqualTo(4L * MIB - DEFAULT_WINDOW);
            awaitQuiet(client.engine());
            assertThat(peer.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theWindowsAreConfigurable(RuntimeKind kind) {
        Http2Options options = priorKnowledge().withWindows(MIB, 8 * MIB);
        try (H2TestServer h2 = H2TestServer.start()) {
            byte[] three = randomBytes(3 * MIB, 3);
            h2.route("/", (req, ex) -> ex.respond(200, three));
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c(options)));
            assertSameBytes(client.get(h2.uri("/")).execute().body().bytes(), three, "3 MiB");
            assertThat(h2.settingsReceived().get(0).settings().initialWindowSize())
                    .isEqualTo(MIB);
            assertThat(h2.failures()).isEmpty();
        }
        try (RawH2Peer peer = RawH2Peer.start()) {
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c(options)));
            assertThat(client.get(peer.uri("/")).execute().status()).isEqualTo(200);
            assertThat(peer.frames(RawH2Peer.SETTINGS).get(0).setting(0x4)).isEqualTo(MIB);
            RawH2Peer.Frame update = peer.frames(RawH2Peer.WINDOW_UPDATE).get(0);
            assertThat(update.streamId()).isZero();
            assertThat(update.word(0)).isEqualTo(8L * MIB - DEFAULT_WINDOW);
            awaitQuiet(client.engine());
            assertThat(peer.failures()).isEmpty();
        }
    }

    // ---- uploads under the server's flow control ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aByteArrayBodyIsSentWithinATinyServerWindow(RuntimeKind kind) {
        byte[] data = randomBytes(3 * MIB, 11);
        uploadUnderTinyWindow(kind, data, RequestBody.ofBytes(data));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anInputStreamBodyIsSentWithinATinyServerWindow(RuntimeKind kind) {
        byte[] data = randomBytes(3 * MIB, 12);
        uploadUnderTinyWindow(kind, data, RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aWriterBodyOfUnknownLengthIsSentWithinATinyServerWindow(RuntimeKind kind) {
        byte[] data = randomBytes(3 * MIB, 13);
        uploadUnderTinyWindow(
                kind,
                data,
                RequestBody.ofWriter(
                        out -> {
                            for (int i = 0; i < data.length; i += 10_000) {
                                out.write(data, i, Math.min(10_000, data.length - i));
                            }
                        },
                        -1,
                        true));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aPublisherBodyIsSentWithinATinyServerWindow(RuntimeKind kind) {
        byte[] data = randomBytes(3 * MIB, 14);
        uploadUnderTinyWindow(kind, data, RequestBody.ofPublisher(H2Support.publisherOf(data, 16 * 1024), data.length));
    }

    private void uploadUnderTinyWindow(RuntimeKind kind, byte[] data, RequestBody body) {
        try (H2TestServer h2 = H2TestServer.builder().initialWindowSize(1024).start()) {
            h2.route("/warm-up", (req, ex) -> ex.respond(200, "warm"));
            h2.route("/upload", (req, ex) -> ex.respond(200, "got " + req.bodySize()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);
            // The server's 1 KiB window is in force (SETTINGS exchanged) before the upload starts.
            assertThat(client.get(h2.uri("/warm-up")).execute().body().string()).isEqualTo("warm");

            Response response = client.post(h2.uri("/upload")).body(body).execute();

            assertThat(response.body().string()).isEqualTo("got " + data.length);
            RecordedRequest upload = h2.requests().get(1);
            assertThat(upload.path()).isEqualTo("/upload");
            assertSameBytes(upload.body(), data, "the body as the server received it");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aStalledServerWindowHoldsTheUploadWithoutFailingUntilReleased(RuntimeKind kind) {
        byte[] data = randomBytes(MIB, 21);
        try (H2TestServer h2 = H2TestServer.start()) {
            CompletableFuture<H2ServerExchange> stalled = new CompletableFuture<>();
            h2.routeOnHeaders("/upload", (req, ex) -> {
                ex.stallWindow();
                ex.requestComplete().thenAccept(full -> ex.respond(200, "got " + full.bodySize()));
                stalled.complete(ex);
            });
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> response = client.post(h2.uri("/upload"))
                    .body(RequestBody.ofBytes(data))
                    .send();
            H2ServerExchange exchange = await(stalled);
            awaitTrue(
                    () -> exchange.bodyBytesReceived() == DEFAULT_WINDOW,
                    () -> "the upload should fill the 65535-byte window, got " + exchange.bodyBytesReceived());
            H2Support.sleep(300); // room for a client that ignores the window, or gives up
            assertThat(exchange.bodyBytesReceived())
                    .as("sent beyond the window")
                    .isEqualTo(DEFAULT_WINDOW);
            assertThat(response).as("stalled, not failed").isNotDone();

            exchange.releaseWindow();

            assertThat(await(response).body().string()).isEqualTo("got " + data.length);
            assertSameBytes(h2.takeRequest().body(), data, "the body as the server received it");
            assertThat(h2.resetsReceived()).isEmpty();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aStalledServerWindowEndsInTheTotalTimeoutAndTheConnectionCarriesOn(RuntimeKind kind) {
        byte[] data = randomBytes(MIB, 22);
        Duration total = Duration.ofMillis(500);
        try (H2TestServer h2 = H2TestServer.start()) {
            CompletableFuture<H2ServerExchange> stalled = new CompletableFuture<>();
            h2.routeOnHeaders("/upload", (req, ex) -> {
                ex.stallWindow();
                stalled.complete(ex);
            });
            h2.route("/after", (req, ex) -> ex.respond(200, "after got " + req.bodySize()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client =
                    AioductClient.builder(engine).totalTimeout(total).build();

            CompletableFuture<Response> response = client.post(h2.uri("/upload"))
                    .body(RequestBody.ofBytes(data))
                    .send();
            H2ServerExchange exchange = await(stalled);

            assertThat(failure(response)).isInstanceOfSatisfying(TimedOutException.class, e -> {
                assertThat(e.kind()).isEqualTo(TimedOutException.Kind.TOTAL);
                assertThat(e.timeout()).isEqualTo(total);
            });
            awaitTrue(
                    () -> h2.resetsReceived().stream().anyMatch(r -> r.streamId() == exchange.streamId()),
                    () -> "the timed-out stream was never reset: " + h2.resetsReceived());
            assertThat(h2.resetsReceived().get(0).errorCode()).as("CANCEL").isEqualTo(0x8);
            awaitQuiet(engine);

            assertThat(client.post(h2.uri("/after"))
                            .body(RequestBody.ofString("small"))
                            .execute()
                            .body()
                            .string())
                    .isEqualTo("after got 5");
            assertThat(h2.connectionsAccepted())
                    .as("a stream timeout keeps the connection")
                    .isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- response back-pressure ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aSlowReaderHoldsOnlyItsOwnStream(RuntimeKind kind) {
        int eight = 8 * MIB;
        byte[] other = randomBytes(MIB, 31);
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/slow", (req, ex) -> pump(ex.respondStreaming(200), eight, 0));
            h2.route("/other", (req, ex) -> ex.respond(200, other));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            Response slow = client.get(h2.uri("/slow")).execute();
            H2Support.HoldingSubscriber subscriber = new H2Support.HoldingSubscriber();
            slow.body().publisher().subscribe(subscriber);
            Flow.Subscription subscription = subscriber.subscription();
            subscription.request(1);
            awaitTrue(() -> subscriber.items.get() == 1, () -> "the one requested buffer never came");

            // The slow stream's window is used up and not given back; the connection's is.
            for (int i = 0; i < 3; i++) {
                assertSameBytes(
                        client.get(h2.uri("/other")).execute().body().bytes(),
                        other,
                        "a request on the same connection while the other stream is held");
            }
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(subscriber.items.get())
                    .as("buffers delivered with a demand of 1")
                    .isEqualTo(1);
            assertThat(subscriber.done).isNotDone();

            subscription.request(Long.MAX_VALUE);
            await(subscriber.done);
            byte[] received = subscriber.received();
            assertThat(received.length).isEqualTo(eight);
            assertThat(patternMismatch(received)).as("first byte out of order").isEqualTo(-1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }
}
