package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.policy.Authenticator;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.ForwardingProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain-http requests through a forwarding HTTP proxy ({@link ForwardingProxy}), on every runtime: absolute
 * form and the proxy's Basic credentials on the wire to the proxy, the origin's view unchanged, a 407 answered
 * through the authenticator, connections pooled per route (never across proxies or credentials), an
 * unreachable proxy named in the error without credentials, and direct routing unchanged on every protocol.
 */
class ProxyForwardingTest extends MatrixTest {
    private static final String USER = "proxy-user";
    private static final String PASSWORD = "proxy-secret";
    private static final String BASIC = "Basic cHJveHktdXNlcjpwcm94eS1zZWNyZXQ="; // proxy-user:proxy-secret

    private final List<ForwardingProxy> proxies = new ArrayList<>();
    private final List<ConnectionInfo> connections = new CopyOnWriteArrayList<>();
    private final List<String> challenges = new CopyOnWriteArrayList<>();

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    private ForwardingProxy proxy() {
        ForwardingProxy p = ForwardingProxy.start();
        proxies.add(p);
        return p;
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

    private AioductClient client(
            RuntimeKind kind, Protocol protocol, ProxyRouting routing, Consumer<AioductClient.Builder> settings) {
        return client(kind, protocol.config().toBuilder(), routing, settings);
    }

    private AioductClient client(
            RuntimeKind kind,
            EngineConfig.Builder config,
            ProxyRouting routing,
            Consumer<AioductClient.Builder> settings) {
        EventListener recorder = new EventListener() {
            @Override
            public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
                if (!reused) connections.add(connection);
            }

            @Override
            public void authenticationChallenge(Request request, int status, String scheme) {
                challenges.add(status + " " + scheme);
            }
        };
        HttpEngine engine =
                matrixEngine(kind, config.proxy(routing).eventListener(recorder).build());
        AioductClient.Builder b = AioductClient.builder(engine);
        settings.accept(b);
        return b.build();
    }

    private static Proxy httpProxy(ForwardingProxy p) {
        return Proxy.http(p.host(), p.port());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void requestsGoToTheProxyInAbsoluteFormWithItsCredentials(RuntimeKind kind) {
        MatrixServer origin = serve(Protocol.HTTP11);
        origin.route("/", (req, reply) -> reply.respond(200, "hello " + req.uri()));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        Proxy configured = httpProxy(proxy).withCredentials(USER, PASSWORD);
        AioductClient client = client(kind, Protocol.HTTP11, ProxyRouting.always(configured), b -> {});

        try (Response r = client.get(origin.uri("/path/x?q=1")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(r.body().string()).isEqualTo("hello /path/x?q=1");
        }

        ForwardingProxy.Seen seen = proxy.seen().getFirst();
        String authority = origin.host() + ":" + origin.port();
        assertThat(seen.requestLine()).isEqualTo("GET http://" + authority + "/path/x?q=1 HTTP/1.1");
        assertThat(seen.host()).isEqualTo(authority);
        assertThat(seen.proxyAuthorization()).isEqualTo(BASIC);
        RecordedRequest atOrigin = origin.takeRequest();
        assertThat(atOrigin.uri()).isEqualTo("/path/x?q=1");
        assertThat(atOrigin.header("Host")).isEqualTo(authority);
        assertThat(atOrigin.header("Proxy-Authorization")).isNull();

        ConnectionInfo info = connections.getFirst();
        assertThat(info.proxy()).isEqualTo("http://" + USER + "@127.0.0.1:" + proxy.port());
        assertThat(info.tunnelled()).isFalse();
        assertThat(info.protocol()).isEqualTo("http/1.1");
        assertThat(info.toString()).doesNotContain(PASSWORD);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void aProxyChallengeIsAnsweredThroughTheAuthenticator(RuntimeKind kind) {
        MatrixServer origin = serve(Protocol.HTTP11);
        origin.route("/", (req, reply) -> reply.respond(200, "in"));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        AioductClient client = client(
                kind,
                Protocol.HTTP11,
                ProxyRouting.always(httpProxy(proxy)),
                b -> b.authenticator(Authenticator.basic(USER, PASSWORD)));

        try (Response r = client.get(origin.uri("/guarded")).send().join()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("in");
        }

        assertThat(proxy.seen())
                .extracting(ForwardingProxy.Seen::proxyAuthorization)
                .containsExactly(null, BASIC);
        assertThat(challenges).containsExactly("407 Basic");
        assertThat(origin.takeRequest().header("Proxy-Authorization")).isNull();
        assertThat(origin.requestCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void wrongCredentialsGetTheProxysChallengeBackAsAResponse(RuntimeKind kind) {
        MatrixServer origin = serve(Protocol.HTTP11);
        origin.route("/", (req, reply) -> reply.respond(200, "in"));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        Proxy wrong = httpProxy(proxy).withCredentials(USER, "wrong");
        AioductClient client = client(kind, Protocol.HTTP11, ProxyRouting.always(wrong), b -> {});

        try (Response r = client.get(origin.uri("/guarded")).execute()) {
            assertThat(r.status()).isEqualTo(407);
            assertThat(r.headers().first("Proxy-Authenticate")).isEqualTo("Basic realm=\"test-proxy\"");
            r.body().string();
        }
        assertThat(origin.requestCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void connectionsAreReusedPerRouteAndNeverAcrossProxiesOrCredentials(RuntimeKind kind) {
        MatrixServer origin = serve(Protocol.HTTP11);
        origin.route("/", (req, reply) -> reply.respond(200, "ok"));
        ForwardingProxy a = proxy();
        ForwardingProxy b = proxy();
        AtomicReference<Proxy> current = new AtomicReference<>(httpProxy(a));
        AioductClient client = client(kind, Protocol.HTTP11, o -> current.get(), x -> {});

        get(client, origin.uri("/1"));
        get(client, origin.uri("/2"));
        assertThat(a.connectionsAccepted()).as("one route, one connection").isEqualTo(1);

        current.set(httpProxy(b));
        get(client, origin.uri("/3"));
        get(client, origin.uri("/4"));
        assertThat(b.connectionsAccepted()).isEqualTo(1);

        current.set(httpProxy(a).withCredentials("someone", "else"));
        get(client, origin.uri("/5"));
        assertThat(a.connectionsAccepted())
                .as("other credentials, another connection")
                .isEqualTo(2);

        current.set(httpProxy(a));
        get(client, origin.uri("/6"));
        assertThat(a.connectionsAccepted())
                .as("the first route's connection, pooled")
                .isEqualTo(2);
        assertThat(a.seen()).hasSize(4);
        assertThat(b.seen()).hasSize(2);
        assertThat(lastMatrixEngine().poolStats()).hasSize(3);
    }

    private static void get(AioductClient client, String uri) {
        try (Response r = client.get(uri).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void anUnreachableProxyFailsNamingItWithoutCredentials(RuntimeKind kind) throws IOException {
        MatrixServer origin = serve(Protocol.HTTP11);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Proxy dead = Proxy.http("127.0.0.1", closedPort).withCredentials(USER, PASSWORD);
        AioductClient client = client(kind, Protocol.HTTP11, ProxyRouting.always(dead), b -> {});

        assertThatThrownBy(() -> client.get(origin.uri("/x")).execute())
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> checkUnreachable(e, dead, closedPort));
        assertThatThrownBy(() -> client.get(origin.uri("/x")).send().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> checkUnreachable(e, dead, closedPort));
        assertThat(origin.requestCount()).isZero();
    }

    private static void checkUnreachable(ProxyConnectException e, Proxy proxy, int port) {
        assertThat(e.reason()).isEqualTo(ProxyConnectException.Reason.UNREACHABLE);
        assertThat(e.proxy()).isEqualTo(proxy);
        assertThat(e.getMessage())
                .contains("127.0.0.1:" + port)
                .doesNotContain(PASSWORD)
                .doesNotContain(USER);
        assertThat(e.getCause()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void priorKnowledgeH2cIsNotSpokenToAForwardingProxy(RuntimeKind kind) {
        // HTTP/2 by prior knowledge is a promise about the origin: the proxy gets HTTP/1.1.
        MatrixServer origin = serve(Protocol.HTTP11);
        origin.route("/", (req, reply) -> reply.respond(200, "ok"));
        ForwardingProxy proxy = proxy();
        EngineConfig.Builder config =
                Protocol.HTTP11.config().toBuilder().http2(Http2Options.DEFAULT.withPriorKnowledge(true));
        AioductClient client = client(kind, config, ProxyRouting.always(httpProxy(proxy)), b -> {});

        try (Response r = client.get(origin.uri("/h2c")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(r.body().string()).isEqualTo("ok");
        }
        assertThat(proxy.seen())
                .singleElement()
                .satisfies(s -> assertThat(s.requestLine()).startsWith("GET http://"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void aRoutingThatThrowsFailsTheRequestAndLeaksNothing(RuntimeKind kind) {
        MatrixServer origin = serve(Protocol.HTTP11);
        ProxyRouting broken = o -> {
            throw new IllegalStateException("no route to " + o.host());
        };
        AioductClient client = client(kind, Protocol.HTTP11, broken, b -> {});

        assertThatThrownBy(() -> client.get(origin.uri("/x")).execute())
                .isInstanceOf(ConnectFailedException.class)
                .hasRootCauseMessage("no route to " + origin.host());
        assertThatThrownBy(() -> client.get(origin.uri("/x")).send().join())
                .cause()
                .isInstanceOf(ConnectFailedException.class);
        assertThat(origin.requestCount()).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aDirectRouteIsUnchangedAndNeverCarriesProxyCredentials(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "direct " + req.header("Proxy-Authorization")));
        AioductClient client = client(kind, protocol, o -> null, b -> {});

        try (Response r = client.get(origin.uri("/d?x=1"))
                .header("Proxy-Authorization", BASIC)
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(protocol.version());
            assertThat(r.body().string()).isEqualTo("direct null");
        }
        RecordedRequest atOrigin = origin.takeRequest();
        assertThat(atOrigin.uri()).isEqualTo("/d?x=1");
        assertThat(connections).singleElement().satisfies(info -> {
            assertThat(info.proxy()).isNull();
            assertThat(info.tunnelled()).isFalse();
        });
    }
}
