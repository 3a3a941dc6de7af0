package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Answering 401 and 407 challenges through {@code AioductClient.Builder.authenticator}, on every runtime over
 * HTTP/1.1, h2c and TLS (h2 by ALPN): Basic and Digest against handlers that check the credentials, one
 * answer per challenge (a wrong password costs one request, never a loop), stale Digest nonces, bodies that
 * cannot be sent twice, blocking and asynchronous calls. {@link EngineTest} checks for leaks afterwards.
 */
class AuthenticationTest extends MatrixTest {
    private static final String USER = "Mufasa";
    private static final String PASSWORD = "Circle of Life";

    @FunctionalInterface
    interface Responder {
        /** The status, body and headers ({@code name, value, ...}) to answer {@code request} with. */
        Answer answer(RecordedRequest request);
    }

    record Answer(int status, String body, String... headers) {}

    /** Answers requests under {@code prefix} with what {@code responder} says. */
    private static void route(MatrixServer server, String prefix, Responder responder) {
        server.route(prefix, (req, reply) -> {
            Answer a = responder.answer(req);
            reply.respond(a.status(), a.body().getBytes(StandardCharsets.UTF_8), a.headers());
        });
    }

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    private final List<String> events = new CopyOnWriteArrayList<>();

    /** A client with {@code authenticator}, on an engine whose listener records authentication events. */
    private AioductClient client(RuntimeKind kind, Protocol protocol, Authenticator authenticator) {
        return client(kind, protocol, b -> b.authenticator(authenticator));
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Consumer<AioductClient.Builder> settings) {
        EventListener recorder = new EventListener() {
            @Override
            public void authenticationChallenge(Request request, int status, String scheme) {
                events.add(status + " " + scheme + " " + request.target() + " " + request.headers());
            }
        };
        HttpEngine engine = matrixEngine(
                kind, protocol.config().toBuilder().eventListener(recorder).build());
        AioductClient.Builder b = AioductClient.builder(engine);
        settings.accept(b);
        return b.build();
    }

    /** Sends {@code request} as a blocking call, or asynchronously and then waits for the response. */
    private static Response call(AioductClient client, Request request, boolean async) {
        return async ? client.send(request).join() : client.execute(request);
    }

    /** A Basic-protected resource: 200 for the right credentials, else a challenge. */
    private static Responder basicProtected(String realm) {
        String expected =
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return req -> expected.equals(req.header("Authorization"))
                ? new Answer(200, "welcome " + req.bodyAsString())
                : new Answer(401, "who are you?", "WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=UTF-8");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBasicChallengeIsAnsweredOnceInBlockingAndAsyncCalls(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/basic", basicProtected("test"));
        AioductClient client = client(kind, protocol, Authenticator.basic(USER, PASSWORD));
        for (boolean async : new boolean[] {false, true}) {
            Request request = client.get(server.uri("/basic")).build();
            try (Response r = call(client, request, async)) {
                assertThat(r.status()).as("async=%s", async).isEqualTo(200);
                assertThat(r.version()).isEqualTo(protocol.version());
                assertThat(r.body().string()).isEqualTo("welcome ");
            }
        }
        assertThat(server.requestCount()).isEqualTo(4);
        assertThat(events)
                .hasSize(2)
                .allSatisfy(e -> assertThat(e)
                        .startsWith("401 Basic /basic")
                        .doesNotContain(PASSWORD)
                        .doesNotContain("TXVmYXNh")); // nor the base64 of the credentials
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void noAuthenticatorByDefaultThe401IsHandedBack(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/basic", basicProtected("test"));
        AioductClient client = client(kind, protocol, b -> {});
        try (Response r = client.get(server.uri("/basic")).execute()) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body().string()).isEqualTo("who are you?");
        }
        assertThat(server.requestCount()).isEqualTo(1);
        // newBuilder keeps the authenticator of the client it starts from.
        AioductClient authenticating = client.newBuilder()
                .authenticator(Authenticator.basic(USER, PASSWORD))
                .build();
        try (Response r =
                authenticating.newBuilder().build().get(server.uri("/basic")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            r.body().string();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aWrongPasswordCostsOneRequestAndThe401IsHandedBack(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/basic", basicProtected("test"));
        route(server, "/digest", new DigestHandler("n1", false)::answer);
        AioductClient client =
                client(kind, protocol, Authenticator.basic(USER, "wrong").orElse(Authenticator.digest(USER, "wrong")));
        for (boolean async : new boolean[] {false, true}) {
            for (String path : List.of("/basic", "/digest")) {
                int before = server.requestCount();
                try (Response r = call(client, client.get(server.uri(path)).build(), async)) {
                    assertThat(r.status()).as("%s async=%s", path, async).isEqualTo(401);
                    r.body().string();
                }
                assertThat(server.requestCount() - before)
                        .as("requests for %s", path)
                        .isEqualTo(2);
            }
        }
        assertThat(events).hasSize(4).noneMatch(e -> e.contains("wrong"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void digestIsAnsweredWithSha256AndVerifiedByTheServer(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        DigestHandler digest = new DigestHandler("n1", false);
        route(server, "/digest", digest::answer);
        AioductClient client = client(kind, protocol, Authenticator.digest(USER, PASSWORD));
        for (boolean async : new boolean[] {false, true}) {
            Request request = client.post(server.uri("/digest/x?y=1"))
                    .body(RequestBody.ofString("body " + async))
                    .build();
            try (Response r = call(client, request, async)) {
                assertThat(r.status()).as("async=%s", async).isEqualTo(200);
                assertThat(r.body().string()).isEqualTo("digest ok body " + async);
            }
        }
        assertThat(digest.algorithms).containsExactly("SHA-256", "SHA-256");
        // The same nonce answered twice: its count went up.
        assertThat(digest.counts).containsExactly("00000001", "00000002");
        assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).startsWith("401 Digest /digest/x?y=1"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aStaleNonceIsAnsweredWithTheNewOneWithoutCountingAsARefusal(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        DigestHandler digest = new DigestHandler("n1", false);
        route(server, "/digest", digest::answer);
        AioductClient client = client(kind, protocol, Authenticator.digest(USER, PASSWORD));
        digest.staleOnce("n2");
        try (Response r = client.get(server.uri("/digest")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            r.body().string();
        }
        // No credentials, n1 (stale), n2.
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(digest.nonces).containsExactly("n1", "n2");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aServerThatCallsEveryNonceStaleIsAnsweredAFewTimesOnly(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        DigestHandler digest = new DigestHandler("n", true);
        route(server, "/digest", digest::answer);
        AioductClient client = client(kind, protocol, Authenticator.digest(USER, PASSWORD));
        try (Response r = client.get(server.uri("/digest")).send().join()) {
            assertThat(r.status()).isEqualTo(401);
            r.body().string();
        }
        // The first answer, then MAX_STALE_RETRIES answers to stale challenges.
        assertThat(server.requestCount()).isEqualTo(2 + Authenticator.MAX_STALE_RETRIES);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyThatCannotBeSentTwiceGetsThe401Back(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/basic", basicProtected("test"));
        AtomicInteger asked = new AtomicInteger();
        Authenticator basic = Authenticator.basic(USER, PASSWORD);
        AioductClient client = client(kind, protocol, (response, challenges) -> {
            asked.incrementAndGet();
            return basic.authenticate(response, challenges);
        });
        byte[] data = "one shot".getBytes(StandardCharsets.UTF_8);
        for (boolean async : new boolean[] {false, true}) {
            Request oneShot = client.post(server.uri("/basic"))
                    .body(RequestBody.ofInputStream(new ByteArrayInputStream(data), data.length))
                    .build();
            try (Response r = call(client, oneShot, async)) {
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.body().string()).isEqualTo("who are you?");
            }
        }
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(asked).hasValue(0);
        // A repeatable body is sent again, whole.
        Request replayable = client.post(server.uri("/basic"))
                .body(RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length))
                .build();
        try (Response r = client.execute(replayable)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("welcome one shot");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aProxyChallengeFromTheOriginItselfGetsNoProxyCredentials(RuntimeKind kind, Protocol protocol) {
        // A 407 is answered (once), but Proxy-Authorization goes only to a forwarding proxy: never to an origin,
        // directly or through a tunnel. The answer through a real proxy is io.aioduct.proxy.ProxyForwardingTest's.
        MatrixServer server = serve(protocol);
        List<String> seen = new CopyOnWriteArrayList<>();
        route(server, "/proxied", req -> {
            seen.add(String.valueOf(req.header("Proxy-Authorization")));
            return new Answer(407, "", "Proxy-Authenticate", "Basic realm=\"proxy\"");
        });
        AioductClient client = client(kind, protocol, Authenticator.basic("a", "b"));
        try (Response r = client.get(server.uri("/proxied")).send().join()) {
            assertThat(r.status()).isEqualTo(407);
        }
        assertThat(seen).containsExactly("null", "null");
        assertThat(events).singleElement().satisfies(e -> assertThat(e).startsWith("407 Basic /proxied"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void anAnswerAimedAtAnotherOriginFailsTheCall(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/basic", basicProtected("test"));
        Authenticator elsewhere = (response, challenges) -> Request.builder("GET", "http://other.example:1/steal")
                .basicAuth(USER, PASSWORD)
                .build();
        AioductClient client = client(kind, protocol, elsewhere);
        for (boolean async : new boolean[] {false, true}) {
            assertThatThrownBy(
                            () -> call(client, client.get(server.uri("/basic")).build(), async)
                                    .close())
                    .as("async=%s", async)
                    .isInstanceOf(async ? CompletionException.class : IllegalStateException.class)
                    .satisfies(e -> assertThat(async ? e.getCause() : e).isInstanceOf(IllegalStateException.class))
                    .hasMessageContaining("credentials go only to the origin that challenged")
                    .hasMessageNotContaining(USER)
                    .hasMessageNotContaining(PASSWORD);
        }
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /**
     * A Digest-protected resource (RFC 7616) offering MD5 and SHA-256: checks the answer's response hash with
     * the password it knows, and calls a nonce stale on request.
     */
    static final class DigestHandler {
        private final String realm = "digest@test";
        private volatile String nonce;
        private volatile String staleNext;
        private final boolean alwaysStale;
        private final AtomicInteger nonceSeq = new AtomicInteger();
        final List<String> algorithms = new CopyOnWriteArrayList<>();
        final List<String> counts = new CopyOnWriteArrayList<>();
        final List<String> nonces = new CopyOnWriteArrayList<>();

        DigestHandler(String nonce, boolean alwaysStale) {
            this.nonce = nonce;
            this.alwaysStale = alwaysStale;
        }

        /** The next answer with the current nonce says it is stale and hands out {@code fresh}. */
        void staleOnce(String fresh) {
            this.staleNext = fresh;
        }

        Answer answer(RecordedRequest req) {
            String authorization = req.header("Authorization");
            if (authorization == null) return challenge(false);
            Challenge a = Challenge.parse(authorization).get(0);
            if (!a.hasScheme("Digest") || !realm.equals(a.realm())) return challenge(false);
            String algorithm = a.parameter("algorithm");
            String jca = "SHA-256".equals(algorithm) ? "SHA-256" : "MD5";
            String ha1 = hash(jca, a.parameter("username") + ":" + realm + ":" + PASSWORD);
            String ha2 = hash(jca, req.method() + ":" + a.parameter("uri"));
            String expected = hash(
                    jca,
                    ha1 + ":" + a.parameter("nonce") + ":" + a.parameter("nc") + ":" + a.parameter("cnonce") + ":"
                            + a.parameter("qop") + ":" + ha2);
            if (!expected.equals(a.parameter("response")) || !"opaque-1".equals(a.parameter("opaque"))) {
                return challenge(false);
            }
            assertThat(a.parameter("uri")).isEqualTo(req.uri());
            nonces.add(a.parameter("nonce"));
            if (alwaysStale) {
                nonce = "n" + nonceSeq.incrementAndGet();
                return challenge(true);
            }
            if (staleNext != null && a.parameter("nonce").equals(nonce)) {
                nonce = staleNext;
                staleNext = null;
                return challenge(true);
            }
            if (!a.parameter("nonce").equals(nonce)) return challenge(false);
            algorithms.add(algorithm);
            counts.add(a.parameter("nc"));
            return new Answer(200, "digest ok " + req.bodyAsString());
        }

        private Answer challenge(boolean stale) {
            String common = "realm=\"" + realm + "\", qop=\"auth\", nonce=\"" + nonce + "\", opaque=\"opaque-1\""
                    + (stale ? ", stale=true" : "");
            return new Answer(
                    401,
                    "digest required",
                    "WWW-Authenticate",
                    "Digest " + common + ", algorithm=MD5",
                    "WWW-Authenticate",
                    "Digest " + common + ", algorithm=SHA-256");
        }

        private static String hash(String jca, String s) {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance(jca).digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
