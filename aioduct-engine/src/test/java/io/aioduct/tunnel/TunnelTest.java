package io.aioduct.tunnel;

import static io.aioduct.tunnel.TunnelTransports.awaitTrue;
import static io.aioduct.tunnel.TunnelTransports.connect;
import static io.aioduct.tunnel.TunnelTransports.exchange;
import static io.aioduct.tunnel.TunnelTransports.failureOf;
import static io.aioduct.tunnel.TunnelTransports.onItsThread;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.TimedOutException;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyConnectException.Reason;
import io.aioduct.syntax.Credentials;
import io.aioduct.testing.LeakRecordingDetector;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.EchoTarget;
import io.aioduct.testing.proxy.FaultProxy;
import io.aioduct.testing.proxy.FaultProxy.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tunnels through the in-process {@link FaultProxy} to an {@link EchoTarget}, over every transport kind: a
 * pooled (epoll) channel, a virtual-runtime blocking socket and an io_uring channel, each made by that
 * runtime's own connector. Success carries bytes both ways; each failure maps to its reason, status and
 * message, closes the transport (the proxy sees the close) and sends nothing to the target.
 */
class TunnelTest {
    private static final Duration TIMEOUT = TunnelTransports.TIMEOUT;
    private static final Duration SHORT = Duration.ofMillis(300);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startRuntimes() {
        TunnelTransports.start();
    }

    @AfterAll
    static void stopRuntimes() {
        TunnelTransports.stop();
    }

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    static Stream<Arguments> kindsAndTypes() {
        return Stream.of(RuntimeKind.values())
                .flatMap(kind -> Stream.of(Proxy.Type.values()).map(type -> Arguments.of(kind, type)));
    }

    // ---- success ----

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void aTunnelCarriesBytesBothWays(RuntimeKind kind, Proxy.Type type) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy proxy = track(FaultProxy.start(type, Fault.NONE));
        Transport tunnel = open(kind, proxy, proxy.proxy(), "localhost", target.port(), null)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            if (tunnel instanceof LoopTransport loop) {
                assertThat(loop.channel().pipeline().names())
                        .as("the handshake's handler left the pipeline")
                        .noneMatch(n -> n.startsWith("aioduct-tunnel"));
            }
            assertThat(exchange(tunnel, "ping", 4)).isEqualTo("ping");
            assertThat(exchange(tunnel, "pong!", 5)).isEqualTo("pong!");
        } finally {
            tunnel.close();
        }
        assertThat(target.accepted()).isEqualTo(1);
        awaitTrue(() -> proxy.closedByClient() == 1, "the proxy saw the tunnel closed");
    }

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void anIpLiteralTargetGoesAsAnAddress(RuntimeKind kind, Proxy.Type type) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy proxy = track(FaultProxy.start(type, Fault.NONE));
        Transport tunnel = open(kind, proxy, proxy.proxy(), "127.0.0.1", target.port(), null)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(exchange(tunnel, "ping", 4)).isEqualTo("ping");
        } finally {
            tunnel.close();
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void credentialsOpenATunnelThatRequiresThem(RuntimeKind kind, Proxy.Type type) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy proxy = track(FaultProxy.start(type, Fault.NONE, "alice", "s3cret"));
        Proxy withCredentials = proxy.proxy().withCredentials("alice", "s3cret");
        String authorization = type == Proxy.Type.HTTP ? Credentials.basic("alice", "s3cret") : null;
        Transport tunnel = open(kind, proxy, withCredentials, "localhost", target.port(), authorization)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(exchange(tunnel, "ping", 4)).isEqualTo("ping");
        } finally {
            tunnel.close();
        }
    }

    /** Bytes the proxy sends in the same write as its answer belong to the tunnel: the next reader gets them. */
    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void bytesAfterTheAnswerReachTheNextReader(RuntimeKind kind, Proxy.Type type) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy proxy = track(FaultProxy.start(type, Fault.EARLY_BYTES));
        Transport tunnel = open(kind, proxy, proxy.proxy(), "localhost", target.port(), null)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(exchange(tunnel, "ping", 9)).isEqualTo("earlyping");
        } finally {
            tunnel.close();
        }
    }

    // ---- failures ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void a403IsARefusalWithTheStatusLine(RuntimeKind kind) throws Exception {
        ProxyConnectException e = refused(kind, Proxy.Type.HTTP, Fault.REFUSE_403, Reason.REFUSED, 403);
        assertThat(e.getMessage()).contains("refused the tunnel: HTTP/1.1 403 Forbidden");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void a502IsARefusalWithTheStatusLine(RuntimeKind kind) throws Exception {
        ProxyConnectException e = refused(kind, Proxy.Type.HTTP, Fault.REFUSE_502, Reason.REFUSED, 502);
        assertThat(e.getMessage()).contains("refused the tunnel: HTTP/1.1 502 Bad Gateway");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aSocks5FailureReplyIsNamed(RuntimeKind kind) throws Exception {
        ProxyConnectException e = refused(kind, Proxy.Type.SOCKS5, Fault.REFUSE_502, Reason.REFUSED, 5);
        assertThat(e.getMessage()).contains("connection refused (reply 5)");
        e = refused(kind, Proxy.Type.SOCKS5, Fault.REFUSE_403, Reason.REFUSED, 2);
        assertThat(e.getMessage()).contains("connection not allowed by ruleset (reply 2)");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aSocks4RejectionIsNamed(RuntimeKind kind) throws Exception {
        ProxyConnectException e = refused(kind, Proxy.Type.SOCKS4, Fault.REFUSE_403, Reason.REFUSED, 91);
        assertThat(e.getMessage()).contains("request rejected or failed (reply 91)");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void a407WithoutCredentialsKeepsTheChallenge(RuntimeKind kind) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(Proxy.Type.HTTP, Fault.NONE, "alice", "s3cret"));
        ProxyConnectException e = failed(
                kind, proxy, proxy.proxy(), null, Reason.AUTHENTICATION_REQUIRED, 407, ProxyConnectException.class);
        assertThat(e).isInstanceOf(ProxyChallengeException.class);
        assertThat(((ProxyChallengeException) e).challenges()).containsExactly("Basic realm=\"fault-proxy\"");
        assertThat(e.getMessage())
                .contains("no credentials were given")
                .contains("407 Proxy Authentication Required")
                .contains("Basic realm");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void a407ForWrongCredentialsSaysTheyWereRejected(RuntimeKind kind) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(Proxy.Type.HTTP, Fault.NONE, "alice", "s3cret"));
        Proxy wrong = proxy.proxy().withCredentials("alice", "wrong-password");
        ProxyConnectException e = failed(
                kind,
                proxy,
                wrong,
                Credentials.basic("alice", "wrong-password"),
                Reason.AUTHENTICATION_REQUIRED,
                407,
                ProxyConnectException.class);
        assertThat(e.getMessage()).contains("rejected the credentials").doesNotContain("wrong-password");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aSocks5ProxyAcceptingNoOfferedMethodRequiresAuthentication(RuntimeKind kind) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(Proxy.Type.SOCKS5, Fault.NONE, "alice", "s3cret"));
        ProxyConnectException e = failed(
                kind, proxy, proxy.proxy(), null, Reason.AUTHENTICATION_REQUIRED, -1, ProxyConnectException.class);
        assertThat(e.getMessage()).contains("accepts none of the authentication methods offered");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void rejectedSocks5CredentialsRequireAuthentication(RuntimeKind kind) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(Proxy.Type.SOCKS5, Fault.NONE, "alice", "s3cret"));
        Proxy wrong = proxy.proxy().withCredentials("alice", "wrong-password");
        ProxyConnectException e =
                failed(kind, proxy, wrong, null, Reason.AUTHENTICATION_REQUIRED, 1, ProxyConnectException.class);
        assertThat(e.getMessage())
                .contains("rejected the username/password of user alice")
                .contains("socks5://alice@127.0.0.1:")
                .doesNotContain("wrong-password");
    }

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void aProxyClosingMidHandshakeIsAProtocolFailure(RuntimeKind kind, Proxy.Type type) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(type, Fault.CLOSE_MID_HANDSHAKE));
        ProxyConnectException e =
                failed(kind, proxy, proxy.proxy(), null, Reason.PROTOCOL, -1, ProxyConnectException.class, false);
        assertThat(e.getMessage()).contains("the proxy closed the connection during the");
    }

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void anAnswerInAnotherProtocolIsAProtocolFailure(RuntimeKind kind, Proxy.Type type) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(type, Fault.GARBAGE));
        ProxyConnectException e =
                failed(kind, proxy, proxy.proxy(), null, Reason.PROTOCOL, -1, ProxyConnectException.class);
        assertThat(e.getMessage()).containsAnyOf("is not HTTP: \"SSH-2.0", "is not SOCKS");
    }

    @ParameterizedTest
    @MethodSource("kindsAndTypes")
    void aSilentProxyTimesOut(RuntimeKind kind, Proxy.Type type) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy proxy = track(FaultProxy.start(type, Fault.SILENT));
        Transport transport = connect(kind, proxy.port());
        Throwable failure = failureOf(
                TunnelTransports.open(kind, transport, proxy.proxy(), "localhost", target.port(), null, SHORT));
        assertThat(failure).isInstanceOf(TimedOutException.class);
        TimedOutException e = (TimedOutException) failure;
        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.CONNECT);
        assertThat(e.getMessage())
                .contains("opening a tunnel to localhost:" + target.port() + " through " + proxy.proxy());
        assertClosedAndNothingReached(transport, proxy, target, true);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTargetSocks4CannotCarryIsRefusedBeforeAnythingIsSent(RuntimeKind kind) throws Exception {
        FaultProxy proxy = track(FaultProxy.start(Proxy.Type.SOCKS4, Fault.NONE));
        Transport transport = connect(kind, proxy.port());
        Throwable failure =
                failureOf(TunnelTransports.open(kind, transport, proxy.proxy(), "[::1]", 80, null, TIMEOUT));
        assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv6");
        awaitTrue(() -> !transport.isOpen(), "the transport is closed");
        awaitTrue(() -> proxy.closedByClient() == 1, "the proxy saw the connection closed");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theObserverHearsTheStartAndTheOutcome(RuntimeKind kind) throws Exception {
        EchoTarget target = track(EchoTarget.start());
        FaultProxy good = track(FaultProxy.start(Proxy.Type.SOCKS5, Fault.NONE));
        FaultProxy bad = track(FaultProxy.start(Proxy.Type.SOCKS5, Fault.REFUSE_502));
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConnectObserver observer = new ConnectObserver() {
            @Override
            public void tunnelStart(Proxy proxy) {
                events.add("start " + proxy);
            }

            @Override
            public void tunnelEnd(Proxy proxy) {
                events.add("end " + proxy);
            }

            @Override
            public void tunnelFailed(Proxy proxy, Throwable error) {
                events.add("failed " + proxy + " " + error.getClass().getSimpleName());
            }
        };
        Transport t = openWith(kind, connect(kind, good.port()), good.proxy(), target.port(), observer)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        t.close();
        failureOf(openWith(kind, connect(kind, bad.port()), bad.proxy(), target.port(), observer));
        assertThat(events)
                .containsExactly(
                        "start " + good.proxy(),
                        "end " + good.proxy(),
                        "start " + bad.proxy(),
                        "failed " + bad.proxy() + " ProxyConnectException");
    }

    // ---- helpers ----

    private ProxyConnectException refused(RuntimeKind kind, Proxy.Type type, Fault fault, Reason reason, int status)
            throws Exception {
        FaultProxy proxy = track(FaultProxy.start(type, fault));
        return failed(kind, proxy, proxy.proxy(), null, reason, status, ProxyConnectException.class);
    }

    private <E extends ProxyConnectException> E failed(
            RuntimeKind kind,
            FaultProxy proxy,
            Proxy asSeen,
            String authorization,
            Reason reason,
            int status,
            Class<E> type)
            throws Exception {
        return failed(kind, proxy, asSeen, authorization, reason, status, type, true);
    }

    /** Opens a tunnel that must fail as described, and checks the transport closed and the target untouched. */
    private <E extends ProxyConnectException> E failed(
            RuntimeKind kind,
            FaultProxy proxy,
            Proxy asSeen,
            String authorization,
            Reason reason,
            int status,
            Class<E> type,
            boolean proxyWaitsForTheClose)
            throws Exception {
        EchoTarget target = track(EchoTarget.start());
        Transport transport = connect(kind, proxy.port());
        Throwable failure = failureOf(
                TunnelTransports.open(kind, transport, asSeen, "localhost", target.port(), authorization, TIMEOUT));
        assertThat(failure).isInstanceOf(type);
        E e = type.cast(failure);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.proxy()).isEqualTo(asSeen);
        assertThat(e.getMessage()).startsWith("tunnel to localhost:" + target.port() + " through " + asSeen + ": ");
        assertClosedAndNothingReached(transport, proxy, target, proxyWaitsForTheClose);
        return e;
    }

    private static void assertClosedAndNothingReached(
            Transport transport, FaultProxy proxy, EchoTarget target, boolean proxyWaitsForTheClose) {
        awaitTrue(() -> !transport.isOpen(), "the transport is closed");
        if (proxyWaitsForTheClose) {
            awaitTrue(() -> proxy.closedByClient() == 1, "the proxy saw the connection closed");
        }
        if (transport instanceof LoopTransport loop) {
            assertThat(loop.channel().pipeline().names())
                    .as("no tunnel handler left in the pipeline")
                    .noneMatch(n -> n.startsWith("aioduct-tunnel"));
        }
        assertThat(target.accepted()).as("connections that reached the target").isZero();
        assertThat(proxy.tunnels()).isZero();
    }

    private CompletionStage<Transport> open(
            RuntimeKind kind, FaultProxy proxy, Proxy asSeen, String host, int port, String authorization)
            throws Exception {
        return TunnelTransports.open(kind, connect(kind, proxy.port()), asSeen, host, port, authorization, TIMEOUT);
    }

    private CompletionStage<Transport> openWith(
            RuntimeKind kind, Transport transport, Proxy proxy, int port, ConnectObserver observer) {
        return onItsThread(kind, () -> Tunnel.open(transport, proxy, "localhost", port, null, TIMEOUT, observer));
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }
}
