package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Request.Builder#basicAuth} and {@link Request.Builder#bearerAuth}. */
class RequestAuthHeadersTest {
    private static Request.Builder get() {
        return Request.builder("GET", "https://example.org/");
    }

    @Test
    void basicAuthEncodesUserAndPasswordInUtf8() {
        assertThat(get().basicAuth("Aladdin", "open sesame").build().headers().all("Authorization"))
                .containsExactly("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assertThat(get().basicAuth("test", "123\u00a3").build().headers().first("Authorization"))
                .isEqualTo("Basic dGVzdDoxMjPCow==");
        assertThat(get().basicAuth("u", "").build().headers().first("Authorization"))
                .isEqualTo("Basic dTo=");
    }

    @Test
    void theHelpersReplaceAnEarlierAuthorization() {
        Request r = get().header("authorization", "Old x")
                .basicAuth("a", "b")
                .bearerAuth("tok")
                .build();
        assertThat(r.headers().all("Authorization")).containsExactly("Bearer tok");
    }

    @Test
    void basicAuthRefusesAColonInTheUserAndControlsWithoutQuotingThem() {
        assertThatThrownBy(() -> get().basicAuth("mallory:x", "hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RFC 7617")
                .hasMessageNotContaining("mallory")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> get().basicAuth("u", "hunter2\r\nX: y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password contains a control character at index 7")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void bearerAuthAcceptsToken68Syntax() {
        String token = "mF_9.B5f-4.1JqM~a+b/c==";
        assertThat(get().bearerAuth(token).build().headers().first("Authorization"))
                .isEqualTo("Bearer " + token);
    }

    @Test
    void bearerAuthRefusesAnythingElseWithoutQuotingIt() {
        for (String bad : new String[] {"", "sec ret", "secret\"", "=secret", "sec=ret", "s\u00e9cret", "secret\n"}) {
            assertThatThrownBy(() -> get().bearerAuth(bad))
                    .as("token %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bearer token")
                    .satisfies(e -> {
                        if (!bad.isEmpty()) assertThat(e.getMessage()).doesNotContain(bad);
                    });
        }
    }
}
