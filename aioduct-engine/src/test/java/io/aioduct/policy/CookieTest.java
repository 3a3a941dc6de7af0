package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpVersion;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cookie policy end to end, on every runtime over HTTP/1.1, h2c and TLS (h2 by ALPN): what the store
 * keeps from real responses and what the server really receives. The rules themselves are unit-tested in
 * {@link InMemoryCookieStoreTest}; here the point is the wiring (the bridge on every request, blocking and
 * asynchronous, the single {@code Cookie} field on HTTP/2) and the scheme rules that need a real https.
 */
class CookieTest extends EngineTest {

    enum Protocol {
        HTTP11,
        H2C,
        TLS;

        Site start() {
            return switch (this) {
                case HTTP11 -> Site.of(TestServer.start());
                case H2C -> Site.of(H2TestServer.start());
                case TLS -> Site.of(H2TestServer.startTls(TlsMaterial.shared()));
            };
        }

        EngineConfig config() {
            return EngineConfig.builder()
                    .http2(Http2Options.DEFAULT.withPriorKnowledge(this == H2C))
                    .tls(TlsConfig.builder()
                            .trustPem(TlsMaterial.shared().caCertificatePem())
                            .build())
                    .resolver(Resolver.of(Map.of(
                            "localhost", List.of(InetAddress.getLoopbackAddress()),
                            "127.0.0.1", List.of(InetAddress.getLoopbackAddress()))))
                    .build();
        }

        HttpVersion version() {
            return this == HTTP11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_2;
        }
    }

    static Stream<Arguments> everyRuntimeAndProtocol() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : Protocol.values()) out.add(Arguments.of(kind, protocol));
        }
        return out.stream();
    }

    /** A test server of either kind, reduced to what these tests use. */
    interface Site extends AutoCloseable {
        String uri(String path);

        /** Answers requests under {@code prefix} with {@code status}, no body, and the given headers. */
        void route(String prefix, int status, String... headers);

        /** Answers requests under {@code prefix} with 200 and the Cookie fields received, joined by " | ". */
        default void echoCookies(String prefix) {
            route(prefix, -1);
        }

        RecordedRequest takeRequest();

        List<Throwable> failures();

        @Override
        void close();

        static String cookies(RecordedRequest req) {
            return String.join(" | ", req.headers("cookie"));
        }

        static Site of(TestServer server) {
            return new Site() {
                public String uri(String path) {
                    return server.uri(path);
                }

                public void route(String prefix, int status, String... headers) {
                    server.route(prefix, (req, ex) -> {
                        if (status < 0) {
                            ex.respond(200, cookies(req).getBytes(StandardCharsets.UTF_8));
                        } else {
                            ex.respond(status, new byte[0], headers);
                        }
                    });
                }

                public RecordedRequest takeRequest() {
                    return server.takeRequest();
                }

                public List<Throwable> failures() {
                    return server.failures();
                }

                public void close() {
                    server.close();
                }
            };
        }

        static Site of(H2TestServer server) {
            return new Site() {
                public String uri(String path) {
                    return server.uri(path);
                }

                public void route(String prefix, int status, String... headers) {
                    server.route(prefix, (req, ex) -> {
                        if (status < 0) {
                            ex.respond(200, cookies(req).getBytes(StandardCharsets.UTF_8));
                        } else {
                            ex.respond(status, new byte[0], headers);
                        }
                    });
                }

                public RecordedRequest takeRequest() {
                    return server.takeRequest();
                }

                public List<Throwable> failures() {
                    return server.failures();
                }

                public void close() {
                    server.close();
                }
            };
        }
    }

    private final List<Site> sites = new ArrayList<>();

    private Site serve(Protocol protocol) {
        Site s = protocol.start();
        sites.add(s);
        return s;
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, CookieStore store) {
        return AioductClient.builder(engine(kind, protocol.config()))
                .cookieStore(store)
                .build();
    }

    @AfterEach
    void closeSites() {
        List<Throwable> failures = new ArrayList<>();
        for (Site s : sites) {
            failures.addAll(s.failures());
            s.close();
        }
        sites.clear();
        assertThat(failures).as("server-side failures").isEmpty();
    }

    private static String get(AioductClient client, String url) {
        try (Response r = client.get(url).execute()) {
            return r.body().string();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cookiesAResponseSetsGoBackInOneCookieField(RuntimeKind kind, Protocol protocol) {
        Site site = serve(protocol);
        site.route("/login", 204, "Set-Cookie", "session=s1; Path=/; HttpOnly", "Set-Cookie", "theme=dark");
        site.echoCookies("/home");
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
        Site site = serve(protocol);
        site.route("/login", 204, "Set-Cookie", "session=s1");
        site.echoCookies("/home");
        AioductClient client =
                AioductClient.builder(engine(kind, protocol.config())).build();

        get(client, site.uri("/login"));
        assertThat(get(client, site.uri("/home"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void theCallersCookieHeaderIsKeptAndWinsOverTheStoresOfTheSameName(RuntimeKind kind, Protocol protocol) {
        Site site = serve(protocol);
        site.route("/login", 204, "Set-Cookie", "a=stored", "Set-Cookie", "b=stored");
        site.echoCookies("/home");
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
        Site site = serve(protocol);
        site.route("/login", 204, "Set-Cookie", "secret=1; Secure", "Set-Cookie", "open=1");
        site.echoCookies("/home");
        AioductClient client = client(kind, protocol, CookieStore.inMemory());

        get(client, site.uri("/login"));
        if (protocol == Protocol.TLS) {
            assertThat(get(client, site.uri("/home"))).isEqualTo("secret=1; open=1");
            // The same host in cleartext: the Secure cookie stays home.
            Site plain = serve(Protocol.HTTP11);
            plain.echoCookies("/home");
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
        Site site = serve(protocol);
        site.route("/login", 204, "Set-Cookie", "short=1; Max-Age=60", "Set-Cookie", "long=1; Max-Age=3600");
        site.route("/logout", 204, "Set-Cookie", "long=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        site.echoCookies("/home");
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
        Site site = serve(protocol);
        site.route("/login", 302, "Location", "/app/home", "Set-Cookie", "session=s1; Path=/app");
        site.echoCookies("/app/home");
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
