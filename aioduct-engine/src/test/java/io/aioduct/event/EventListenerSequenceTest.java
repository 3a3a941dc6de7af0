package io.aioduct.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exact sequence of events an {@link EventListener} receives, on every runtime, for each kind of
 * exchange: new and reused connections, connect failure, timeout, HTTP/2, TLS, retry and request bodies.
 * {@code connectionClosed} is asserted apart: it belongs to the connection and arrives when the socket
 * goes, not at a fixed place in the call.
 */
class EventListenerSequenceTest extends EngineTest {

    /** A request on a connection opened for it (DNS, connect, then the exchange). */
    private static final List<String> NEW_CONNECTION = List.of(
            "callStart",
            "acquireStart",
            "dnsStart",
            "dnsEnd",
            "connectStart",
            "connectEnd",
            "acquireEnd",
            "connectionAcquired",
            "requestHeadersStart",
            "requestHeadersEnd",
            "responseHeadersStart",
            "responseHeadersEnd",
            "responseBodyStart",
            "responseBodyEnd",
            "connectionReleased",
            "callEnd");

    /** A request on a pooled connection: no DNS, no connect. */
    private static final List<String> REUSED_CONNECTION = List.of(
            "callStart",
            "acquireStart",
            "acquireEnd",
            "connectionAcquired",
            "requestHeadersStart",
            "requestHeadersEnd",
            "responseHeadersStart",
            "responseHeadersEnd",
            "responseBodyStart",
            "responseBodyEnd",
            "connectionReleased",
            "callEnd");

    private final RecordingListener events = new RecordingListener();

    private AioductClient client(RuntimeKind kind, EngineConfig.Builder config) {
        return AioductClient.builder(
                        singlePoolEngine(kind, config.eventListener(events).build()))
                .build();
    }

    private static int expectedCore(RuntimeKind kind) {
        return kind == RuntimeKind.IO_URING ? 0 : -1;
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRequestOnANewConnection(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "hello world"));
        AioductClient client = client(kind, EngineConfig.builder());

        Request request = client.get(server.uri("/")).build();
        try (Response r = client.execute(request)) {
            assertThat(r.body().string()).isEqualTo("hello world");
        }
        events.await("callEnd", 1);

        assertThat(events.names()).containsExactlyElementsOf(NEW_CONNECTION);
        assertThat(events.event("callStart").detail(0)).isSameAs(request);
        assertThat(events.event("dnsStart").detail(0)).isEqualTo(server.host());
        assertThat(events.event("connectEnd").detail(0)).isEqualTo(server.address());
        ConnectionInfo c = (ConnectionInfo) events.event("connectionAcquired").detail(0);
        assertThat(c.id()).isEqualTo(1);
        assertThat(c.protocol()).isEqualTo("http/1.1");
        assertThat(c.origin()).isEqualTo(request.origin());
        assertThat(c.remoteAddress()).isEqualTo(server.address());
        assertThat(c.core()).isEqualTo(expectedCore(kind));
        assertThat(events.event("connectionAcquired").detail(1)).isEqualTo(false);
        assertThat(events.event("acquireEnd").detail(0)).isSameAs(c);
        assertThat(events.event("connectionReleased").detail(0)).isSameAs(c);
        // The request head as written: "GET / HTTP/1.1\r\n" and the headers the client adds.
        assertThat((long) events.event("requestHeadersEnd").detail(0)).isGreaterThan(30L);
        assertThat(events.event("responseHeadersEnd").detail(0)).isEqualTo(200);
        assertThat((long) events.event("responseHeadersEnd").detail(1)).isGreaterThan(17L);
        assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(11L);
        assertThat(events.event("callEnd").detail(0)).isEqualTo(200);
        assertThat((long) events.event("callEnd").detail(1)).isPositive();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aSecondRequestReusesTheConnection(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "again"));
        AioductClient client = client(kind, EngineConfig.builder());
        client.get(server.uri("/")).execute().close();
        events.await("callEnd", 1);
        awaitTrue(() -> idleConnections(client.engine()) == 1, () -> "connection never went idle");
        events.clear();

        try (Response r = client.get(server.uri("/")).execute()) {
            assertThat(r.body().string()).isEqualTo("again");
        }
        events.await("callEnd", 1);

        assertThat(events.names()).containsExactlyElementsOf(REUSED_CONNECTION);
        ConnectionInfo c = (ConnectionInfo) events.event("connectionAcquired").detail(0);
        assertThat(c.id()).isEqualTo(1);
        assertThat(events.event("connectionAcquired").detail(1)).isEqualTo(true);
        assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(5L);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRefusedConnect(RuntimeKind kind) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AioductClient client = client(kind, EngineConfig.builder());

        assertThatThrownBy(() -> client.get("http://127.0.0.1:" + port + "/").execute())
                .isInstanceOf(ConnectFailedException.class);
        events.await("callFailed", 1);

        assertThat(events.names())
                .containsExactly(
                        "callStart",
                        "acquireStart",
                        "dnsStart",
                        "dnsEnd",
                        "connectStart",
                        "connectFailed",
                        "acquireFailed",
                        "callFailed");
        assertThat(events.event("connectFailed").detail(0))
                .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        assertThat(events.event("acquireFailed").detail(0)).isInstanceOf(ConnectFailedException.class);
        assertThat(events.event("callFailed").detail(0)).isInstanceOf(ConnectFailedException.class);
        assertThat(events.closed()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResponseTimeout(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> {}); // never answers
        AioductClient client = AioductClient.builder(singlePoolEngine(
                        kind, EngineConfig.builder().eventListener(events).build()))
                .responseTimeout(Duration.ofMillis(200))
                .build();

        assertThatThrownBy(() -> client.get(server.uri("/")).execute()).isInstanceOf(TimedOutException.class);
        events.await("callFailed", 1);

        assertThat(events.names())
                .containsExactly(
                        "callStart",
                        "acquireStart",
                        "dnsStart",
                        "dnsEnd",
                        "connectStart",
                        "connectEnd",
                        "acquireEnd",
                        "connectionAcquired",
                        "requestHeadersStart",
                        "requestHeadersEnd",
                        "responseFailed",
                        "connectionReleased",
                        "callFailed");
        assertThat(events.event("responseFailed").detail(0)).isInstanceOf(TimedOutException.class);
        assertThat(((TimedOutException) events.event("callFailed").detail(0)).kind())
                .isEqualTo(TimedOutException.Kind.RESPONSE);
        // The timed-out connection is not reused: it closes, and says so.
        awaitClosed(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http2StreamsOpenThenShareOneConnection(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/", (req, ex) -> ex.respond(200, "over h2c"));
            AioductClient client =
                    client(kind, EngineConfig.builder().http2(Http2Options.DEFAULT.withPriorKnowledge(true)));

            client.get(h2.uri("/")).execute().close();
            events.await("callEnd", 1);
            assertThat(events.names()).containsExactlyElementsOf(NEW_CONNECTION);
            ConnectionInfo c =
                    (ConnectionInfo) events.event("connectionAcquired").detail(0);
            assertThat(c.protocol()).isEqualTo("h2");
            assertThat(c.core()).isEqualTo(expectedCore(kind));
            assertThat(events.event("responseHeadersEnd").detail(0)).isEqualTo(200);
            // The HPACK blocks: a first request/response carries literal fields, so some bytes each way.
            assertThat((long) events.event("requestHeadersEnd").detail(0)).isPositive();
            assertThat((long) events.event("responseHeadersEnd").detail(1)).isPositive();
            assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(8L);
            events.clear();

            try (Response r = client.get(h2.uri("/")).execute()) {
                assertThat(r.body().string()).isEqualTo("over h2c");
            }
            events.await("callEnd", 1);
            assertThat(events.names()).containsExactlyElementsOf(REUSED_CONNECTION);
            assertThat(events.event("connectionAcquired").detail(0)).isSameAs(c);
            assertThat(events.event("connectionAcquired").detail(1)).isEqualTo(true);
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anHttpsRequestReportsItsHandshake(RuntimeKind kind) throws Exception {
        TlsMaterial tls = TlsMaterial.shared();
        try (TestServer https = TestServer.startTls(tls)) {
            https.route("/", (req, ex) -> ex.respond(200, "secure"));
            AioductClient client = client(
                    kind,
                    EngineConfig.builder()
                            .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))))
                            .tls(TlsConfig.builder()
                                    .trustPem(tls.caCertificatePem())
                                    .build()));

            try (Response r = client.get(https.uri("/")).execute()) {
                assertThat(r.body().string()).isEqualTo("secure");
            }
            events.await("callEnd", 1);

            assertThat(events.names())
                    .containsExactly(
                            "callStart",
                            "acquireStart",
                            "dnsStart",
                            "dnsEnd",
                            "connectStart",
                            "connectEnd",
                            "tlsStart",
                            "tlsEnd",
                            "acquireEnd",
                            "connectionAcquired",
                            "requestHeadersStart",
                            "requestHeadersEnd",
                            "responseHeadersStart",
                            "responseHeadersEnd",
                            "responseBodyStart",
                            "responseBodyEnd",
                            "connectionReleased",
                            "callEnd");
            assertThat(events.event("dnsStart").detail(0)).isEqualTo("localhost");
            assertThat((String) events.event("tlsEnd").detail(0)).startsWith("TLSv1.");
            // The server offers only http/1.1 by ALPN; the client offered h2 first.
            assertThat(events.event("tlsEnd").detail(1)).isEqualTo("http/1.1");
            assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(6L);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRetryAfterTheServerClosedAReusedConnection(RuntimeKind kind) throws Exception {
        AtomicInteger count = new AtomicInteger();
        server.route("/", (req, ex) -> {
            if (count.incrementAndGet() == 2) {
                ex.close(); // the server gives up on the connection just as the request arrives
            } else {
                ex.respond(200, "ok " + count.get());
            }
        });
        AioductClient client = client(kind, EngineConfig.builder());
        client.get(server.uri("/")).execute().close();
        events.await("callEnd", 1);
        awaitTrue(() -> idleConnections(client.engine()) == 1, () -> "connection never went idle");
        events.clear();

        try (Response r = client.get(server.uri("/")).execute()) {
            assertThat(r.body().string()).isEqualTo("ok 3");
        }
        events.await("callEnd", 1);

        assertThat(events.names())
                .containsExactly(
                        "callStart",
                        "acquireStart",
                        "acquireEnd",
                        "connectionAcquired",
                        "requestHeadersStart",
                        "requestHeadersEnd",
                        "responseFailed",
                        "connectionReleased",
                        "retry",
                        "acquireStart",
                        "dnsStart",
                        "dnsEnd",
                        "connectStart",
                        "connectEnd",
                        "acquireEnd",
                        "connectionAcquired",
                        "requestHeadersStart",
                        "requestHeadersEnd",
                        "responseHeadersStart",
                        "responseHeadersEnd",
                        "responseBodyStart",
                        "responseBodyEnd",
                        "connectionReleased",
                        "callEnd");
        assertThat(events.event("retry").detail(0)).isEqualTo(1);
        assertThat(events.event("connectionAcquired", 0).detail(1)).isEqualTo(true);
        assertThat(events.event("connectionAcquired", 1).detail(1)).isEqualTo(false);
        assertThat(((ConnectionInfo) events.event("connectionAcquired", 1).detail(0)).id())
                .isEqualTo(2);
        assertThat(server.requests()).extracting(RecordedRequest::connectionId).containsExactly(1, 1, 2);
        awaitClosed(1);
        assertThat(((ConnectionInfo) events.closed().get(0).detail(0)).id()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aPostReportsItsBody(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(201, "made"));
        AioductClient client = client(kind, EngineConfig.builder());

        try (Response r = client.post(server.uri("/"))
                .body(RequestBody.ofString("twelve bytes"))
                .execute()) {
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.body().string()).isEqualTo("made");
        }
        events.await("callEnd", 1);

        assertThat(events.names())
                .containsExactly(
                        "callStart",
                        "acquireStart",
                        "dnsStart",
                        "dnsEnd",
                        "connectStart",
                        "connectEnd",
                        "acquireEnd",
                        "connectionAcquired",
                        "requestHeadersStart",
                        "requestHeadersEnd",
                        "requestBodyStart",
                        "requestBodyEnd",
                        "responseHeadersStart",
                        "responseHeadersEnd",
                        "responseBodyStart",
                        "responseBodyEnd",
                        "connectionReleased",
                        "callEnd");
        assertThat(events.event("requestBodyEnd").detail(0)).isEqualTo(12L);
        assertThat(events.event("responseHeadersEnd").detail(0)).isEqualTo(201);
        assertThat(events.event("callEnd").detail(0)).isEqualTo(201);
        assertThat(server.takeRequest().bodyAsString()).isEqualTo("twelve bytes");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aStreamedBodyCountsItsBytesWithoutChunkFraming(RuntimeKind kind) throws Exception {
        server.route(
                "/", (req, ex) -> ex.respond(200, "got " + req.bodyAsString().length()));
        AioductClient client = client(kind, EngineConfig.builder());
        byte[] data = new byte[40_000];
        java.util.Arrays.fill(data, (byte) 'x');

        // Unknown length (-1): sent chunked, through the body pump of each runtime.
        try (Response r = client.post(server.uri("/"))
                .body(RequestBody.ofInputStream(new java.io.ByteArrayInputStream(data), -1))
                .execute()) {
            assertThat(r.body().string()).isEqualTo("got 40000");
        }
        events.await("callEnd", 1);

        assertThat(events.names())
                .containsSubsequence("requestHeadersEnd", "requestBodyStart", "requestBodyEnd", "responseHeadersStart");
        assertThat(events.event("requestBodyEnd").detail(0)).isEqualTo(40_000L);
        assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(9L);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aListenerThatThrowsDoesNotDisturbTheExchange(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "fine"));
        AtomicInteger calls = new AtomicInteger();
        EventListener throwing = new EventListener() {
            @Override
            public void callStart(Request request) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug in callStart");
            }

            @Override
            public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug in connectionAcquired");
            }

            @Override
            public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug in responseBodyEnd");
            }
        };
        AioductClient client = AioductClient.builder(singlePoolEngine(
                        kind, EngineConfig.builder().eventListener(throwing).build()))
                .build();

        for (int i = 0; i < 3; i++) {
            try (Response r = client.get(server.uri("/")).execute()) {
                assertThat(r.body().string()).isEqualTo("fine");
            }
        }

        awaitTrue(() -> calls.get() == 9, () -> "listener called " + calls.get() + " times, not 9");
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anHttpsRequestThatNegotiatesH2(RuntimeKind kind) throws Exception {
        TlsMaterial tls = TlsMaterial.shared();
        try (H2TestServer h2 = H2TestServer.startTls(tls)) {
            h2.route("/", (req, ex) -> ex.respond(200, "h2 over tls"));
            AioductClient client = client(
                    kind,
                    EngineConfig.builder()
                            .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))))
                            .tls(TlsConfig.builder()
                                    .trustPem(tls.caCertificatePem())
                                    .build()));

            try (Response r = client.get(h2.uri("/")).execute()) {
                assertThat(r.body().string()).isEqualTo("h2 over tls");
            }
            events.await("callEnd", 1);

            assertThat(events.names())
                    .containsExactly(
                            "callStart",
                            "acquireStart",
                            "dnsStart",
                            "dnsEnd",
                            "connectStart",
                            "connectEnd",
                            "tlsStart",
                            "tlsEnd",
                            "acquireEnd",
                            "connectionAcquired",
                            "requestHeadersStart",
                            "requestHeadersEnd",
                            "responseHeadersStart",
                            "responseHeadersEnd",
                            "responseBodyStart",
                            "responseBodyEnd",
                            "connectionReleased",
                            "callEnd");
            assertThat(events.event("tlsEnd").detail(1)).isEqualTo("h2");
            assertThat(((ConnectionInfo) events.event("connectionAcquired").detail(0)).protocol())
                    .isEqualTo("h2");
            assertThat(events.event("responseBodyEnd").detail(0)).isEqualTo(11L);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aHostThatDoesNotResolve(RuntimeKind kind) throws Exception {
        AioductClient client = client(kind, EngineConfig.builder().resolver(Resolver.of(Map.of())));

        assertThatThrownBy(() -> client.get("http://nowhere.invalid/").execute())
                .isInstanceOf(ConnectFailedException.class);
        events.await("callFailed", 1);

        assertThat(events.names())
                .containsExactly("callStart", "acquireStart", "dnsStart", "dnsFailed", "acquireFailed", "callFailed");
        assertThat(events.event("dnsFailed").detail(0)).isEqualTo("nowhere.invalid");
    }

    private void awaitClosed(int count) {
        awaitTrue(() -> events.closed().size() >= count, () -> "closed events: " + events.closed());
        assertThat((String) events.closed().get(0).detail(1)).isNotBlank();
    }
}
