package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import io.aioduct.policy.RedirectPolicy;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which redirects {@link Redirects} follows, and what the next request carries: the rules without a network. */
class RedirectRulesTest {
    private static final Redirects NORMAL = new Redirects(RedirectPolicy.normal(), EventListener.NONE);

    private static Response redirect(Request sent, int status, @Nullable String location) {
        HttpHeaders headers = location == null ? HttpHeaders.empty() : HttpHeaders.of("Location", location);
        return Response.builder(sent, status).headers(headers).build();
    }

    private static @Nullable Request follow(Request sent, int status, @Nullable String location) {
        return NORMAL.redirectFor(sent, redirect(sent, status, location));
    }

    private static Request post(String url) {
        return Request.builder("POST", url)
                .header("Content-Type", "text/plain")
                .header("Authorization", "Bearer secret")
                .header("Cookie", "a=1")
                .header("X-Trace", "t1")
                .body(RequestBody.ofString("payload"))
                .build();
    }

    @ParameterizedTest
    @CsvSource({
        "301, POST, GET",
        "302, POST, GET",
        "303, POST, GET",
        "303, PUT, GET",
        "303, HEAD, HEAD",
        "303, GET, GET",
        "301, PUT, PUT",
        "301, PATCH, PATCH",
        "302, DELETE, DELETE",
        "307, POST, POST",
        "308, POST, POST"
    })
    void theMethodAfterARedirect(int status, String method, String expected) {
        Request sent = Request.builder(method, "http://a.example/old").build();
        assertThat(follow(sent, status, "/new").method()).isEqualTo(expected);
    }

    @Test
    void aRedirectToGetDropsTheBodyAndItsHeaders() {
        Request sent = post("http://a.example/form");
        Request next = follow(sent, 303, "/done");
        assertThat(next.body()).isNull();
        assertThat(next.headers().contains("Content-Type")).isFalse();
        assertThat(next.headers().first("X-Trace")).isEqualTo("t1");
        assertThat(next.uri().toString()).isEqualTo("http://a.example/done");
    }

    @ParameterizedTest
    @CsvSource({"301, PUT", "302, PATCH", "302, DELETE", "307, POST", "308, PUT"})
    void everyOtherRedirectRepeatsTheMethodAndBody(int status, String method) {
        Request sent = Request.builder(method, "http://a.example/upload")
                .header("Content-Type", "text/plain")
                .body(RequestBody.ofString("payload"))
                .build();
        Request next = follow(sent, status, "http://a.example/v2/upload");
        assertThat(next.method()).isEqualTo(method);
        assertThat(next.body()).isSameAs(sent.body());
        assertThat(next.headers().first("Content-Type")).isEqualTo("text/plain");
    }

    @ParameterizedTest
    @CsvSource({"301, PUT", "302, DELETE", "307, POST", "308, PUT"})
    void aBodyThatCannotBeResentIsNotRedirected(int status, String method) {
        Request sent = Request.builder(method, "http://a.example/upload")
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[3]), 3))
                .build();
        assertThat(follow(sent, status, "/elsewhere")).isNull();
    }

    @Test
    void aOneShotBodyDoesNotStopARedirectToGet() {
        Request sent = Request.builder("POST", "http://a.example/upload")
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[3]), 3))
                .build();
        Request next = follow(sent, 303, "/done");
        assertThat(next.method()).isEqualTo("GET");
        assertThat(next.body()).isNull();
    }

    @Test
    void credentialsStayWithTheirOrigin() {
        Request sent = post("http://a.example/x");
        Request sameOrigin = follow(sent, 307, "/y");
        assertThat(sameOrigin.headers().first("Authorization")).isEqualTo("Bearer secret");
        assertThat(sameOrigin.headers().first("Cookie")).isEqualTo("a=1");
        Request otherOrigin = follow(sent, 307, "http://b.example/y");
        assertThat(otherOrigin.headers().contains("Authorization")).isFalse();
        assertThat(otherOrigin.headers().contains("Cookie")).isFalse();
        assertThat(otherOrigin.headers().first("X-Trace")).isEqualTo("t1");
        Request otherPort = follow(sent, 307, "http://a.example:8080/y");
        assertThat(otherPort.headers().contains("Authorization")).isFalse();
        Request otherScheme = follow(sent, 307, "https://a.example/y");
        assertThat(otherScheme.headers().contains("Authorization")).isFalse();
    }

    @Test
    void httpsIsRedirectedToPlainHttpOnlyWhenThePolicyAllowsIt() {
        Request sent = Request.builder("GET", "https://a.example/")
                .header("Referer", "https://a.example/secret")
                .build();
        assertThat(follow(sent, 302, "http://a.example/")).isNull();
        assertThat(follow(sent, 302, "https://b.example/")).isNotNull();
        Request downgraded = new Redirects(RedirectPolicy.always().withReferer(true), EventListener.NONE)
                .redirectFor(sent, redirect(sent, 302, "http://a.example/"));
        assertThat(downgraded.uri().toString()).isEqualTo("http://a.example/");
        assertThat(downgraded.headers().contains("Referer"))
                .as("no Referer from https to http")
                .isFalse();
    }

    @Test
    void theRefererNamesTheRedirectingUriWhenAskedFor() {
        Request sent = Request.builder("GET", "http://a.example/a/b?q=1#frag").build();
        assertThat(follow(sent, 302, "/c").headers().contains("Referer")).isFalse();
        Request next = new Redirects(RedirectPolicy.normal().withReferer(true), EventListener.NONE)
                .redirectFor(sent, redirect(sent, 302, "/c"));
        assertThat(next.headers().first("Referer")).isEqualTo("http://a.example/a/b?q=1");
    }

    @Test
    void onlyRedirectsWithAUsableLocationAreFollowed() {
        Request sent = Request.builder("GET", "http://a.example/dir/page").build();
        assertThat(follow(sent, 200, "/x")).isNull();
        assertThat(follow(sent, 300, "/x")).isNull();
        assertThat(follow(sent, 304, "/x")).isNull();
        assertThat(follow(sent, 302, null)).isNull();
        assertThat(follow(sent, 302, " ")).isNull();
        assertThat(follow(sent, 302, "ftp://a.example/f")).isNull();
        assertThat(follow(sent, 302, "http://user:pw@a.example/f"))
                .as("credentials in a URL")
                .isNull();
        assertThat(follow(sent, 302, "http://bad host/")).isNull();
        assertThat(follow(sent, 302, "other?q=1").uri().toString()).isEqualTo("http://a.example/dir/other?q=1");
        assertThat(follow(sent, 302, "not a uri").uri().toString()).isEqualTo("http://a.example/dir/not%20a%20uri");
    }

    @Test
    void perRequestTimeoutsAttributesAndOtherHeadersCarryOver() {
        Request sent = Request.builder("GET", "http://a.example/")
                .readTimeout(Duration.ofSeconds(3))
                .totalTimeout(Duration.ofSeconds(9))
                .uriTemplate("/{x}")
                .header("Accept", "text/plain")
                .build();
        Request next = follow(sent, 302, "/b");
        assertThat(next.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(next.totalTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(next.connectTimeout()).isNull();
        assertThat(next.attribute(Request.URI_TEMPLATE)).isEqualTo("/{x}");
        assertThat(next.headers().first("Accept")).isEqualTo("text/plain");
    }

    @Test
    void theFilterSeesTheRequestAndTheResolvedTarget() {
        Request sent = Request.builder("GET", "http://a.example/dir/page").build();
        Redirects sameHostOnly = new Redirects(
                RedirectPolicy.normal()
                        .withFilter(
                                (from, to) -> to.getHost().equals(from.origin().host())),
                EventListener.NONE);
        assertThat(sameHostOnly.redirectFor(sent, redirect(sent, 302, "x"))).isNotNull();
        assertThat(sameHostOnly.redirectFor(sent, redirect(sent, 302, "http://b.example/")))
                .isNull();
    }
}
