package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.ForwardingProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests through a {@code CONNECT} tunnel ({@link ForwardingProxy}), on every runtime and protocol: https
 * through the tunnel with TLS and ALPN to the origin (so h2 works), plain http and h2c when the proxy tunnels
 * everything; the proxy's credentials only in the CONNECT, the origin's {@code Authorization} only to the
 * origin; tunnelled connections pooled; a CONNECT refused for want of credentials fails the request with
 * nothing sent to the origin.
 */
class ProxyTunnelEngineTest extends MatrixTest {
    private static final String USER = "proxy-user";
    private static final String PASSWORD = "proxy-secret";
    private static final String BASIC = "Basic cHJveHktdXNlcjpwcm94eS1zZWNyZXQ="; // proxy-user:proxy-secret

    private final List<ForwardingProxy> proxies = new ArrayList<>();
    private final List<ConnectionInfo> connections = new CopyOnWriteArrayList<>();

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @AfterEach
    void closeProxies() {
        List<Throwable> failures = new ArrayList<>();
        for (ForwardingProxy p : proxies) {
            p.close();
            failures.addAll(p.failures());
        }
        assertThat(failures).as("proxy-side failures").isEmpty();
    }

    private ForwardingProxy proxy() {
        ForwardingProxy p = ForwardingProxy.start();
        proxies.add(p);
        return p;
    }

    /** The proxy as the protocol needs it: https tunnels anyway, plain http and h2c only when told to. */
    private static Proxy tunnelling(ForwardingProxy p, Protocol protocol) {
        Proxy proxy = Proxy.http(p.host(), p.port());
        return protocol.tls ? proxy : proxy.tunnellingAll();
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Proxy proxy) {
        EventListener recorder = new EventListener() {
            @Override
            public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
                if (!reused) connections.add(connection);
            }
        };
        HttpEngine engine = matrixEngine(
                kind,
                protocol.config().toBuilder()
                        .proxy(ProxyRouting.always(proxy))
                        .eventListener(recorder)
                        .build());
        return AioductClient.builder(engine).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void requestsGoThroughATunnelToTheOriginWithEachSidesCredentialsApart(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "tunnelled " + req.uri()));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        Proxy configured = tunnelling(proxy, protocol).withCredentials(USER, PASSWORD);
        AioductClient client = client(kind, protocol, configured);

        for (int i = 0; i < 2; i++) {
            Request.Builder request =
                    client.get(origin.uri("/t?i=" + i)).header("Authorization", "Bearer origin-secret");
            if (i == 1) {
                // Over the pooled tunnel: a request's own Proxy-Authorization would go on a CONNECT (see
                // ProxyTunnelAuthenticationTest), never to the origin.
                request.header("Proxy-Authorization", "Basic not-for-the-origin");
            }
            try (Response r = request.execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(protocol.version());
                assertThat(r.body().string()).isEqualTo("tunnelled /t?i=" + i);
            }
        }

        assertThat(proxy.connectionsAccepted())
                .as("the tunnelled connection is pooled")
                .isEqualTo(1);
        assertThat(proxy.seen()).singleElement().satisfies(connect -> {
            assertThat(connect.requestLine()).isEqualTo("CONNECT " + origin.host() + ":" + origin.port() + " HTTP/1.1");
            assertThat(connect.proxyAuthorization()).isEqualTo(BASIC);
            assertThat(connect.authorization())
                    .as("the origin's credentials stay with the origin")
                    .isNull();
        });
        for (int i = 0; i < 2; i++) {
            RecordedRequest atOrigin = origin.takeRequest();
            assertThat(atOrigin.header("Authorization")).isEqualTo("Bearer origin-secret");
            assertThat(atOrigin.header("Proxy-Authorization")).isNull();
        }
        assertThat(connections).singleElement().satisfies(info -> {
            assertThat(info.tunnelled()).isTrue();
            assertThat(info.proxy()).isEqualTo("http://" + USER + "@127.0.0.1:" + proxy.port());
            assertThat(info.protocol()).isEqualTo(protocol.h2 ? "h2" : "http/1.1");
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aTunnelRefusedForCredentialsFailsTheRequestWithNothingSentToTheOrigin(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "unreachable"));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        AioductClient client = client(kind, protocol, tunnelling(proxy, protocol));

        assertThatThrownBy(() -> client.get(origin.uri("/x")).execute())
                .isInstanceOfSatisfying(
                        ProxyConnectException.class, ProxyTunnelEngineTest::checkAuthenticationRequired);
        assertThatThrownBy(() -> client.get(origin.uri("/x")).send().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ProxyConnectException.class, ProxyTunnelEngineTest::checkAuthenticationRequired);
        assertThat(origin.requestCount()).isZero();
        assertThat(origin.connectionsAccepted()).isZero();
    }

    private static void checkAuthenticationRequired(ProxyConnectException e) {
        assertThat(e.reason()).isEqualTo(ProxyConnectException.Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status()).isEqualTo(407);
    }
}
