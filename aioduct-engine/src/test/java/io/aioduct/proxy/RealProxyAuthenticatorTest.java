package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Authenticator;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.TinyProxy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real proxy (tinyproxy, started on loopback for the class; installed by scripts/ensure-test-packages)
 * whose credentials the client gets only from its {@link Authenticator}: tinyproxy's 407 to the first {@code
 * CONNECT} is answered, the request goes through a new tunnel, on every runtime and protocol. Wrong
 * credentials: tinyproxy answers them with 401, which fails the call as {@code AUTHENTICATION_REQUIRED} after
 * one answer.
 */
class RealProxyAuthenticatorTest extends MatrixTest {
    private static TinyProxy tinyproxy;

    private final AtomicInteger asked = new AtomicInteger();

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @BeforeAll
    static void start() {
        tinyproxy = TinyProxy.start();
    }

    @AfterAll
    static void stop() {
        tinyproxy.close();
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Authenticator authenticator) {
        Proxy proxy = protocol.tls ? tinyproxy.proxy() : tinyproxy.proxy().tunnellingAll();
        HttpEngine engine = matrixEngine(
                kind,
                protocol.config().toBuilder().proxy(ProxyRouting.always(proxy)).build());
        Authenticator counted = (response, challenges) -> {
            asked.incrementAndGet();
            return authenticator.authenticate(response, challenges);
        };
        return AioductClient.builder(engine).authenticator(counted).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void tinyproxysChallengeIsAnsweredByTheAuthenticator(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "through tinyproxy"));
        AioductClient client = client(kind, protocol, Authenticator.basic(TinyProxy.USERNAME, TinyProxy.PASSWORD));

        try (Response r = client.get(origin.uri("/")).execute()) {
            assertThat(r.status()).as(tinyproxy.logs()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(protocol.version());
            assertThat(r.body().string()).isEqualTo("through tinyproxy");
        }
        assertThat(asked).hasValue(1);
        assertThat(origin.takeRequest().header("Proxy-Authorization")).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void wrongCredentialsFromTheAuthenticatorFailNamingTheProxy(RuntimeKind kind, Protocol protocol) {
        MatrixServer origin = serve(protocol);
        origin.route("/", (req, reply) -> reply.respond(200, "unreachable"));
        AioductClient client = client(kind, protocol, Authenticator.basic(TinyProxy.USERNAME, "wrong-password"));

        assertThatThrownBy(() -> client.get(origin.uri("/")).execute())
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ProxyConnectException.Reason.AUTHENTICATION_REQUIRED);
                    assertThat(e.getMessage())
                            .contains("127.0.0.1:" + tinyproxy.port())
                            .doesNotContain("wrong-password");
                });
        assertThat(asked).hasValue(1);
        assertThat(origin.requestCount()).isZero();
    }
}
