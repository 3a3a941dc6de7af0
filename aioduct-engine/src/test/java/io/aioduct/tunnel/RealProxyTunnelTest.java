package io.aioduct.tunnel;

import static io.aioduct.tunnel.TunnelTransports.TIMEOUT;
import static io.aioduct.tunnel.TunnelTransports.awaitTrue;
import static io.aioduct.tunnel.TunnelTransports.connect;
import static io.aioduct.tunnel.TunnelTransports.exchange;
import static io.aioduct.tunnel.TunnelTransports.failureOf;
import static io.aioduct.tunnel.TunnelTransports.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyConnectException.Reason;
import io.aioduct.syntax.Credentials;
import io.aioduct.testing.LeakRecordingDetector;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.DanteProxy;
import io.aioduct.testing.proxy.EchoTarget;
import io.aioduct.testing.proxy.TinyProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tunnels through proxies we did not write, on every transport kind: tinyproxy (HTTP {@code CONNECT} with
 * Basic) and dante (SOCKS5, with and without username/password), started once for the class on loopback
 * ({@link TinyProxy}, {@link DanteProxy}; installed by scripts/ensure-test-packages).
 */
class RealProxyTunnelTest {
    private static TinyProxy tinyproxy;
    private static DanteProxy dante;
    private static DanteProxy danteWithAuth;

    private EchoTarget target;

    @BeforeAll
    static void start() {
        TunnelTransports.start();
        tinyproxy = TinyProxy.start();
        dante = DanteProxy.start(false);
        danteWithAuth = DanteProxy.start(true);
    }

    @AfterAll
    static void stop() {
        tinyproxy.close();
        dante.close();
        danteWithAuth.close();
        TunnelTransports.stop();
    }

    @BeforeEach
    void startTarget() {
        target = EchoTarget.start();
    }

    @AfterEach
    void stopTarget() {
        target.close();
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void tinyproxyTunnelsWithBasicCredentials(RuntimeKind kind) throws Exception {
        Proxy proxy = tinyproxy.proxy().withCredentials(TinyProxy.USERNAME, TinyProxy.PASSWORD);
        String authorization = Credentials.basic(TinyProxy.USERNAME, TinyProxy.PASSWORD);
        roundTrip(kind, proxy, tinyproxy.port(), authorization, tinyproxy.logs());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void tinyproxyWithoutCredentialsChallenges(RuntimeKind kind) throws Exception {
        ProxyConnectException e = failure(kind, tinyproxy.proxy(), tinyproxy.port(), null);
        assertThat(e).isInstanceOf(ProxyChallengeException.class);
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status()).isEqualTo(407);
        assertThat(((ProxyChallengeException) e).challenges()).containsExactly("Basic realm=\"Tinyproxy\"");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void tinyproxyRejectsWrongCredentials(RuntimeKind kind) throws Exception {
        Proxy wrong = tinyproxy.proxy().withCredentials(TinyProxy.USERNAME, "wrong");
        ProxyConnectException e =
                failure(kind, wrong, tinyproxy.port(), Credentials.basic(TinyProxy.USERNAME, "wrong"));
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status())
                .as("tinyproxy answers wrong credentials with 401")
                .isEqualTo(401);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void danteTunnelsWithoutAuthentication(RuntimeKind kind) throws Exception {
        roundTrip(kind, dante.proxy(), dante.port(), null, dante.logs());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void danteTunnelsWithUsernameAndPassword(RuntimeKind kind) throws Exception {
        Proxy proxy = danteWithAuth.proxy().withCredentials(DanteProxy.USERNAME, DanteProxy.PASSWORD);
        roundTrip(kind, proxy, danteWithAuth.port(), null, danteWithAuth.logs());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void danteRejectsAWrongPassword(RuntimeKind kind) throws Exception {
        Proxy wrong = danteWithAuth.proxy().withCredentials(DanteProxy.USERNAME, "wrong");
        ProxyConnectException e = failure(kind, wrong, danteWithAuth.port(), null);
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.getMessage()).contains("rejected the username/password").doesNotContain("wrong");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void danteWantsCredentialsWhenNoneAreOffered(RuntimeKind kind) throws Exception {
        ProxyConnectException e = failure(kind, danteWithAuth.proxy(), danteWithAuth.port(), null);
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.getMessage()).contains("accepts none of the authentication methods offered");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void danteReportsATargetThatRefusesAsReply5(RuntimeKind kind) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Transport transport = connect(kind, dante.port());
        Throwable failure = failureOf(open(kind, transport, dante.proxy(), "127.0.0.1", closedPort, null, TIMEOUT));
        assertThat(failure).isInstanceOf(ProxyConnectException.class);
        ProxyConnectException e = (ProxyConnectException) failure;
        assertThat(e.reason()).isEqualTo(Reason.REFUSED);
        assertThat(e.status()).isEqualTo(5);
        assertThat(e.getMessage()).contains("connection refused (reply 5)");
        awaitTrue(() -> !transport.isOpen(), "the transport is closed");
    }

    private void roundTrip(RuntimeKind kind, Proxy proxy, int proxyPort, String authorization, String logs)
            throws Exception {
        Transport tunnel = open(
                        kind, connect(kind, proxyPort), proxy, "localhost", target.port(), authorization, TIMEOUT)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(exchange(tunnel, "ping", 4)).as(logs).isEqualTo("ping");
            assertThat(exchange(tunnel, "pong!", 5)).isEqualTo("pong!");
        } finally {
            tunnel.close();
        }
        assertThat(target.accepted()).isEqualTo(1);
    }

    private ProxyConnectException failure(RuntimeKind kind, Proxy proxy, int proxyPort, String authorization)
            throws Exception {
        Transport transport = connect(kind, proxyPort);
        Throwable failure = failureOf(open(kind, transport, proxy, "localhost", target.port(), authorization, TIMEOUT));
        assertThat(failure).isInstanceOf(ProxyConnectException.class);
        assertThat(failure.getMessage()).startsWith("tunnel to localhost:" + target.port() + " through " + proxy);
        awaitTrue(() -> !transport.isOpen(), "the transport is closed");
        assertThat(target.accepted()).as("connections that reached the target").isZero();
        return (ProxyConnectException) failure;
    }
}
