package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which redirects {@link FollowRedirects} follows, and what the next request carries. */
class FollowRedirectsTest {

    private static Response redirect(Request sent, int status, String location) {
        HttpHeaders headers = location == null ? HttpHeaders.empty() : HttpHeaders.of("Location", location);
        return Response.builder(sent, status).headers(headers).build();
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
        "301, PUT, PUT",
        "302, DELETE, DELETE"
    })
    void theMethodAfterARedirect(int status, String method, String expected) {
        Request sent = Request.builder(method, "http://a.example/old").build();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, status, "/new"))
                        .method())
                .isEqualTo(expected);
    }

    @Test
    void aRedirectToGetDropsTheBodyAndItsHeaders() {
        Request next = FollowRedirects.redirectFor(
                post("http://a.example/form"), redirect(post("http://a.example/form"), 303, "/done"));
        assertThat(next.body()).isNull();
        assertThat(next.headers().contains("Content-Type")).isFalse();
        assertThat(next.headers().first("X-Trace")).isEqualTo("t1");
        assertThat(next.uri().toString()).isEqualTo("http://a.example/done");
    }

    @ParameterizedTest
    @CsvSource({"307", "308"})
    void temporaryAndPermanentRedirectsRepeatTheMethodAndBody(int status) {
        Request sent = post("http://a.example/upload");
        Request next = FollowRedirects.redirectFor(sent, redirect(sent, status, "http://a.example/v2/upload"));
        assertThat(next.method()).isEqualTo("POST");
        assertThat(next.body()).isSameAs(sent.body());
        assertThat(next.headers().first("Content-Type")).isEqualTo("text/plain");
    }

    @Test
    void aBodyThatCannotBeResentIsNotRedirected() {
        Request sent = Request.builder("PUT", "http://a.example/upload")
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[3]), 3))
                .build();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 307, "/elsewhere")))
                .isNull();
    }

    @Test
    void credentialsStayWithTheirOrigin() {
        Request sent = post("http://a.example/x");
        Request sameOrigin = FollowRedirects.redirectFor(sent, redirect(sent, 307, "/y"));
        assertThat(sameOrigin.headers().first("Authorization")).isEqualTo("Bearer secret");
        assertThat(sameOrigin.headers().first("Cookie")).isEqualTo("a=1");
        Request otherOrigin = FollowRedirects.redirectFor(sent, redirect(sent, 307, "http://b.example/y"));
        assertThat(otherOrigin.headers().contains("Authorization")).isFalse();
        assertThat(otherOrigin.headers().contains("Cookie")).isFalse();
        assertThat(otherOrigin.headers().first("X-Trace")).isEqualTo("t1");
        Request otherPort = FollowRedirects.redirectFor(sent, redirect(sent, 307, "http://a.example:8080/y"));
        assertThat(otherPort.headers().contains("Authorization")).isFalse();
    }

    @Test
    void httpsIsNeverRedirectedToPlainHttp() {
        Request sent = Request.builder("GET", "https://a.example/").build();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, "http://a.example/")))
                .isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, "https://b.example/")))
                .isNotNull();
    }

    @Test
    void onlyRedirectsWithAUsableLocationAreFollowed() {
        Request sent = Request.builder("GET", "http://a.example/dir/page").build();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 200, "/x"))).isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 304, "/x"))).isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, null))).isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, "ftp://a.example/f")))
                .isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, "not a uri")))
                .isNull();
        assertThat(FollowRedirects.redirectFor(sent, redirect(sent, 302, "other?q=1"))
                        .uri()
                        .toString())
                .isEqualTo("http://a.example/dir/other?q=1");
    }

    @Test
    void perRequestTimeoutsCarryOver() {
        Request sent = Request.builder("GET", "http://a.example/")
                .readTimeout(Duration.ofSeconds(3))
                .totalTimeout(Duration.ofSeconds(9))
                .build();
        Request next = FollowRedirects.redirectFor(sent, redirect(sent, 302, "/b"));
        assertThat(next.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(next.totalTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(next.connectTimeout()).isNull();
    }
}
