package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.event.EventListener;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Happy Eyeballs (RFC 8305) on every runtime, through the whole engine: a host resolves (by a fixed
 * {@link Resolver}) to several loopback addresses, some black-holed ({@link BlackHole}: a connect just
 * waits), refused or live. The race is proven by its outcome and the connect events, never by the clock:
 * every connect timeout here is generous except where the timeout itself is the subject.
 */
class HappyEyeballsTest extends EngineTest {
    private static final String HOST = "race.test";
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    /** Longer than {@link #GENEROUS}: only a failure can start the next attempt in time. */
    private static final Duration NEVER = Duration.ofHours(1);

    private final ConnectEvents events = new ConnectEvents();

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBlackHoledFirstAddressCostsTheDelayNotTheTimeout(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "live"));
        InetAddress live = server.address().getAddress();
        try (BlackHole hole = new BlackHole(InetAddress.getByName("127.0.0.2"), server.port())) {
            AioductClient client = client(kind, List.of(hole.address().getAddress(), live), null);

            try (Response r = client.get(uri()).execute()) {
                assertThat(r.body().string()).isEqualTo("live");
            }

            assertThat(events.lines())
                    .containsExactly(
                            "connectStart " + hole.address(),
                            "connectStart " + at(live),
                            "connectEnd " + at(live),
                            "connectFailed " + hole.address() + " ConnectAttemptAbandonedException");
            assertThat(events.failure(0).getMessage()).contains("connected first");
            // Each attempt is timed from its own start: the loser was pending for at least the stagger delay
            // before the winner even started.
            assertThat(events.nanos("connectFailed " + hole.address()))
                    .isGreaterThanOrEqualTo(SocketConfig.DEFAULT_HAPPY_EYEBALLS_DELAY.toNanos())
                    .isGreaterThan(events.nanos("connectEnd " + at(live)));
            awaitTrue(
                    () -> BlackHole.connectingTo(hole.address()) == 0, () -> "the losing attempt is still connecting");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRefusedAddressStartsTheNextAttemptAtOnce(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "live"));
        InetAddress live = server.address().getAddress();
        InetAddress refusing = InetAddress.getByName("127.0.0.3");
        // The stagger delay outlasts the connect timeout: only the refusal can have started the second attempt.
        AioductClient client = client(kind, List.of(refusing, live), NEVER);

        try (Response r = client.get(uri()).execute()) {
            assertThat(r.body().string()).isEqualTo("live");
        }

        assertThat(events.lines())
                .containsExactly(
                        "connectStart " + at(refusing),
                        "connectFailed " + at(refusing) + " ConnectException",
                        "connectStart " + at(live),
                        "connectEnd " + at(live));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFailingIpv6AddressFallsBackToIpv4(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "live"));
        InetAddress v6 = InetAddress.getByName("::1");
        InetAddress v4 = server.address().getAddress();
        // IPv6 resolved first, as a dual-stack resolver returns it: black-holed, then refused.
        try (BlackHole hole = new BlackHole(v6, server.port())) {
            AioductClient client = client(kind, List.of(v6, v4), null);
            try (Response r = client.get(uri()).execute()) {
                assertThat(r.body().string()).isEqualTo("live");
            }
            assertThat(events.lines())
                    .containsExactly(
                            "connectStart " + at(v6),
                            "connectStart " + at(v4),
                            "connectEnd " + at(v4),
                            "connectFailed " + at(v6) + " ConnectAttemptAbandonedException");
        }
        events.clear();
        AioductClient refused = client(kind, List.of(v6, v4), NEVER);
        try (Response r = refused.get(uri()).execute()) {
            assertThat(r.body().string()).isEqualTo("live");
        }
        assertThat(events.lines())
                .containsExactly(
                        "connectStart " + at(v6),
                        "connectFailed " + at(v6) + " ConnectException",
                        "connectStart " + at(v4),
                        "connectEnd " + at(v4));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void everyAddressRefusingFailsNamingThemAll(RuntimeKind kind) throws Exception {
        int port = closedPort();
        InetAddress v4 = InetAddress.getByName("127.0.0.3");
        InetAddress v6 = InetAddress.getByName("::1");
        AioductClient client = client(kind, List.of(v4, v6), null);

        assertThatThrownBy(() -> client.get("http://" + HOST + ":" + port + "/").execute())
                .isInstanceOfSatisfying(ConnectFailedException.class, e -> {
                    assertThat(e.getMessage()).contains("127.0.0.3", "0:0:0:0:0:0:0:1");
                    assertThat(e.getSuppressed()).hasSize(1);
                });
        assertThat(events.lines())
                .containsExactly(
                        "connectStart " + new InetSocketAddress(v4, port),
                        "connectFailed " + new InetSocketAddress(v4, port) + " ConnectException",
                        "connectStart " + new InetSocketAddress(v6, port),
                        "connectFailed " + new InetSocketAddress(v6, port) + " ConnectException");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void everyAddressBlackHoledTimesOutAndLeavesNoSocket(RuntimeKind kind) throws Exception {
        int port = closedPort();
        try (BlackHole a = new BlackHole(InetAddress.getByName("127.0.0.2"), port);
                BlackHole b = new BlackHole(InetAddress.getByName("127.0.0.4"), port)) {
            Duration timeout = Duration.ofMillis(500);
            // Delay zero: both attempts start at once, so both are pending when the timeout fires.
            AioductClient client = client(
                    kind,
                    EngineConfig.builder()
                            .resolver(Resolver.of(Map.of(
                                    HOST,
                                    List.of(
                                            a.address().getAddress(),
                                            b.address().getAddress()))))
                            .eventListener(events)
                            .happyEyeballsDelay(Duration.ZERO)
                            .build(),
                    c -> c.connectTimeout(timeout));

            assertThatThrownBy(() ->
                            client.get("http://" + HOST + ":" + port + "/").execute())
                    .isInstanceOfSatisfying(TimedOutException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.CONNECT);
                        assertThat(e.timeout()).isEqualTo(timeout);
                        assertThat(e.getMessage()).contains("127.0.0.2", "127.0.0.4");
                    });
            assertThat(events.lines())
                    .containsExactly(
                            "connectStart " + a.address(),
                            "connectStart " + b.address(),
                            "connectFailed " + a.address() + " TimedOutException",
                            "connectFailed " + b.address() + " TimedOutException");
            awaitTrue(
                    () -> BlackHole.connectingTo(a.address()) + BlackHole.connectingTo(b.address()) == 0,
                    () -> "a timed-out attempt's socket is still open and connecting");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theLoserThatConnectsTooIsClosed(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "live"));
        InetAddress live = server.address().getAddress();
        // Twice the same live address, all at once: both connect, one is used and the other must be closed.
        AioductClient client = client(kind, List.of(live, live), Duration.ZERO);

        try (Response r = client.get(uri()).execute()) {
            assertThat(r.body().string()).isEqualTo("live");
        }

        assertThat(events.lines())
                .containsExactly(
                        "connectStart " + at(live),
                        "connectStart " + at(live),
                        "connectEnd " + at(live),
                        "connectFailed " + at(live) + " ConnectAttemptAbandonedException");
        assertThat(server.requestCount()).isEqualTo(1);
        awaitTrue(
                () -> server.openConnections() == 1,
                () -> "accepted " + server.connectionsAccepted() + ", still open " + server.openConnections()
                        + ": the losing connection was not closed");
        assertThat(server.connectionsAccepted()).isBetween(1, 2);
    }

    /** The virtual runtime's race runs on the caller's thread: interrupting it cancels every attempt. */
    @Test
    void interruptingABlockingCallerCancelsEveryAttemptAndClosesTheirSockets() throws Exception {
        int port = closedPort();
        try (BlackHole a = new BlackHole(InetAddress.getByName("127.0.0.2"), port);
                BlackHole b = new BlackHole(InetAddress.getByName("127.0.0.4"), port)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            ConnectObserver observer = new ConnectObserver() {
                @Override
                public void connectStart(InetSocketAddress address) {
                    seen.add("connectStart " + address);
                }

                @Override
                public void connectFailed(InetSocketAddress address, Throwable error) {
                    seen.add("connectFailed " + address + " " + error.getMessage());
                }
            };
            SocketConfig config = SocketConfig.builder()
                    .host(HOST)
                    .port(port)
                    .addresses(List.of(a.address().getAddress(), b.address().getAddress()))
                    .happyEyeballsDelay(Duration.ZERO)
                    .connectTimeout(GENEROUS)
                    .observer(observer)
                    .build();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    new BlockingTcpConnector().connectBlocking(config).close();
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost", e));
                }
            });
            awaitTrue(() -> seen.size() == 2, () -> "attempts started: " + seen);

            caller.interrupt();

            assertThat(thrown.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("interrupted");
            assertThat(seen)
                    .containsExactly(
                            "connectStart " + a.address(),
                            "connectStart " + b.address(),
                            "connectFailed " + a.address() + " interrupted while connecting to " + HOST + ":" + port,
                            "connectFailed " + b.address() + " interrupted while connecting to " + HOST + ":" + port);
            awaitTrue(
                    () -> BlackHole.connectingTo(a.address()) + BlackHole.connectingTo(b.address()) == 0,
                    () -> "a cancelled attempt's socket is still open and connecting");
        }
    }

    // ---- helpers ----

    /** A client whose resolver turns {@link #HOST} into {@code addresses}; {@code delay} null keeps the default. */
    private AioductClient client(RuntimeKind kind, List<InetAddress> addresses, Duration delay) {
        EngineConfig.Builder config = EngineConfig.builder()
                .resolver(Resolver.of(Map.of(HOST, addresses)))
                .eventListener(events);
        if (delay != null) config.happyEyeballsDelay(delay);
        return client(kind, config.build(), c -> c.connectTimeout(GENEROUS));
    }

    private String uri() {
        return "http://" + HOST + ":" + server.port() + "/";
    }

    private InetSocketAddress at(InetAddress address) {
        return new InetSocketAddress(address, server.port());
    }

    /** A port nothing listens on, on any loopback address (the kernel gave it out and it was freed). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Records the connect events, as "name address [error class]" lines, from whichever thread. */
    static final class ConnectEvents implements EventListener {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final java.util.Map<String, Long> nanos = new java.util.concurrent.ConcurrentHashMap<>();

        private volatile CompletableFuture<Void> started = new CompletableFuture<>();

        @Override
        public void connectStart(Request request, InetSocketAddress address) {
            lines.add("connectStart " + address);
            started.complete(null);
        }

        /** {@code started} completes at the next connectStart (after the line is recorded). */
        void onConnectStart(CompletableFuture<Void> started) {
            this.started = started;
        }

        @Override
        public void connectEnd(Request request, InetSocketAddress address, long nanos) {
            lines.add("connectEnd " + address);
            this.nanos.put("connectEnd " + address, nanos);
        }

        @Override
        public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
            failures.add(error);
            // Netty annotates a refusal with its own ConnectException subclass; the kind is what matters.
            String kind = error instanceof ConnectException
                    ? "ConnectException"
                    : error.getClass().getSimpleName();
            lines.add("connectFailed " + address + " " + kind);
            this.nanos.put("connectFailed " + address, nanos);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        /** The duration the event {@code "name address"} reported. */
        long nanos(String event) {
            Long n = nanos.get(event);
            assertThat(n).as("no " + event + " in " + lines).isNotNull();
            return n;
        }

        Throwable failure(int i) {
            return failures.get(i);
        }

        void clear() {
            lines.clear();
            failures.clear();
        }
    }
}
