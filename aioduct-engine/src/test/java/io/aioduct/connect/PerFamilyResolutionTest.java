package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.testing.DnsTestServer;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.netty.handler.codec.dns.DnsRecordType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 8305 §3 on every runtime, through the whole engine and {@link Resolver#dns()}: a {@link
 * DnsTestServer} on 127.0.0.1 answers A and AAAA separately, one of them late (held until the request is
 * over) or failing. The DNS query timeout is an hour, so an engine that waited for both answers would hang
 * until the client's timeout fails the test; nothing is asserted about the clock.
 */
class PerFamilyResolutionTest extends EngineTest {
    private static final String HOST = "dual.test";
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    /** Longer than any test: a held answer never times out while the test waits. */
    private static final Duration NEVER = Duration.ofHours(1);

    private final HappyEyeballsTest.ConnectEvents events = new HappyEyeballsTest.ConnectEvents();
    /** Completed after each test, so every held answer is finally sent. */
    private final CompletableFuture<Void> later = new CompletableFuture<>();

    private DnsTestServer dns;
    private DnsResolver resolver;

    @BeforeEach
    void startDns() throws InterruptedException {
        dns = new DnsTestServer();
        resolver = dns.resolver(NEVER);
    }

    @AfterEach
    void stopDns() {
        later.complete(null);
        resolver.close();
        dns.close();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anAaaaAnswerLaterThanTheResolutionDelayDoesNotHoldUpIpv4(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "over IPv4"));
        InetAddress v4 = server.address().getAddress();
        dns.answer(HOST, DnsRecordType.A, List.of(v4))
                .answer(HOST, DnsRecordType.AAAA, List.of(InetAddress.getLoopbackAddress()), later);

        try (Response r = dnsClient(kind).get(uri(server)).execute()) {
            assertThat(r.body().string()).isEqualTo("over IPv4");
        }

        assertThat(events.lines()).containsExactly("connectStart " + at(v4, server), "connectEnd " + at(v4, server));
        assertThat(dns.questions()).containsExactlyInAnyOrder("A " + HOST, "AAAA " + HOST);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFailedALookupIsIgnoredWhenTheAaaaOneAnswers(RuntimeKind kind) throws Exception {
        try (TestServer v6 = TestServer.start(InetAddress.getByName("::1"))) {
            v6.route("/", (req, ex) -> ex.respond(200, "over IPv6"));
            InetAddress loopback6 = v6.address().getAddress();
            dns.fail(HOST, DnsRecordType.A).answer(HOST, DnsRecordType.AAAA, List.of(loopback6));

            try (Response r = dnsClient(kind).get(uri(v6)).execute()) {
                assertThat(r.body().string()).isEqualTo("over IPv6");
            }

            assertThat(events.lines())
                    .containsExactly("connectStart " + at(loopback6, v6), "connectEnd " + at(loopback6, v6));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bothLookupsFailingNameTheHostAndBothQueries(RuntimeKind kind) {
        dns.fail(HOST, DnsRecordType.A).fail(HOST, DnsRecordType.AAAA);
        AioductClient client = dnsClient(kind);

        assertThatThrownBy(() -> client.get(uri(server)).execute())
                .isInstanceOfSatisfying(ConnectFailedException.class, e -> {
                    assertThat(e.getMessage()).contains("'" + HOST + "'", "(A)", "(AAAA)");
                    assertThat(e.getCause()).isNotNull();
                    assertThat(e.getSuppressed()).hasSize(1);
                });
        assertThat(events.lines()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anEarlyAaaaAnswerWinsOverABlackHoledAAnswerArrivingLater(RuntimeKind kind) throws Exception {
        try (TestServer v6 = TestServer.start(InetAddress.getByName("::1"));
                BlackHole hole = new BlackHole(InetAddress.getByName("127.0.0.5"), v6.port())) {
            v6.route("/", (req, ex) -> ex.respond(200, "over IPv6"));
            InetAddress loopback6 = v6.address().getAddress();
            // The A answer (the black hole) is sent once the IPv6 attempt started: it joins a running race.
            CompletableFuture<Void> ipv6Started = new CompletableFuture<>();
            events.onConnectStart(ipv6Started);
            dns.answer(HOST, DnsRecordType.AAAA, List.of(loopback6))
                    .answer(HOST, DnsRecordType.A, List.of(hole.address().getAddress()), ipv6Started);

            try (Response r = dnsClient(kind).get(uri(v6)).execute()) {
                assertThat(r.body().string()).isEqualTo("over IPv6");
            }

            List<String> lines = events.lines();
            assertThat(lines)
                    .startsWith("connectStart " + at(loopback6, v6))
                    .contains("connectEnd " + at(loopback6, v6));
            // Under load the stagger may have started the black hole too: then it lost, abandoned.
            if (lines.contains("connectStart " + at(hole.address().getAddress(), v6.port()))) {
                assertThat(lines)
                        .contains("connectFailed " + at(hole.address().getAddress(), v6.port())
                                + " ConnectAttemptAbandonedException");
            }
            assertThat(lines).doesNotContain("connectEnd " + at(hole.address().getAddress(), v6.port()));
            awaitTrue(() -> BlackHole.connectingTo(hole.address()) == 0, () -> "an attempt is still connecting");
        }
    }

    /** A connector that does not declare {@code takesLateAddresses()} waits for both answers, as before. */
    @org.junit.jupiter.api.Test
    void aConnectorThatTakesNoLateAddressesGetsEveryAddressAtOnce() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        InetAddress v4 = server.address().getAddress();
        InetAddress v6 = InetAddress.getByName("::1");
        // The A answer is sent only once the AAAA one has been handed over: a connector called on the first
        // answer would see the IPv6 address alone.
        CompletableFuture<Void> aaaaAnswered = new CompletableFuture<>();
        Resolver handingOver = new Resolver() {
            @Override
            public java.util.concurrent.CompletionStage<List<InetAddress>> resolve(String host) {
                return resolver.resolve(host);
            }

            @Override
            public void resolveEach(String host, Answers answers) {
                resolver.resolveEach(host, new Answers() {
                    @Override
                    public void addresses(List<InetAddress> found) {
                        answers.addresses(found);
                        if (found.contains(v6)) aaaaAnswered.complete(null);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        answers.failed(cause);
                    }

                    @Override
                    public void complete() {
                        answers.complete();
                    }
                });
            }
        };
        dns.answer(HOST, DnsRecordType.AAAA, List.of(v6), CompletableFuture.completedFuture(null))
                .answer(HOST, DnsRecordType.A, List.of(v4), aaaaAnswered);
        List<SocketConfig> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        BlockingTcpConnector plain = new BlockingTcpConnector();
        ConnectorSend connector = new ConnectorSend() {
            @Override
            public TransportKind kind() {
                return TransportKind.BLOCKING;
            }

            @Override
            public java.util.concurrent.CompletionStage<Transport> connect(SocketConfig config) {
                seen.add(config);
                return plain.connect(config);
            }
        };
        EngineConfig config = EngineConfig.builder()
                .resolver(handingOver)
                .addressPreference(AddressPreference.IPV4_FIRST)
                .build();
        AioductClient client = AioductClient.builder(track(new io.aioduct.engine.HttpEngineSend<>(
                        io.aioduct.runtime.virtual.VirtualThreadRuntime.create(), connector, config, true)))
                .totalTimeout(GENEROUS)
                .build();

        try (Response r = client.get(uri(server)).execute()) {
            assertThat(r.body().string()).isEqualTo("ok");
        }

        assertThat(seen).singleElement().satisfies(c -> {
            assertThat(c.addresses())
                    .extracting(InetAddress::getAddress)
                    .containsExactly(v4.getAddress(), v6.getAddress());
            assertThat(c.resolving()).isNull();
        });
    }

    // ---- helpers ----

    private AioductClient dnsClient(RuntimeKind kind) {
        EngineConfig config =
                EngineConfig.builder().resolver(resolver).eventListener(events).build();
        return client(kind, config, c -> c.connectTimeout(GENEROUS).totalTimeout(GENEROUS));
    }

    private static String uri(TestServer target) {
        return "http://" + HOST + ":" + target.port() + "/";
    }

    /** How an event names {@code address}: with the host name it was resolved from, as Netty's resolver gives it. */
    private static InetSocketAddress at(InetAddress address, TestServer target) {
        return at(address, target.port());
    }

    private static InetSocketAddress at(InetAddress address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(HOST, address.getAddress()), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
