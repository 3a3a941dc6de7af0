package io.aioduct.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpVersion;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.NginxServer;
import io.aioduct.testing.NginxServer.Listener;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * aioduct against a server we did not write: a real nginx ({@link NginxServer}) on each of its four
 * listeners, from every runtime. Each exchange must come back with the protocol the listener speaks
 * (ALPN settling on {@code http/1.1} where nginx offers only that, although the client offers {@code h2}
 * first), the exact bytes nginx serves, and over the one connection the engine reused, as nginx itself
 * reports in its {@link NginxServer#CONNECTION_HEADER} and {@link NginxServer#CONNECTION_REQUESTS_HEADER}
 * response headers.
 *
 * <p>One nginx serves the whole class; the per-test {@code TestServer} of {@link EngineTest} stays unused,
 * but its leak checks (nothing in flight, no runtime thread, no Netty buffer leaked) run after each test.
 * Every engine is a single-pool one ({@link RuntimeKind#singlePoolEngine}: io_uring on one core) so the
 * connection counts are exact.
 */
class NginxInteropTest extends EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SEQUENTIAL = 3;
    private static final int CONCURRENT = 20;

    private static TlsMaterial tls;
    private static NginxServer nginx;

    @BeforeAll
    static void startNginx() {
        tls = TlsMaterial.shared();
        nginx = NginxServer.start(tls);
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /** How the client reaches one of nginx's listeners, and what the exchange must end up speaking. */
    enum Wire {
        /** HTTP/1.1 in cleartext (HTTP/2 is never tried without TLS unless by prior knowledge). */
        HTTP11(Listener.HTTP11, HttpVersion.HTTP_1_1, false),
        /** TLS whose ALPN offers {@code h2, http/1.1}; nginx accepts only {@code http/1.1}. */
        HTTP11_TLS(Listener.HTTP11_TLS, HttpVersion.HTTP_1_1, false),
        /** TLS whose ALPN settles on {@code h2}. */
        H2_TLS(Listener.H2_TLS, HttpVersion.HTTP_2, false),
        /** HTTP/2 in cleartext by prior knowledge. */
        H2C(Listener.H2C, HttpVersion.HTTP_2, true);

        final Listener listener;
        final HttpVersion version;
        final boolean priorKnowledge;

        Wire(Listener listener, HttpVersion version, boolean priorKnowledge) {
            this.listener = listener;
            this.version = version;
            this.priorKnowledge = priorKnowledge;
        }

        /** What {@link PoolStats#protocol()} must say once the pool knows. */
        String poolProtocol() {
            return version == HttpVersion.HTTP_2 ? "h2" : "http/1.1";
        }

        /**
         * The engine's settings for this listener: the defaults (h2 offered by ALPN over TLS), prior
         * knowledge only for h2c, trust in the test CA, and {@code localhost} resolved to loopback.
         */
        EngineConfig config() {
            return EngineConfig.builder()
                    .http2(Http2Options.DEFAULT.withPriorKnowledge(priorKnowledge))
                    .tls(TlsConfig.builder().trustPem(tls.caCertificatePem()).build())
                    .resolver(Resolver.of(Map.of(
                            "localhost", List.of(InetAddress.getLoopbackAddress()),
                            "127.0.0.1", List.of(InetAddress.getLoopbackAddress()))))
                    .build();
        }

        String uri(String path) {
            return nginx.uri(listener, path);
        }
    }

    /** The two documents nginx serves, and how to check a body against each. */
    enum Document {
        SMALL("/small"),
        LARGE("/1m");

        final String path;

        Document(String path) {
            this.path = path;
        }

        void check(byte[] body) {
            if (this == SMALL) {
                assertThat(new String(body, java.nio.charset.StandardCharsets.US_ASCII))
                        .isEqualTo(NginxServer.SMALL_BODY);
            } else {
                assertThat(body).hasSize(NginxServer.LARGE_SIZE);
                assertThat(NginxServer.sha256(body)).as("SHA-256 of /1m").isEqualTo(NginxServer.largeBodySha256());
            }
        }
    }

    static Stream<Arguments> everyRuntimeWireAndDocument() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Wire wire : Wire.values()) {
                for (Document document : Document.values()) {
                    out.add(Arguments.of(kind, wire, document));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> everyRuntimeAndWire() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Wire wire : Wire.values()) {
                out.add(Arguments.of(kind, wire));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> everyRuntimeAndH2Wire() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            out.add(Arguments.of(kind, Wire.H2_TLS));
            out.add(Arguments.of(kind, Wire.H2C));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("everyRuntimeWireAndDocument")
    void getsTheExactBodyWithTheRightProtocolOverOneReusedConnection(RuntimeKind kind, Wire wire, Document document) {
        HttpEngine engine = singlePoolEngine(kind, wire.config());
        AioductClient client = AioductClient.builder(engine).build();

        Set<String> connections = new LinkedHashSet<>();
        List<String> requestCounts = new ArrayList<>();
        for (int i = 0; i < SEQUENTIAL; i++) {
            try (Response r = client.get(wire.uri(document.path)).execute()) {
                assertThat(r.status())
                        .as("status of request %d; nginx: %s", i, nginx.logs())
                        .isEqualTo(200);
                assertThat(r.version()).as("version of request %d", i).isEqualTo(wire.version);
                document.check(r.body().bytes());
                connections.add(r.headers().first(NginxServer.CONNECTION_HEADER));
                requestCounts.add(r.headers().first(NginxServer.CONNECTION_REQUESTS_HEADER));
            }
        }

        assertThat(connections)
                .as("nginx's connection serials of %d sequential requests (one means reused)", SEQUENTIAL)
                .doesNotContainNull()
                .hasSize(1);
        // nginx counts requests per connection, HTTP/2 streams included.
        assertThat(requestCounts)
                .as("nginx's request counts on that connection")
                .containsExactly("1", "2", "3");
        awaitQuiet(engine);
        assertThat(engine.poolStats()).singleElement().satisfies(stats -> {
            assertThat(stats.protocol()).isEqualTo(wire.poolProtocol());
            assertThat(stats.idle() + stats.active())
                    .as("open connections: %s", stats)
                    .isEqualTo(1);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndWire")
    void postedBodyIsEchoedExactly(RuntimeKind kind, Wire wire) {
        HttpEngine engine = singlePoolEngine(kind, wire.config());
        AioductClient client = AioductClient.builder(engine).build();
        byte[] payload = new byte[100 * 1024];
        new Random(42).nextBytes(payload);

        Set<String> connections = new LinkedHashSet<>();
        for (int i = 0; i < 2; i++) { // the second one over the connection the first left behind
            try (Response r = client.post(wire.uri("/echo"))
                    .body(RequestBody.ofBytes(payload))
                    .execute()) {
                assertThat(r.status()).as("status; nginx: %s", nginx.logs()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(wire.version);
                byte[] echoed = r.body().bytes();
                assertThat(echoed).as("length of echo %d", i).hasSize(payload.length);
                assertThat(NginxServer.sha256(echoed))
                        .as("SHA-256 of echo %d", i)
                        .isEqualTo(NginxServer.sha256(payload));
                connections.add(r.headers().first(NginxServer.CONNECTION_HEADER));
            }
        }
        assertThat(connections)
                .as("nginx's connection serials")
                .doesNotContainNull()
                .hasSize(1);
        awaitQuiet(engine);
        assertThat(engine.poolStats())
                .singleElement()
                .satisfies(stats -> assertThat(stats.idle() + stats.active())
                        .as("open connections: %s", stats)
                        .isEqualTo(1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndH2Wire")
    void concurrentRequestsShareOneH2Connection(RuntimeKind kind, Wire wire) throws Exception {
        HttpEngine engine = singlePoolEngine(kind, wire.config());
        AioductClient client = AioductClient.builder(engine).build();

        List<Document> documents = new ArrayList<>();
        List<CompletableFuture<Exchanged>> futures = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            Document document = i % 2 == 0 ? Document.LARGE : Document.SMALL;
            documents.add(document);
            futures.add(client.get(wire.uri(document.path))
                    .send()
                    .thenCompose(r -> r.body()
                            .bytesAsync()
                            .thenApply(body -> new Exchanged(
                                    r.status(), r.version(), r.headers().first(NginxServer.CONNECTION_HEADER), body))));
        }

        Set<String> connections = new LinkedHashSet<>();
        for (int i = 0; i < CONCURRENT; i++) {
            Exchanged e = futures.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e.status()).as("status of request %d", i).isEqualTo(200);
            assertThat(e.version()).as("version of request %d", i).isEqualTo(HttpVersion.HTTP_2);
            documents.get(i).check(e.body());
            connections.add(e.connection());
        }
        assertThat(connections)
                .as("nginx's connection serials of %d concurrent HTTP/2 requests", CONCURRENT)
                .doesNotContainNull()
                .hasSize(1);
        awaitQuiet(engine);
        assertThat(engine.poolStats()).singleElement().satisfies(stats -> {
            assertThat(stats.protocol()).isEqualTo("h2");
            assertThat(stats.idle() + stats.active())
                    .as("open connections: %s", stats)
                    .isEqualTo(1);
            assertThat(stats.activeStreams()).isZero();
        });
    }

    /** What a concurrent exchange brought back. */
    private record Exchanged(int status, HttpVersion version, String connection, byte[] body) {}
}
