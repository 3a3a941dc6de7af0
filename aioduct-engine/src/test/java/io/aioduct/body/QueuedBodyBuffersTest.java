package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.testing.LeakRecordingDetector;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A body larger than the eager limit that has fully arrived before anyone reads it stays in the transport's
 * (pooled) buffers rather than being copied into a heap array. Those buffers are released whichever way the
 * body goes: read to the end by a stream, a publisher or {@code bytes()}, closed half-read, or dropped
 * unread (the abandonment watch outlives the end of the body while buffers are queued). Every case also runs
 * the teardown's paranoid leak check; the drop case collects garbage itself and checks for leaks at once.
 */
class QueuedBodyBuffersTest extends MatrixTest {
    private static final byte[] BODY = new byte[100_000];
    /** Past the eager limit (8 KiB), yet small enough to arrive with its head in one read once warm. */
    private static final byte[] MEDIUM = new byte[20_000];

    static {
        new Random(17).nextBytes(BODY);
        new Random(18).nextBytes(MEDIUM);
    }

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol) {
        // The blocking HTTP/1.1 driver reads a body only as it is read: nothing arrives ahead of its reader.
        pushed = kind != RuntimeKind.VIRTUAL || protocol.h2;
        MatrixServer server = serve(protocol);
        server.route("/body", (request, reply) -> reply.respond(200, BODY));
        server.route("/medium", (request, reply) -> reply.respond(200, MEDIUM));
        return AioductClient.builder(matrixEngine(kind, protocol.config())).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyThatArrivedBeforeItsReaderIsReadWholeThroughEveryWayOut(RuntimeKind kind, Protocol protocol)
            throws Exception {
        AioductClient client = client(kind, protocol);
        String uri = lastServerUri();

        try (Response r = arrivedWhole(client, uri)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = r.body().inputStream()) {
                byte[] buffer = new byte[8 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) out.write(buffer, 0, n);
            }
            assertThat(out.toByteArray()).as("streamed").isEqualTo(BODY);
        }
        try (Response r = arrivedWhole(client, uri)) {
            byte[] bytes = r.body().bytes();
            assertThat(bytes).as("bytes()").isEqualTo(BODY);
        }
        try (Response r = arrivedWhole(client, uri)) {
            assertThat(published(r)).as("published").isEqualTo(BODY);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aHalfReadBodyClosedAfterItsEndReleasesTheRest(RuntimeKind kind, Protocol protocol) throws Exception {
        AioductClient client = client(kind, protocol);
        String uri = lastServerUri();

        Response r = arrivedWhole(client, uri);
        InputStream in = r.body().inputStream();
        byte[] start = in.readNBytes(10_000);
        assertThat(start).isEqualTo(Arrays.copyOf(BODY, 10_000));
        in.close();
        assertThat(client.get(uri).execute().body().bytes())
                .as("the next exchange")
                .isEqualTo(BODY);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyDroppedUnreadAfterItsEndReleasesItsBuffers(RuntimeKind kind, Protocol protocol) throws Exception {
        AioductClient client = client(kind, protocol);
        String uri = lastServerUri();

        // Large reads first grow the connection's read buffer, so that a medium response then arrives
        // whole, head and body in one read, and reaches the caller only after its body ended.
        for (int i = 0; i < 3; i++) {
            assertThat(client.get(uri).execute().body().bytes()).isEqualTo(BODY);
        }
        String medium = uri.replace("/body", "/medium");
        for (int i = 0; i < 5; i++) {
            dropUnread(client, uri);
            dropUnread(client, medium);
        }
        // The watch's cleaner releases them once the collector finds the responses gone; the detector
        // reports any buffer collected unreleased.
        for (int i = 0; i < 5; i++) {
            assertThat(LeakRecordingDetector.collectLeaks())
                    .as("buffers of dropped bodies")
                    .isEmpty();
        }
        assertThat(client.get(uri).execute().body().bytes())
                .as("the next exchange")
                .isEqualTo(BODY);
    }

    private String lastServerUri;
    private boolean pushed;

    private String lastServerUri() {
        return lastServerUri;
    }

    @Override
    protected MatrixServer serve(Protocol protocol) {
        MatrixServer s = super.serve(protocol);
        lastServerUri = s.uri("/body");
        return s;
    }

    private void dropUnread(AioductClient client, String uri) throws Exception {
        Response r = arrivedWhole(client, uri);
        assertThat(r.status()).isEqualTo(200);
    }

    /** A response whose whole body has arrived (the engine is quiet: nothing more to read) before it is read. */
    private Response arrivedWhole(AioductClient client, String uri) {
        Response r = client.get(uri).execute();
        if (pushed) awaitQuiet(client.engine());
        return r;
    }

    private static byte[] published(Response r) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        r.body().publisher().subscribe(new Flow.Subscriber<ByteBuffer>() {
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
                out.write(b, 0, b.length);
                subscription.request(1);
            }

            @Override
            public void onError(Throwable e) {
                done.completeExceptionally(e);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.join();
    }
}
