package io.aioduct.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Origin;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.testing.proxy.ForwardingProxy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS settings per client on one engine ({@code AioductClient.Builder.tls}): the TLS settings are part of the
 * route, so each {@link TlsConfig} gets connections of its own, reused only by clients naming the same
 * instance; a client whose settings reject the server fails with a TLS error while another client of the same
 * engine succeeds; plain-http pools are shared whatever the settings. On every runtime, over HTTP/1.1 with TLS
 * and h2 (ALPN per route), directly and through a {@code CONNECT} tunnel.
 */
class TlsPerClientTest extends MatrixTest {
    private static final TlsMaterial TLS = TlsMaterial.shared();

    private final List<ForwardingProxy> proxies = new ArrayList<>();
    private final List<TestServer> servers = new ArrayList<>();

    static Stream<Arguments> tlsProtocols() {
        return MatrixServer.everyRuntimeAnd(Protocol.HTTP11_TLS, Protocol.H2_TLS);
    }

    static Stream<Arguments> cleartextProtocols() {
        return MatrixServer.everyRuntimeAnd(Protocol.HTTP11, Protocol.H2C);
    }

    static Stream<Arguments> runtimes() {
        return Stream.of(RuntimeKind.values()).map(Arguments::of);
    }

    @AfterEach
    void closeProxiesAndServers() {
        List<Throwable> failures = new ArrayList<>();
        for (ForwardingProxy p : proxies) {
            p.close();
            failures.addAll(p.failures());
        }
        servers.forEach(TestServer::close);
        assertThat(failures).as("proxy-side failures").isEmpty();
    }

    private static TlsConfig trustingTheTestCa() {
        return TlsConfig.builder().trustPem(TLS.caCertificatePem()).build();
    }

    private static String get(AioductClient client, String uri, Protocol protocol) {
        try (Response r = client.get(uri).execute()) {
            assertThat(r.version()).isEqualTo(protocol.version());
            return r.body().string();
        }
    }

    /** The pools of {@code site}'s origin (one per route to it). */
    private static List<PoolStats> poolsOf(HttpEngine engine, MatrixServer site) {
        java.net.URI uri = java.net.URI.create(site.uri("/"));
        Origin origin = new Origin(uri.getScheme(), uri.getHost(), uri.getPort());
        return engine.poolStats().stream()
                .filter(s -> s.origin().equals(origin))
                .toList();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tlsProtocols")
    void eachTlsConfigGetsConnectionsOfItsOwnOnOneEngine(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        site.route("/", (req, reply) -> reply.respond(200, "secret"));
        HttpEngine engine = matrixEngine(kind, protocol.config()); // the engine's own TLS trusts the test CA
        AioductClient engineTls = AioductClient.builder(engine).build();
        TlsConfig own = trustingTheTestCa();
        AioductClient trusting = AioductClient.builder(engine).tls(own).build();
        AioductClient untrusting =
                AioductClient.builder(engine).tls(TlsConfig.DEFAULT).build(); // the JDK's trust store

        assertThatThrownBy(() -> untrusting.get(site.uri("/")).execute())
                .isInstanceOfSatisfying(
                        TlsHandshakeException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE))
                .hasMessageContaining("not trusted")
                .hasMessageContaining("localhost:" + site.port());
        assertThat(site.connectionsAccepted()).isEqualTo(1);

        for (int i = 0; i < 3; i++) {
            assertThat(get(trusting, site.uri("/"), protocol)).isEqualTo("secret");
        }
        assertThat(site.connectionsAccepted())
                .as("the client's own TLS settings: one new connection, then reused")
                .isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            assertThat(get(engineTls, site.uri("/"), protocol)).isEqualTo("secret");
        }
        assertThat(site.connectionsAccepted())
                .as("the engine's TLS settings: a connection of their own, not the other client's")
                .isEqualTo(3);

        AioductClient sameSettings = trusting.newBuilder().build();
        AioductClient namingTheEngines =
                AioductClient.builder(engine).tls(engine.config().tls()).build();
        assertThat(get(sameSettings, site.uri("/"), protocol)).isEqualTo("secret");
        assertThat(get(namingTheEngines, site.uri("/"), protocol)).isEqualTo("secret");
        assertThat(site.connectionsAccepted())
                .as("the same TlsConfig instance reuses its connection; so does naming the engine's own")
                .isEqualTo(3);

        assertThatThrownBy(() -> untrusting.get(site.uri("/")).execute())
                .as("never a connection another client's settings made")
                .isInstanceOf(TlsHandshakeException.class);
        assertThat(site.connectionsAccepted()).isEqualTo(4);

        assertThat(poolsOf(engine, site))
                .as("one pool per TLS settings for the origin, on the one engine")
                .hasSize(3)
                .extracting(PoolStats::idle)
                .containsExactlyInAnyOrder(1, 1, 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cleartextProtocols")
    void plainHttpPoolsAreSharedWhateverTheTlsSettings(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        site.route("/", (req, reply) -> reply.respond(200, "plain"));
        HttpEngine engine = matrixEngine(kind, protocol.config());
        AioductClient a = AioductClient.builder(engine).tls(trustingTheTestCa()).build();
        AioductClient b = AioductClient.builder(engine).tls(TlsConfig.DEFAULT).build();
        AioductClient c = AioductClient.builder(engine).build();

        for (AioductClient client : List.of(a, b, c, a, b, c)) {
            assertThat(get(client, site.uri("/"), protocol)).isEqualTo("plain");
        }

        assertThat(site.connectionsAccepted()).isEqualTo(1);
        assertThat(poolsOf(engine, site)).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void aClientCertificateIsNeverLentToAnotherClientOfTheEngine(RuntimeKind kind) {
        TestServer server = TestServer.startTls(
                InetAddress.getLoopbackAddress(), TLS.serverContext(TLS.localhost(), true, "http/1.1"));
        servers.add(server);
        server.route("/", (req, ex) -> ex.respond(200, "mutual"));
        HttpEngine engine = matrixEngine(kind, Protocol.HTTP11_TLS.config());
        AioductClient withCertificate = AioductClient.builder(engine)
                .tls(TlsConfig.builder()
                        .trustPem(TLS.caCertificatePem())
                        .clientCertificatePem(
                                TLS.client().certificatePem(), TLS.client().privateKeyPem(), null)
                        .build())
                .build();
        AioductClient without = AioductClient.builder(engine).build();

        for (int i = 0; i < 2; i++) {
            assertThat(get(withCertificate, server.uri("/"), Protocol.HTTP11_TLS))
                    .isEqualTo("mutual");
        }
        // With TLS 1.3 the server judges the client certificate after the client's side of the handshake, so
        // the refusal may surface as the connection failing right after: either way an error, never the
        // connection the certificate opened.
        assertThatThrownBy(() -> get(without, server.uri("/"), Protocol.HTTP11_TLS))
                .isInstanceOf(io.aioduct.AioductException.class);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(server.connectionsAccepted()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tlsProtocols")
    void throughATunnelEachTlsConfigGetsATunnelOfItsOwn(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        site.route("/", (req, reply) -> reply.respond(200, "tunnelled"));
        ForwardingProxy proxy = ForwardingProxy.start();
        proxies.add(proxy);
        HttpEngine engine = matrixEngine(
                kind,
                protocol.config().toBuilder()
                        .proxy(ProxyRouting.always(Proxy.http(proxy.host(), proxy.port())))
                        .build());
        AioductClient engineTls = AioductClient.builder(engine).build();
        AioductClient trusting =
                AioductClient.builder(engine).tls(trustingTheTestCa()).build();
        AioductClient untrusting =
                AioductClient.builder(engine).tls(TlsConfig.DEFAULT).build();

        for (int i = 0; i < 2; i++) {
            assertThat(get(trusting, site.uri("/"), protocol)).isEqualTo("tunnelled");
            assertThat(get(engineTls, site.uri("/"), protocol)).isEqualTo("tunnelled");
        }
        assertThatThrownBy(() -> untrusting.get(site.uri("/")).execute())
                .isInstanceOfSatisfying(
                        TlsHandshakeException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE));

        assertThat(proxy.connectionsAccepted())
                .as("a tunnel per TLS settings, each reused")
                .isEqualTo(3);
        assertThat(site.connectionsAccepted()).isEqualTo(3);
    }
}
