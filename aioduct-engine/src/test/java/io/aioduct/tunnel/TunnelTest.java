package io.aioduct.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.TimedOutException;
import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.LocalTcpConnector;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.TcpConnector;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyConnectException.Reason;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.syntax.Credentials;
import io.aioduct.testing.LeakRecordingDetector;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.proxy.EchoTarget;
import io.aioduct.testing.proxy.FaultProxy;
import io.aioduct.testing.proxy.FaultProxy.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(300);

    private static PooledRuntime pooled;
    private static IoUringRuntime uring;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startRuntimes() {
        pooled = PooledRuntime.builder().ioThreads(1).workerThreads(1).build();
        uring = IoUringRuntime.builder().cores(1).build();
    }

    @AfterAll
    static void stopRuntimes() {
        pooled.close(Duration.ofSeconds(2));
        uring.close(Duration.ofSeconds(2));
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
        Throwable failure = failureOf(open(kind, transport, proxy.proxy(), "localhost", target.port(), null, SHORT));
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
        Throwable failure = failureOf(open(kind, transport, proxy.proxy(), "[::1]", 80, null, TIMEOUT));
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
        Throwable failure =
                failureOf(open(kind, transport, asSeen, "localhost", target.port(), authorization, TIMEOUT));
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
        return open(kind, connect(kind, proxy.port()), asSeen, host, port, authorization, TIMEOUT);
    }

    private CompletionStage<Transport> openWith(
            RuntimeKind kind, Transport transport, Proxy proxy, int port, ConnectObserver observer) {
        return onItsThread(kind, () -> Tunnel.open(transport, proxy, "localhost", port, null, TIMEOUT, observer));
    }

    /** Opens a tunnel as the engine would: on the virtual runtime, from a virtual thread. */
    static CompletionStage<Transport> open(
            RuntimeKind kind,
            Transport transport,
            Proxy proxy,
            String host,
            int port,
            String authorization,
            Duration timeout) {
        return onItsThread(
                kind, () -> Tunnel.open(transport, proxy, host, port, authorization, timeout, ConnectObserver.NONE));
    }

    private static CompletionStage<Transport> onItsThread(
            RuntimeKind kind, java.util.function.Supplier<CompletionStage<Transport>> open) {
        if (kind != RuntimeKind.VIRTUAL) {
            return open.get();
        }
        CompletableFuture<Transport> result = new CompletableFuture<>();
        Thread.ofVirtual()
                .start(() -> open.get().whenComplete((t, e) -> {
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(t);
                }));
        return result;
    }

    /** A transport connected to 127.0.0.1:{@code port} by {@code kind}'s own connector. */
    static Transport connect(RuntimeKind kind, int port) throws Exception {
        SocketConfig config = SocketConfig.builder()
                .host("127.0.0.1")
                .port(port)
                .addresses(List.of(InetAddress.getLoopbackAddress()))
                .build();
        return switch (kind) {
            case POOLED ->
                new TcpConnector(pooled).connect(config).toCompletableFuture().get(10, TimeUnit.SECONDS);
            case VIRTUAL -> new BlockingTcpConnector().connectBlocking(config);
            case IO_URING -> {
                CompletableFuture<Transport> result = new CompletableFuture<>();
                uring.spawnOn(
                        0,
                        () -> new LocalTcpConnector(uring).connect(config).whenComplete((t, e) -> {
                            if (e != null) result.completeExceptionally(e);
                            else result.complete(t);
                        }));
                yield result.get(10, TimeUnit.SECONDS);
            }
        };
    }

    static Throwable failureOf(CompletionStage<Transport> stage) throws Exception {
        try {
            Transport t = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            t.close();
            return fail("the tunnel opened, but should have failed");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Writes {@code text} through the tunnel and reads {@code expected} bytes back. */
    static String exchange(Transport transport, String text, int expected) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (transport instanceof BlockingTransport b) {
            b.output().write(bytes);
            b.output().flush();
            InputStream in = b.input();
            byte[] got = new byte[expected];
            int n = 0;
            b.readTimeoutMillis(10_000);
            while (n < expected) {
                int r = in.read(got, n, expected - n);
                if (r < 0) throw new IOException("closed after " + n + " bytes");
                n += r;
            }
            return new String(got, StandardCharsets.US_ASCII);
        }
        Channel ch = ((LoopTransport) transport).channel();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        ch.eventLoop()
                .submit(() -> {
                    if (ch.pipeline().get("collector") != null) ch.pipeline().remove("collector");
                    ch.pipeline().addLast("collector", new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            received.add(msg.toString(StandardCharsets.US_ASCII));
                        }
                    });
                    ch.config().setAutoRead(true);
                })
                .get(10, TimeUnit.SECONDS);
        ch.writeAndFlush(Unpooled.copiedBuffer(bytes)).sync();
        StringBuilder got = new StringBuilder();
        while (got.length() < expected) {
            String part = received.poll(10, TimeUnit.SECONDS);
            if (part == null) throw new IOException("only " + got + " came back");
            got.append(part);
        }
        return got.toString();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail("timed out waiting until " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
