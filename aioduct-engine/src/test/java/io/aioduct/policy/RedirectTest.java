package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client follows redirects by default ({@link RedirectPolicy#normal()}), on every runtime over every
 * protocol: the statuses, RFC 3986 resolution of the {@code Location}, the method and body rules, what a hop to
 * another origin drops, the limits, events, connection reuse and cancellation. The rules without a network are
 * in {@code io.aioduct.chain.RedirectRulesTest} and {@code LocationsTest}.
 */
class RedirectTest extends MatrixTest {
    private static final byte[] EMPTY = new byte[0];

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    static Stream<Arguments> everyRuntimeOverTls() {
        return MatrixServer.everyRuntimeAndProtocol().filter(a -> ((Protocol) a.get()[1]).tls);
    }

    static Stream<Arguments> everyRuntimeOverHttp11() {
        return MatrixServer.everyRuntimeAndProtocol().filter(a -> !((Protocol) a.get()[1]).h2);
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, Consumer<AioductClient.Builder> settings) {
        return client(kind, protocol.config(), settings);
    }

    @Override
    protected AioductClient client(RuntimeKind kind, EngineConfig config, Consumer<AioductClient.Builder> settings) {
        HttpEngine engine = matrixEngine(kind, config);
        AioductClient.Builder b = AioductClient.builder(engine);
        settings.accept(b);
        return b.build();
    }

    private static void redirect(MatrixServer server, String from, int status, String location) {
        server.route(from, (req, reply) -> reply.respond(status, EMPTY, "Location", location));
    }

    private static void ok(MatrixServer server, String path) {
        server.route(path, (req, reply) -> reply.respond(200, req.uri().getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> paths(MatrixServer server, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(server.takeRequest().uri());
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void followsEveryRedirectStatusAndTheResponseSaysWhereItEnded(RuntimeKind kind, Protocol protocol)
            throws Exception {
        MatrixServer server = serve(protocol);
        redirect(server, "/one", 301, "/two");
        redirect(server, "/two", 302, "three");
        redirect(server, "/three", 303, "./four");
        redirect(server, "/four", 307, "/five");
        redirect(server, "/five", 308, server.uri("/final"));
        ok(server, "/final");
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.get(server.uri("/one")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(protocol.version());
            assertThat(r.request().uri()).isEqualTo(URI.create(server.uri("/final")));
            assertThat(r.body().string()).isEqualTo("/final");
        }
        try (Response r = client.get(server.uri("/one")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(r.request().uri()).isEqualTo(URI.create(server.uri("/final")));
            assertThat(r.body().string()).isEqualTo("/final");
        }
        List<String> hops = List.of("/one", "/two", "/three", "/four", "/five", "/final");
        assertThat(paths(server, 6)).as("execute()").isEqualTo(hops);
        assertThat(paths(server, 6)).as("send()").isEqualTo(hops);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void relativeLocationsAreResolvedPerRfc3986(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route(
                "/dir/list",
                (req, reply) -> reply.respond(
                        302, EMPTY, "Location", req.query() == null ? "?page=2" : "../up/./x;p?q=1#frag"));
        String networkPath = server.uri("/final").substring(protocol.tls ? "https:".length() : "http:".length());
        redirect(server, "/up", 302, networkPath);
        ok(server, "/final");
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.get(server.uri("/dir/list")).execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(paths(server, 4)).containsExactly("/dir/list", "/dir/list?page=2", "/up/x;p?q=1", "/final");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aLocationWithSpacesAndNonAsciiIsEncodedAndFollowed(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        // The UTF-8 bytes as they go on the wire (the servers write header text one char per byte).
        String raw = "/caf\u00e9 au lait?q=\u00fc ber";
        redirect(server, "/a", 302, new String(raw.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        ok(server, "/caf");
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.get(server.uri("/a")).execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(paths(server, 2)).containsExactly("/a", "/caf%C3%A9%20au%20lait?q=%C3%BC%20ber");
    }

    /** {@code status, method, method after the redirect, whether the body follows}. */
    private static final Object[][] METHOD_RULES = {
        {303, "POST", "GET", false},
        {303, "PUT", "GET", false},
        {301, "POST", "GET", false},
        {302, "POST", "GET", false},
        {301, "PUT", "PUT", true},
        {302, "PATCH", "PATCH", true},
        {302, "DELETE", "DELETE", true},
        {307, "POST", "POST", true},
        {308, "PUT", "PUT", true},
    };

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theMethodAndBodyAfterEachRedirect(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            redirect(server, "/m" + status, status, "/target");
        }
        server.route("/target", (req, reply) -> reply.respond(200, req.body()));
        AioductClient client = client(kind, protocol, b -> {});

        for (Object[] rule : METHOD_RULES) {
            int status = (int) rule[0];
            String method = (String) rule[1];
            String expected = (String) rule[2];
            boolean bodyFollows = (boolean) rule[3];
            String what = status + " after " + method;
            try (Response r = client.method(method, server.uri("/m" + status))
                    .header("Content-Type", "text/plain")
                    .body(RequestBody.ofString("payload"))
                    .execute()) {
                assertThat(r.status()).as(what).isEqualTo(200);
                assertThat(r.request().method()).as(what).isEqualTo(expected);
                assertThat(r.body().string()).as(what).isEqualTo(bodyFollows ? "payload" : "");
            }
            assertThat(server.takeRequest().bodyAsString()).as(what).isEqualTo("payload");
            RecordedRequest next = server.takeRequest();
            assertThat(next.method()).as(what).isEqualTo(expected);
            assertThat(next.bodyAsString()).as(what).isEqualTo(bodyFollows ? "payload" : "");
            assertThat(next.header("Content-Type")).as(what).isEqualTo(bodyFollows ? "text/plain" : null);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void headStaysHeadOnA303(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/a", 303, "/b");
        server.route("/b", (req, reply) -> reply.respond(204, EMPTY));
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.head(server.uri("/a")).execute()) {
            assertThat(r.status()).isEqualTo(204);
        }
        server.takeRequest();
        assertThat(server.takeRequest().method()).isEqualTo("HEAD");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyThatCannotBeSentAgainGetsThe3xxBackAndNothingIsSentWithoutIt(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/m301", 301, "/target");
        redirect(server, "/m307", 307, "/target");
        ok(server, "/target");
        AioductClient client = client(kind, protocol, b -> {});

        for (String path : List.of("/m301", "/m307")) {
            byte[] payload = "one-shot".getBytes(StandardCharsets.UTF_8);
            try (Response r = client.put(server.uri(path))
                    .body(RequestBody.ofInputStream(new ByteArrayInputStream(payload), payload.length))
                    .execute()) {
                assertThat(r.status()).isEqualTo(path.equals("/m301") ? 301 : 307);
                assertThat(r.headers().first("Location")).isEqualTo("/target");
                assertThat(r.request().uri().getPath()).isEqualTo(path);
            }
            assertThat(server.takeRequest().bodyAsString()).isEqualTo("one-shot");
        }
        assertThat(server.requestCount()).as("no request went to /target").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeOverTls")
    void httpsToHttpIsHandedBackByDefaultAndFollowedWithAlways(RuntimeKind kind, Protocol protocol) {
        MatrixServer secure = serve(protocol);
        secure.route("/a", (req, reply) -> reply.respond(302, EMPTY, "Location", server.uri("/plain")));
        server.route("/plain", (req, ex) -> ex.respond(200, "plain"));
        AioductClient client = client(kind, protocol, b -> {});

        try (Response r = client.get(secure.uri("/a"))
                .header("Referer", "https://x.example/secret")
                .execute()) {
            assertThat(r.status()).isEqualTo(302);
        }
        assertThat(server.requestCount()).isZero();

        AioductClient always = client.newBuilder()
                .redirects(RedirectPolicy.always().withReferer(true))
                .build();
        try (Response r = always.get(secure.uri("/a"))
                .header("Referer", "https://x.example/secret")
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("plain");
        }
        assertThat(server.takeRequest().header("Referer"))
                .as("no Referer from https to http")
                .isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aRedirectLoopFailsAtTheLimitNamingItAndTheLocation(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/loop", 302, "/loop");
        AioductClient client = client(kind, protocol, b -> {});

        assertThatThrownBy(() -> client.get(server.uri("/loop")).execute())
                .isInstanceOf(AioductException.class)
                .hasMessageContaining("too many redirects")
                .hasMessageContaining("limit is 20")
                .hasMessageContaining(server.uri("/loop"));
        assertThat(server.requestCount()).isEqualTo(RedirectPolicy.DEFAULT_MAX_HOPS + 1);

        AioductClient two = client.newBuilder()
                .redirects(RedirectPolicy.normal().withMaxHops(2))
                .build();
        CompletableFuture<Response> async = two.get(server.uri("/loop")).send();
        assertThatThrownBy(() -> async.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(AioductException.class)
                .hasMessageContaining("limit is 2");
        assertThat(server.requestCount()).isEqualTo(RedirectPolicy.DEFAULT_MAX_HOPS + 1 + 3);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void neverHandsEveryRedirectBackAndNewBuilderKeepsThePolicy(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/a", 302, "/b");
        AioductClient client = client(kind, protocol, b -> b.redirects(RedirectPolicy.never()));
        AioductClient derived = client.newBuilder().build();
        assertThat(derived.redirects()).isSameAs(RedirectPolicy.never());

        try (Response r = derived.get(server.uri("/a")).execute()) {
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.headers().first("Location")).isEqualTo("/b");
        }
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aHopToAnotherOriginDropsTheCredentials(RuntimeKind kind, Protocol protocol) {
        MatrixServer a = serve(protocol);
        MatrixServer b = serve(protocol); // another port: another origin
        redirect(a, "/same", 302, "/start");
        redirect(a, "/start", 307, b.uri("/land"));
        ok(b, "/land");
        AioductClient client = client(kind, protocol, x -> {});

        try (Response r = client.get(a.uri("/same"))
                .header("Authorization", "Bearer secret")
                .header("Proxy-Authorization", "Basic cHJveHk6cHc=")
                .header("Cookie", "session=s1")
                .header("X-Keep", "kept")
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        a.takeRequest();
        RecordedRequest sameOrigin = a.takeRequest();
        assertThat(sameOrigin.header("Authorization")).isEqualTo("Bearer secret");
        assertThat(sameOrigin.header("Cookie")).isEqualTo("session=s1");
        RecordedRequest otherOrigin = b.takeRequest();
        assertThat(otherOrigin.header("Authorization")).isNull();
        assertThat(otherOrigin.header("Proxy-Authorization")).isNull();
        assertThat(otherOrigin.header("Cookie")).isNull();
        assertThat(otherOrigin.header("X-Keep")).isEqualTo("kept");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theFilterCanRefuseAndTheRefererIsSentWhenAskedFor(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/a", 302, "/b#frag");
        redirect(server, "/b", 302, "/blocked");
        AioductClient client = client(
                kind,
                protocol,
                x -> x.redirects(RedirectPolicy.normal()
                        .withReferer(true)
                        .withFilter((request, target) -> !target.getPath().startsWith("/blocked"))));

        try (Response r = client.get(server.uri("/a?x=1")).execute()) {
            assertThat(r.status()).as("refused by the filter").isEqualTo(302);
            assertThat(r.request().uri()).isEqualTo(URI.create(server.uri("/b")));
        }
        assertThat(server.takeRequest().header("Referer")).isNull();
        assertThat(server.takeRequest().header("Referer")).isEqualTo(server.uri("/a?x=1"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void eachHopIsReportedEvenWhenAListenerThrows(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/a", 301, "/b");
        redirect(server, "/b", 307, "/c");
        ok(server, "/c");
        List<String> heard = new CopyOnWriteArrayList<>();
        EventListener recorder = new EventListener() {
            @Override
            public void redirect(Request request, int status, URI location) {
                heard.add(request.uri().getPath() + " " + status + " " + location);
            }
        };
        EventListener broken = new EventListener() {
            @Override
            public void redirect(Request request, int status, URI location) {
                throw new IllegalStateException("a broken listener");
            }
        };
        EngineConfig config = protocol.config().toBuilder()
                .eventListener(EventListener.composite(broken, recorder))
                .build();
        AioductClient client = client(kind, config, b -> {});
        AioductClient onlyBroken =
                client(kind, protocol.config().toBuilder().eventListener(broken).build(), b -> {});

        try (Response r = client.get(server.uri("/a")).execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(heard).containsExactly("/a 301 " + server.uri("/b"), "/b 307 " + server.uri("/c"));
        try (Response r = onlyBroken.get(server.uri("/a")).execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeOverHttp11")
    void aSmallRedirectBodyIsDrainedSoTheNextHopReusesTheConnection(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route(
                "/a",
                (req, reply) -> reply.respond(
                        302,
                        "moved to /b".getBytes(StandardCharsets.UTF_8),
                        "Location",
                        "/b",
                        "Content-Type",
                        "text/plain"));
        redirect(server, "/empty", 302, "/b");
        ok(server, "/b");
        AioductClient client = client(kind, protocol, b -> {});

        for (String start : List.of("/a", "/empty")) {
            try (Response r = client.get(server.uri(start)).execute()) {
                assertThat(r.body().string()).isEqualTo("/b");
            }
            RecordedRequest first = server.takeRequest();
            RecordedRequest second = server.takeRequest();
            assertThat(second.connectionId()).as(start).isEqualTo(first.connectionId());
        }
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cancellingAnAsyncCallMidRedirectLeavesNothingInFlight(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        redirect(server, "/a", 302, "/stall");
        server.route("/stall", (req, reply) -> reply.stall());
        AioductClient client = client(kind, protocol, b -> b.totalTimeout(Duration.ZERO));

        CompletableFuture<Response> call = client.get(server.uri("/a")).send();
        awaitTrue(() -> server.requestCount() == 2, () -> "the second hop never arrived: " + server.requestCount());
        assertThat(call.cancel(false)).isTrue();
        assertThat(call).isCancelled();
        awaitQuiet(client.engine());
    }
}
