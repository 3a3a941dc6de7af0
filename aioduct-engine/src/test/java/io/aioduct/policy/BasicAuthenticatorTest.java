package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Request;
import io.aioduct.Response;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {
    private static final Request REQUEST =
            Request.builder("GET", "https://example.org/private").build();

    private static Response unauthorized(Request request, String challenge) {
        return Response.builder(request, 401)
                .header("WWW-Authenticate", challenge)
                .build();
    }

    @Test
    void answersABasicChallengeWithRfc7617Encoding() {
        // RFC 7617 2: Aladdin / open sesame.
        Response r = unauthorized(REQUEST, "Basic realm=\"WallyWorld\"");
        Request answer = Authenticator.basic("Aladdin", "open sesame").authenticate(r, Challenge.of(r));
        assertThat(answer.headers().first("Authorization")).isEqualTo("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assertThat(answer.uri()).isEqualTo(REQUEST.uri());
    }

    @Test
    void encodesUtf8AsRfc7617Section2Point1Shows() {
        // RFC 7617 2.1: user "test", password "123£" in UTF-8.
        Response r = unauthorized(REQUEST, "Basic realm=\"foo\", charset=\"UTF-8\"");
        Request answer = Authenticator.basic("test", "123\u00a3").authenticate(r, Challenge.of(r));
        assertThat(answer.headers().first("Authorization")).isEqualTo("Basic dGVzdDoxMjPCow==");
    }

    @Test
    void givesUpOnOtherSchemesAndOnItsOwnRefusedCredentials() {
        Authenticator basic = Authenticator.basic("Aladdin", "open sesame");
        Response digest = unauthorized(REQUEST, "Digest realm=x, nonce=y");
        assertThat(basic.authenticate(digest, Challenge.of(digest))).isNull();
        Request withThem =
                REQUEST.toBuilder().basicAuth("Aladdin", "open sesame").build();
        Response refused = unauthorized(withThem, "Basic realm=x");
        assertThat(basic.authenticate(refused, Challenge.of(refused))).isNull();
    }

    @Test
    void aUserWithAColonIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> Authenticator.basic("secret:user", "pw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("':'")
                .hasMessageNotContaining("secret");
    }

    @Test
    void orElseAndOnlyFor() {
        Authenticator basic = Authenticator.basic("a", "b");
        Authenticator digestThenBasic = Authenticator.digest("a", "b").orElse(basic);
        Response r = unauthorized(REQUEST, "Basic realm=x");
        assertThat(digestThenBasic.authenticate(r, Challenge.of(r))).isNotNull();
        assertThat(basic.onlyFor("https://example.org").authenticate(r, Challenge.of(r)))
                .isNotNull();
        assertThat(basic.onlyFor("https://example.org:8443/any/path").authenticate(r, Challenge.of(r)))
                .isNull();
        assertThat(basic.onlyFor("http://example.org").authenticate(r, Challenge.of(r)))
                .isNull();
        assertThat(Authenticator.NONE.authenticate(r, Challenge.of(r))).isNull();
    }
}
