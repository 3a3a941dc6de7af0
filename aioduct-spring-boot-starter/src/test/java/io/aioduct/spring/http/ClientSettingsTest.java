package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.policy.CookieStore;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

/**
 * Spring Boot's {@link HttpClientSettings} for redirects and cookies, honoured by the factories the
 * builder makes, on every runtime.
 */
class ClientSettingsTest extends EngineTest {

    private ClientHttpRequestFactory factory(RuntimeKind kind, HttpClientSettings settings) {
        return new AioductClientHttpRequestFactoryBuilder(
                        AioductClient.builder(engine(kind)).build())
                .build(settings);
    }

    private static String get(ClientHttpRequestFactory factory, String url) throws IOException {
        try (ClientHttpResponse response =
                factory.createRequest(java.net.URI.create(url), HttpMethod.GET).execute()) {
            return response.getStatusCode().value() + " "
                    + StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void redirectsAreFollowedByDefault(RuntimeKind kind) throws Exception {
        server.route("/old", (req, ex) -> ex.respond(302, new byte[0], "Location", "/new"));
        server.route("/new", (req, ex) -> ex.respond(200, "new"));
        assertThat(get(factory(kind, HttpClientSettings.defaults()), server.uri("/old")))
                .isEqualTo("200 new");
        assertThat(server.takeRequest().path()).isEqualTo("/old");
        assertThat(server.takeRequest().path()).isEqualTo("/new");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void dontFollowHandsTheRedirectToTheCaller(RuntimeKind kind) throws Exception {
        server.route("/old", (req, ex) -> ex.respond(302, new byte[0], "Location", "/new"));
        HttpClientSettings settings = HttpClientSettings.defaults().withRedirects(HttpRedirects.DONT_FOLLOW);
        assertThat(get(factory(kind, settings), server.uri("/old"))).isEqualTo("302 ");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void springsRedirectSettingMapsOntoTheEnginePolicy() {
        RedirectPolicy custom = RedirectPolicy.normal().withMaxHops(3);
        assertThat(ClientSettings.redirects(null, custom))
                .as("unset keeps the client's")
                .isSameAs(custom);
        assertThat(ClientSettings.redirects(HttpRedirects.DONT_FOLLOW, custom)).isSameAs(RedirectPolicy.never());
        assertThat(ClientSettings.redirects(HttpRedirects.FOLLOW, custom)).isSameAs(custom);
        assertThat(ClientSettings.redirects(HttpRedirects.FOLLOW_WHEN_POSSIBLE, custom))
                .isSameAs(custom);
        assertThat(ClientSettings.redirects(HttpRedirects.FOLLOW, RedirectPolicy.never()))
                .as("an explicit FOLLOW over a client that follows none")
                .isSameAs(RedirectPolicy.normal());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTemporaryRedirectResendsARepeatableBody(RuntimeKind kind) throws Exception {
        server.route("/upload", (req, ex) -> ex.respond(307, new byte[0], "Location", "/v2/upload"));
        server.route("/v2/upload", (req, ex) -> ex.respond(201, req.body()));
        ClientHttpRequest request =
                factory(kind, HttpClientSettings.defaults()).createRequest(server.toUri("/upload"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) request).setBody(new StreamingHttpOutputMessage.Body() {
            @Override
            public void writeTo(java.io.OutputStream out) throws IOException {
                out.write("payload".getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public boolean repeatable() {
                return true;
            }
        });
        try (ClientHttpResponse response = request.execute()) {
            assertThat(response.getStatusCode().value()).isEqualTo(201);
            assertThat(StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8))
                    .isEqualTo("payload");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRedirectLoopFailsAfterTheLimit(RuntimeKind kind) {
        server.route("/loop", (req, ex) -> ex.respond(302, new byte[0], "Location", "/loop"));
        ClientHttpRequestFactory factory = factory(kind, HttpClientSettings.defaults());
        Throwable thrown = catchThrowable(() -> get(factory, server.uri("/loop")));
        assertThat(thrown).isInstanceOf(IOException.class).hasCauseInstanceOf(AioductException.class);
        assertThat(thrown.getMessage()).contains("too many redirects");
        assertThat(server.requestCount()).isEqualTo(RedirectPolicy.DEFAULT_MAX_HOPS + 1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void withCookieHandlingCookiesAreKeptAcrossRedirectsAndRequests(RuntimeKind kind) throws Exception {
        server.route(
                "/login",
                (req, ex) -> ex.respond(
                        302, new byte[0], "Location", "/home", "Set-Cookie", "session=s1; Path=/; HttpOnly"));
        server.route("/home", (req, ex) -> ex.respond(200, String.valueOf(req.header("Cookie"))));
        ClientHttpRequestFactory factory =
                factory(kind, HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE));
        assertThat(get(factory, server.uri("/login"))).isEqualTo("200 session=s1");
        assertThat(get(factory, server.uri("/home"))).isEqualTo("200 session=s1");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void withoutCookieHandlingNoCookieIsSentBack(RuntimeKind kind) throws Exception {
        server.route("/login", (req, ex) -> ex.respond(200, new byte[0], "Set-Cookie", "session=s1"));
        server.route("/home", (req, ex) -> ex.respond(200, "ok"));
        ClientHttpRequestFactory factory = factory(kind, HttpClientSettings.defaults());
        get(factory, server.uri("/login"));
        get(factory, server.uri("/home"));
        server.takeRequest();
        RecordedRequest home = server.takeRequest();
        assertThat(home.header("Cookie")).isNull();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void withoutCookieHandlingSetAClientSharesTheStoreOfTheClientItDerivesFromAndDisableDropsIt(RuntimeKind kind)
            throws Exception {
        server.route("/home", (req, ex) -> ex.respond(200, String.valueOf(req.header("Cookie"))));
        CookieStore store = CookieStore.inMemory();
        store.store(java.net.URI.create(server.uri("/")), java.util.List.of("shared=1"));
        AioductClient base =
                AioductClient.builder(engine(kind)).cookieStore(store).build();

        ClientHttpRequestFactory inheriting =
                new AioductClientHttpRequestFactoryBuilder(base).build(HttpClientSettings.defaults());
        ClientHttpRequestFactory disabled = new AioductClientHttpRequestFactoryBuilder(base)
                .build(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.DISABLE));
        ClientHttpRequestFactory own = new AioductClientHttpRequestFactoryBuilder(base)
                .build(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE));

        assertThat(get(inheriting, server.uri("/home"))).isEqualTo("200 shared=1");
        assertThat(get(disabled, server.uri("/home"))).isEqualTo("200 null");
        assertThat(get(own, server.uri("/home")))
                .as("a store of its own, empty")
                .isEqualTo("200 null");
    }
}
