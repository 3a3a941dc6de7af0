package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.UnixSocketRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests over a Unix domain socket ({@code EngineConfig.Builder.unixSocket}) on every runtime and protocol:
 * the engine connects to the socket file (a relay in front of the ordinary test server), resolves nothing,
 * and the {@code Host} header, TLS SNI and pooling still follow the request's URI.
 */
class UnixSocketTest extends MatrixTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Fails every lookup: over a Unix socket nothing may be resolved. */
    private static final Resolver NO_DNS = host -> CompletableFuture.failedFuture(
            new AssertionError("resolved '" + host + "' although requests go over a Unix socket"));

    private UnixSocketRelay relay;

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @AfterEach
    void closeRelay() throws IOException {
        if (relay != null) {
            relay.close();
        }
    }

    private UnixSocketRelay relayTo(MatrixServer server) {
        relay = UnixSocketRelay.to(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        return relay;
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Path socket, Duration expectContinue) {
        EngineConfig config = protocol.config().toBuilder()
                .unixSocket(socket)
                .resolver(NO_DNS)
                .build();
        return AioductClient.builder(matrixEngine(kind, config))
                .responseTimeout(WAIT)
                .readTimeout(WAIT)
                .expectContinueTimeout(expectContinue)
                .build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void requestsGoOverTheSocketWithTheHostOfTheirUri(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route("/hello", (req, reply) -> reply.respond(200, "hello".getBytes(StandardCharsets.UTF_8)));
        server.route("/echo", (req, reply) -> reply.respond(200, req.body()));
        UnixSocketRelay relay = relayTo(server);
        AioductClient client = client(kind, protocol, relay.path(), Duration.ofSeconds(1));

        if (kind == RuntimeKind.VIRTUAL && protocol.tls) {
            // The JDK layers TLS over a java.net.Socket only; a UNIX channel has none: a clear refusal.
            assertThatThrownBy(() -> client.get(server.uri("/hello")).execute())
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining(relay.path().toString())
                    .hasMessageContaining("TLS over a Unix domain socket is not supported");
            assertThat(server.requestCount()).isZero();
            return;
        }
        for (int i = 0; i < 2; i++) {
            try (Response r = client.get(server.uri("/hello")).execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(protocol.version());
                assertThat(r.body().string()).isEqualTo("hello");
            }
        }
        byte[] body = "over the socket".repeat(5_000).getBytes(StandardCharsets.UTF_8);
        try (Response r =
                client.post(server.uri("/echo")).body(RequestBody.ofBytes(body)).execute()) {
            assertThat(r.body().bytes()).isEqualTo(body);
        }
        RecordedRequest first = server.takeRequest();
        URI uri = URI.create(server.uri("/hello"));
        assertThat(first.header("host")).isIn(uri.getHost() + ":" + uri.getPort(), null);
        if (!protocol.h2) {
            assertThat(first.header("host")).isEqualTo(uri.getHost() + ":" + uri.getPort());
        }
        assertThat(relay.accepted()).as("one pooled connection over the socket").isEqualTo(1);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void aMissingSocketFileFailsNamingIt(RuntimeKind kind) throws IOException {
        Path dir = Files.createTempDirectory("aioduct-uds");
        Path missing = dir.resolve("nobody-listens.sock");
        try {
            AioductClient client = client(kind, Protocol.HTTP11, missing, Duration.ofSeconds(1));
            assertThatThrownBy(() -> client.get("http://sidecar.internal/ping").execute())
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("sidecar.internal:80")
                    .hasMessageContaining(missing.toString());
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A body held for 100-continue is released by the continue wait's wake-up, a read that times out without
     * failing: over a Unix socket (no socket timeout of its own on the virtual runtime) the connection must stay
     * usable after it, and the answer still arrives on it.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void aReadThatWakesUpLeavesTheConnectionUsable(RuntimeKind kind) {
        MatrixServer server = serve(Protocol.HTTP11);
        server.routeExpectingContinue("/echo", (head, reply) -> {}, (req, reply) -> reply.respond(200, req.body()));
        UnixSocketRelay relay = relayTo(server);
        AioductClient client = client(kind, Protocol.HTTP11, relay.path(), Duration.ofMillis(150));
        byte[] body = "held for a continue that never comes".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) {
            try (Response r = client.post(server.uri("/echo"))
                    .header("Expect", "100-continue")
                    .body(RequestBody.ofBytes(body))
                    .execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().bytes()).isEqualTo(body);
            }
        }
        assertThat(relay.accepted()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RuntimeKind.class)
    void aStalledResponseTimesOutAndTheNextRequestGetsANewConnection(RuntimeKind kind) {
        MatrixServer server = serve(Protocol.HTTP11);
        server.route("/stall", (req, reply) -> reply.stall());
        server.route("/hello", (req, reply) -> reply.respond(200, "hello".getBytes(StandardCharsets.UTF_8)));
        UnixSocketRelay relay = relayTo(server);
        EngineConfig config =
                Protocol.HTTP11.config().toBuilder().unixSocket(relay.path()).build();
        AioductClient client = AioductClient.builder(matrixEngine(kind, config))
                .responseTimeout(Duration.ofMillis(300))
                .build();

        assertThatThrownBy(() -> client.get(server.uri("/stall")).execute())
                .isInstanceOfSatisfying(
                        TimedOutException.class, e -> assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE));
        server.awaitAbandoned(1);
        awaitQuiet(client.engine());
        try (Response r = client.get(server.uri("/hello")).execute()) {
            assertThat(r.body().string()).isEqualTo("hello");
        }
        assertThat(relay.accepted()).isEqualTo(2);
    }
}
