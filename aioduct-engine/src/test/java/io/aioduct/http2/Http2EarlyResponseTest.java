package io.aioduct.http2;

import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that sends its whole response (END_STREAM) before the request body is sent (RFC 9113 section
 * 8.1), on every runtime: the caller gets the response as a success, the client stops sending the body and
 * closes its half of the stream with RST_STREAM(NO_ERROR), so the stream no longer counts against the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS and the next request runs on the same connection.
 */
class Http2EarlyResponseTest extends EngineTest {

    private static final int MIB = 1024 * 1024;
    private static final long NO_ERROR = 0x0;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aByteArrayBodyStopsWhenTheResponseEndsFirst(RuntimeKind kind) {
        byte[] data = randomBytes(MIB, 41);
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(1).start()) {
            earlyResponseFreesTheStream(h2, singlePoolEngine(kind, h2c()), RequestBody.ofBytes(data));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anInputStreamBodyStopsWhenTheResponseEndsFirst(RuntimeKind kind) {
        byte[] data = randomBytes(MIB, 42);
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(1).start()) {
            earlyResponseFreesTheStream(
                    h2,
                    singlePoolEngine(kind, h2c()),
                    RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void overTlsTheStreamIsFreedToo(RuntimeKind kind) {
        TlsMaterial tls = TlsMaterial.shared();
        byte[] data = randomBytes(MIB, 43);
        try (H2TestServer h2 =
                H2TestServer.builder().tls(tls).maxConcurrentStreams(1).start()) {
            EngineConfig config = H2Support.tls(tls, Http2Options.DEFAULT);
            earlyResponseFreesTheStream(h2, singlePoolEngine(kind, config), RequestBody.ofBytes(data));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theStreamIsClosedWhileTheBodySourceIsStillBlocked(RuntimeKind kind) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(1).start()) {
            h2.route("/warm-up", (req, ex) -> ex.respond(200, "warm"));
            h2.routeOnHeaders("/upload", (req, ex) -> ex.respond(200, "early"));
            h2.route("/after", (req, ex) -> ex.respond(200, "after got " + req.bodySize()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(h2.uri("/warm-up")).execute().body().string()).isEqualTo("warm");

            CompletableFuture<Response> upload = client.post(h2.uri("/upload"))
                    .body(RequestBody.ofInputStream(() -> new HeldStream(release), -1))
                    .send();

            // The stream closes as the response ends, not when the source next returns.
            awaitTrue(
                    () -> h2.resetsReceived().stream().anyMatch(r -> r.streamId() == 3),
                    () -> "the upload's stream was never closed from the client's side: " + h2.resetsReceived());
            assertThat(h2.resetsReceived()).containsExactly(new H2TestServer.ReceivedReset(1, 3, NO_ERROR));
            release.countDown();
            assertThat(await(upload).body().string()).as("the early response").isEqualTo("early");
            assertThat(client.post(h2.uri("/after"))
                            .body(RequestBody.ofString("small"))
                            .execute()
                            .body()
                            .string())
                    .isEqualTo("after got 5");
            assertThat(h2.connectionsAccepted()).as("the same connection").isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        } finally {
            release.countDown();
        }
    }

    /** Gives one chunk, then blocks until released (or interrupted), then gives one more and ends. */
    private static final class HeldStream extends InputStream {
        private final CountDownLatch release;
        private int chunks;

        HeldStream(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("read in chunks");
        }

        @Override
        public int read(byte[] b, int off, int len) throws InterruptedIOException {
            if (chunks == 2) {
                return -1;
            }
            if (chunks++ == 1) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the held body was interrupted");
                }
            }
            int n = Math.min(len, 1024);
            Arrays.fill(b, off, off + n, (byte) 'x');
            return n;
        }
    }

    /**
     * The server answers the upload on its HEADERS and never opens its window, so the client cannot send
     * more than 65535 bytes of the 1 MiB body: the response ends while the body is in progress.
     */
    private void earlyResponseFreesTheStream(H2TestServer h2, HttpEngine engine, RequestBody body) {
        h2.route("/warm-up", (req, ex) -> ex.respond(200, "warm"));
        h2.routeOnHeaders("/upload", (req, ex) -> {
            ex.stallWindow();
            ex.respond(200, "early");
        });
        h2.route("/after", (req, ex) -> ex.respond(200, "after got " + req.bodySize()));
        AioductClient client = H2Support.client(engine);
        // The server's limit of one stream is known (SETTINGS exchanged) before the upload starts.
        assertThat(client.get(h2.uri("/warm-up")).execute().body().string()).isEqualTo("warm");

        CompletableFuture<Response> upload =
                client.post(h2.uri("/upload")).body(body).send();

        assertThat(await(upload).body().string()).as("the early response").isEqualTo("early");
        awaitTrue(
                () -> h2.resetsReceived().stream().anyMatch(r -> r.streamId() == 3),
                () -> "the upload's stream was never closed from the client's side: " + h2.resetsReceived());
        assertThat(h2.resetsReceived()).containsExactly(new H2TestServer.ReceivedReset(1, 3, NO_ERROR));
        assertThat(client.post(h2.uri("/after"))
                        .body(RequestBody.ofString("small"))
                        .execute()
                        .body()
                        .string())
                .as("the next request, on the one stream the server allows")
                .isEqualTo("after got 5");
        assertThat(h2.connectionsAccepted()).as("the same connection").isEqualTo(1);
        assertThat(h2.streamsRefused()).isZero();
        awaitQuiet(engine);
        assertThat(h2.failures()).isEmpty();
    }
}
