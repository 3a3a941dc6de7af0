package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cookie policy end to end, on every runtime over HTTP/1.1, h2c and TLS (h2 by ALPN): what the store
 * keeps from real responses and what the server really receives. The rules themselves are unit-tested in
 * {@link InMemoryCookieStoreTest}; here the point is the wiring (the bridge on every request, blocking and
 * asynchronous, the single {@code Cookie} field on HTTP/2) and the scheme rules that need a real https.
 */
class CookieTest extends MatrixTest {

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    /** Answers requests under {@code prefix} with {@code status}, no body, and the given headers. */
    private static void route(MatrixServer site, String prefix, int status, String... headers) {
        site.route(prefix, (req, reply) -> reply.respond(status, new byte[0], headers));
    }

    /** Answers requests under {@code prefix} with 200 and the Cookie fields received, joined by " | ". */
    private static void echoCookies(MatrixServer site, String prefix) {
        site.route(
                prefix,
                (req, reply) -> reply.respond(
                        200, String.join(" | ", req.headers("cookie")).getBytes(StandardCharsets.UTF_8)));
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, CookieStore store) {
        return AioductClient.builder(engine(kind, protocol.config()))
                .cookieStore(store)
                .build();
    }

    private static String get(AioductClient client, String url) {
        try (Response r = client.get(url).execute()) {
            return r.body().string();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cookiesAResponseSetsGoBackInOneCookieField(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 204, "Set-Cookie", "session=s1; Path=/; HttpOnly", "Set-Cookie", "theme=dark");
        echoCookies(site, "/home");
        AioductClient client = client(kind, protocol, CookieStore.inMemory());

        try (Response r = client.get(site.uri("/login")).execute()) {
            assertThat(r.version()).isEqualTo(protocol.version());
        }
        assertThat(get(client, site.uri("/home")))
                .as("one Cookie field, also on HTTP/2 (RFC 9113 allows splitting it; the engine does not)")
                .isEqualTo("session=s1; theme=dark");
        assertThat(client.get(site.uri("/home")).send().join().body().string())
                .as("asynchronous calls pass the bridge too")
                .isEqualTo("session=s1; theme=dark");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void withoutAStoreNoCookieIsKeptOrSent(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 204, "Set-Cookie", "session=s1");
        echoCookies(site, "/home");
        AioductClient client =
                AioductClient.builder(engine(kind, protocol.config())).build();

        get(client, site.uri("/login"));
        assertThat(get(client, site.uri("/home"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theCallersCookieHeaderIsKeptAndWinsOverTheStoresOfTheSameName(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 204, "Set-Cookie", "a=stored", "Set-Cookie", "b=stored");
        echoCookies(site, "/home");
        AioductClient client = client(kind, protocol, CookieStore.inMemory());

        get(client, site.uri("/login"));
        try (Response r =
                client.get(site.uri("/home")).header("Cookie", "b=mine").execute()) {
            assertThat(r.body().string()).isEqualTo("b=mine; a=stored");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void secureCookiesAreKeptFromHttpsAndSentOverHttpsOnly(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 204, "Set-Cookie", "secret=1; Secure", "Set-Cookie", "open=1");
        echoCookies(site, "/home");
        AioductClient client = client(kind, protocol, CookieStore.inMemory());

        get(client, site.uri("/login"));
        if (protocol.tls) {
            assertThat(get(client, site.uri("/home"))).isEqualTo("secret=1; open=1");
            // The same host in cleartext: the Secure cookie stays home.
            MatrixServer plain = serve(Protocol.HTTP11);
            echoCookies(plain, "/home");
            String cleartext = plain.uri("/home").replace("127.0.0.1", "localhost");
            assertThat(get(client, cleartext)).isEqualTo("open=1");
        } else {
            assertThat(get(client, site.uri("/home")))
                    .as("a non-secure origin may not set a Secure cookie")
                    .isEqualTo("open=1");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cookiesExpireOnTheStoresClockAndAPastExpiryDeletes(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 204, "Set-Cookie", "short=1; Max-Age=60", "Set-Cookie", "long=1; Max-Age=3600");
        route(site, "/logout", 204, "Set-Cookie", "long=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        echoCookies(site, "/home");
        InMemoryCookieStoreTest.ManualClock clock =
                new InMemoryCookieStoreTest.ManualClock(Instant.parse("2026-01-10T12:00:00Z"));
        AioductClient client = client(kind, protocol, CookieStore.inMemory(clock));

        get(client, site.uri("/login"));
        assertThat(get(client, site.uri("/home"))).isEqualTo("short=1; long=1");
        clock.advance(Duration.ofSeconds(61));
        assertThat(get(client, site.uri("/home"))).isEqualTo("long=1");
        get(client, site.uri("/logout"));
        assertThat(get(client, site.uri("/home"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aRedirectResponsesCookiesAreKeptAndTheNextHopCarriesThem(RuntimeKind kind, Protocol protocol) {
        MatrixServer site = serve(protocol);
        route(site, "/login", 302, "Location", "/app/home", "Set-Cookie", "session=s1; Path=/app");
        echoCookies(site, "/app/home");
        List<String> seenByNetwork = new CopyOnWriteArrayList<>();
        AioductClient client = AioductClient.builder(engine(kind, protocol.config()))
                .cookieStore(CookieStore.inMemory())
                .networkInterceptor(chain -> {
                    seenByNetwork.add(String.valueOf(chain.request().headers().first("Cookie")));
                    return chain.proceed(chain.request());
                })
                .build();

        // The redirect policy follows the hop; the cookie bridge runs on it, so it carries the new cookie.
        assertThat(get(client, site.uri("/login"))).isEqualTo("session=s1");
        assertThat(seenByNetwork).containsExactly("null", "session=s1");
    }
}
