package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.Challenge;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.ForwardingProxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A proxy's 407 to the {@code CONNECT} of a tunnel answered through the client's {@link Authenticator}, on
 * every runtime and protocol (https through the tunnel with TLS and ALPN, plain http and h2c with {@link
 * Proxy#tunnellingAll()}), blocking and asynchronous: Basic and Digest (computed over {@code CONNECT
 * host:port}), the answer on the {@code CONNECT} of a new connection and never at the origin, the
 * authenticator asked once, wrong credentials failing as {@code AUTHENTICATION_REQUIRED} naming the proxy
 * (not the credentials) with nothing sent to the origin. Also the tunnel's events: the connect to the proxy
 * carries the proxy's type, {@code tunnelStart}/{@code tunnelEnd}/{@code tunnelFailed} name it by address.
 */
class ProxyTunnelAuthenticationTest extends MatrixTest {
    private static final String USER = "proxy-user";
    private static final String PASSWORD = "proxy-secret";
    private static final String BASIC = "Basic cHJveHktdXNlcjpwcm94eS1zZWNyZXQ="; // proxy-user:proxy-secret

    private final List<ForwardingProxy> proxies = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger asked = new AtomicInteger();

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

    private static Proxy tunnelling(ForwardingProxy p, Protocol protocol) {
        Proxy proxy = Proxy.http(p.host(), p.port());
        return protocol.tls ? proxy : proxy.tunnellingAll();
    }

    /** A client through {@code p} (no credentials configured) whose authenticator is {@code authenticator}, counted. */
    private AioductClient client(RuntimeKind kind, Protocol protocol, ForwardingProxy p, Authenticator authenticator) {
        return client(kind, protocol, p, authenticator, RetryPolicy.none());
    }

    private AioductClient client(
            RuntimeKind kind, Protocol protocol, ForwardingProxy p, Authenticator authenticator, RetryPolicy retries) {
        EventListener recorder = new EventListener() {
            @Override
            public void connectEnd(Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, long nanos) {
                events.add("connectEnd " + address.getPort() + " " + proxy);
            }

            @Override
            public void tunnelStart(Request request, String proxy, Proxy.Type type) {
                events.add("tunnelStart " + proxy + " " + type);
            }

            @Override
            public void tunnelEnd(Request request, String proxy, Proxy.Type type, long nanos) {
                events.add("tunnelEnd " + proxy + " " + type);
            }

            @Override
            public void tunnelFailed(Request request, String proxy, Proxy.Type type, Throwable error, long nanos) {
                events.add("tunnelFailed " + proxy + " " + type + " "
                        + (error instanceof ProxyConnectException e ? e.reason() : error));
            }

            @Override
            public void authenticationChallenge(Request request, int status, String scheme) {
                events.add("authenticationChallenge " + status + " " + scheme);
            }
        };
        HttpEngine engine = matrixEngine(
                kind,
                protocol.config().toBuilder()
                        .proxy(ProxyRouting.always(tunnelling(p, protocol)))
                        .eventListener(recorder)
                        .build());
        Authenticator counted = (response, challenges) -> {
            asked.incrementAndGet();
            return authenticator.authenticate(response, challenges);
        };
        return AioductClient.builder(engine)
                .authenticator(counted)
                .retries(retries)
                .build();
    }

    private static String address(ForwardingProxy p) {
        return p.host() + ":" + p.port();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBasicChallengeToConnectIsAnsweredByTheAuthenticatorOnANewConnection(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "tunnelled " + req.uri()));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        AioductClient client = client(kind, protocol, proxy, Authenticator.basic(USER, PASSWORD));

        try (Response r = client.get(origin.uri("/blocking"))
                .header("Authorization", "Bearer origin-secret")
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(protocol.version());
            assertThat(r.body().string()).isEqualTo("tunnelled /blocking");
        }

        String connect = "CONNECT " + origin.host() + ":" + origin.port() + " HTTP/1.1";
        assertThat(proxy.seen()).hasSize(2);
        assertThat(proxy.seen().get(0).requestLine()).isEqualTo(connect);
        assertThat(proxy.seen().get(0).proxyAuthorization()).isNull();
        assertThat(proxy.seen().get(1).requestLine()).isEqualTo(connect);
        assertThat(proxy.seen().get(1).proxyAuthorization()).isEqualTo(BASIC);
        assertThat(proxy.seen().get(1).authorization())
                .as("the origin's credentials stay with the origin")
                .isNull();
        assertThat(proxy.connectionsAccepted())
                .as("the answer goes on a new connection")
                .isEqualTo(2);
        RecordedRequest atOrigin = origin.takeRequest();
        assertThat(atOrigin.header("Proxy-Authorization")).isNull();
        assertThat(atOrigin.header("Authorization")).isEqualTo("Bearer origin-secret");
        assertThat(asked).hasValue(1);
        String via = address(proxy) + " HTTP";
        assertThat(events)
                .containsExactly(
                        "connectEnd " + proxy.port() + " HTTP",
                        "tunnelStart " + via,
                        "tunnelFailed " + via + " AUTHENTICATION_REQUIRED",
                        "authenticationChallenge 407 Basic",
                        "connectEnd " + proxy.port() + " HTTP",
                        "tunnelStart " + via,
                        "tunnelEnd " + via);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aDigestChallengeToConnectIsAnsweredOverConnectAndTheAuthority(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "digest " + req.uri()));
        ForwardingProxy proxy = proxy().requireDigest(USER, PASSWORD);
        AioductClient client = client(kind, protocol, proxy, Authenticator.digest(USER, PASSWORD));

        try (Response r = client.get(origin.uri("/async")).send().join()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(protocol.version());
            assertThat(r.body().string()).isEqualTo("digest /async");
        }

        assertThat(proxy.seen()).hasSize(2);
        String answer = proxy.seen().get(1).proxyAuthorization();
        assertThat(answer).startsWith("Digest ");
        Challenge digest = Challenge.parse(answer).get(0);
        assertThat(digest.parameter("uri")).isEqualTo(origin.host() + ":" + origin.port());
        assertThat(digest.parameter("username")).isEqualTo(USER);
        assertThat(origin.takeRequest().header("Proxy-Authorization")).isNull();
        assertThat(asked).hasValue(1);
        assertThat(events).contains("authenticationChallenge 407 Digest", "tunnelEnd " + address(proxy) + " HTTP");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void wrongCredentialsFailAsAuthenticationRequiredNamingTheProxyAfterOneAnswer(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "unreachable"));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        AioductClient client = client(kind, protocol, proxy, Authenticator.basic(USER, "wrong-password"));

        assertThatThrownBy(() -> client.get(origin.uri("/x")).execute())
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> checkRefused(e, proxy));
        assertThat(asked).hasValue(1);
        assertThat(proxy.seen()).hasSize(2);
        assertThatThrownBy(() -> client.get(origin.uri("/x")).send().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> checkRefused(e, proxy));
        assertThat(asked).hasValue(2);
        assertThat(proxy.seen()).hasSize(4);
        assertThat(proxy.connectionsAccepted()).isEqualTo(4);
        assertThat(origin.requestCount()).isZero();
        assertThat(origin.connectionsAccepted()).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theRetryPolicyDoesNotResendARequestTheProxyRefusedForCredentials(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "unreachable"));
        ForwardingProxy proxy = proxy().requireCredentials(USER, PASSWORD);
        AioductClient client =
                client(kind, protocol, proxy, Authenticator.basic(USER, "wrong-password"), RetryPolicy.defaults());

        assertThatThrownBy(() -> client.get(origin.uri("/x")).execute())
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> checkRefused(e, proxy));
        assertThat(asked).hasValue(1);
        assertThat(proxy.seen())
                .as("the unanswered CONNECT and the answered one, no retry of either")
                .hasSize(2);
        assertThat(origin.connectionsAccepted()).isZero();
    }

    private static void checkRefused(ProxyConnectException e, ForwardingProxy proxy) {
        assertThat(e.reason()).isEqualTo(ProxyConnectException.Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status()).isEqualTo(407);
        assertThat(e.getMessage())
                .contains(address(proxy))
                .contains("rejected the credentials")
                .doesNotContain("wrong-password")
                .doesNotContain("Basic cHJveHk");
    }
}
