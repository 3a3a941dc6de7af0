package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Request;
import io.aioduct.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Digest answers checked against RFC 7616's worked example (3.9.1) and its rules. */
class DigestAuthenticatorTest {
    private static final String RFC_REALM = "http-auth@example.org";
    private static final String RFC_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String RFC_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
    private static final String RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    private final DigestAuthenticator mufasa = new DigestAuthenticator("Mufasa", "Circle of Life", () -> RFC_CNONCE);

    private static Response challenge(String... wwwAuthenticate) {
        Request request =
                Request.builder("GET", "http://www.example.org/dir/index.html").build();
        Response.Builder b = Response.builder(request, 401);
        for (String v : wwwAuthenticate) b.header("WWW-Authenticate", v);
        return b.build();
    }

    private static String rfcChallenge(String algorithm) {
        return "Digest realm=\"" + RFC_REALM + "\", qop=\"auth, auth-int\", algorithm=" + algorithm + ", nonce=\""
                + RFC_NONCE + "\", opaque=\"" + RFC_OPAQUE + "\"";
    }

    /** The answer's Authorization field, parsed back (it has the auth-param syntax of a challenge). */
    private static Challenge answer(Authenticator a, Response challenge) {
        Request answer = a.authenticate(challenge, Challenge.of(challenge));
        assertThat(answer).as("an answer").isNotNull();
        String field = answer.headers().first("Authorization");
        assertThat(field).startsWith("Digest ");
        return Challenge.parse(field).get(0);
    }

    @Test
    void theRfc7616ExampleWithSha256() {
        Challenge a = answer(mufasa, challenge(rfcChallenge("SHA-256")));
        assertThat(a.parameter("response"))
                .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
        assertThat(a.parameter("username")).isEqualTo("Mufasa");
        assertThat(a.parameter("realm")).isEqualTo(RFC_REALM);
        assertThat(a.parameter("uri")).isEqualTo("/dir/index.html");
        assertThat(a.parameter("algorithm")).isEqualTo("SHA-256");
        assertThat(a.parameter("nonce")).isEqualTo(RFC_NONCE);
        assertThat(a.parameter("nc")).isEqualTo("00000001");
        assertThat(a.parameter("cnonce")).isEqualTo(RFC_CNONCE);
        assertThat(a.parameter("qop")).isEqualTo("auth");
        assertThat(a.parameter("opaque")).isEqualTo(RFC_OPAQUE);
        assertThat(a.parameter("userhash")).isNull();
    }

    @Test
    void theRfc7616ExampleWithMd5() {
        Challenge a = answer(mufasa, challenge(rfcChallenge("MD5")));
        assertThat(a.parameter("response")).isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
        assertThat(a.parameter("algorithm")).isEqualTo("MD5");
    }

    @Test
    void sha256IsPreferredWhenBothAreOfferedInEitherOrder() {
        assertThat(answer(mufasa, challenge(rfcChallenge("MD5"), rfcChallenge("SHA-256")))
                        .parameter("algorithm"))
                .isEqualTo("SHA-256");
        assertThat(answer(mufasa, challenge(rfcChallenge("SHA-256") + ", " + rfcChallenge("MD5")))
                        .parameter("algorithm"))
                .isEqualTo("SHA-256");
        assertThat(answer(mufasa, challenge("Basic realm=x", rfcChallenge("SHA-512-256"), rfcChallenge("SHA-256")))
                        .parameter("algorithm"))
                .isEqualTo("SHA-512-256");
    }

    @Test
    void theNonceCountRisesPerNonceAndRestartsWithANewOne() {
        Response c = challenge(rfcChallenge("SHA-256"));
        assertThat(answer(mufasa, c).parameter("nc")).isEqualTo("00000001");
        assertThat(answer(mufasa, c).parameter("nc")).isEqualTo("00000002");
        Response fresh = challenge(rfcChallenge("SHA-256").replace(RFC_NONCE, "another"));
        assertThat(answer(mufasa, fresh).parameter("nc")).isEqualTo("00000001");
    }

    @Test
    void sessVariantHashesTheNonceAndCnonceIntoA1() throws Exception {
        Challenge a = answer(mufasa, challenge(rfcChallenge("SHA-256-sess")));
        String ha1 = sha256(sha256("Mufasa:" + RFC_REALM + ":Circle of Life") + ":" + RFC_NONCE + ":" + RFC_CNONCE);
        String ha2 = sha256("GET:/dir/index.html");
        assertThat(a.parameter("algorithm")).isEqualTo("SHA-256-sess");
        assertThat(a.parameter("response"))
                .isEqualTo(sha256(ha1 + ":" + RFC_NONCE + ":00000001:" + RFC_CNONCE + ":auth:" + ha2));
    }

    @Test
    void userhashSendsTheHashedUserName() throws Exception {
        Challenge a = answer(mufasa, challenge(rfcChallenge("SHA-256") + ", userhash=true"));
        assertThat(a.parameter("username")).isEqualTo(sha256("Mufasa:" + RFC_REALM));
        assertThat(a.parameter("userhash")).isEqualTo("true");
        assertThat(a.parameter("response"))
                .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void aNonAsciiUserNameGoesAsAnExtendedParameter() {
        DigestAuthenticator jason = new DigestAuthenticator("J\u00e4s\u00f8n Doe", "pw", () -> "c");
        String field = jason.authenticate(
                        challenge(rfcChallenge("SHA-256")), Challenge.of(challenge(rfcChallenge("SHA-256"))))
                .headers()
                .first("Authorization");
        assertThat(field).contains("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
    }

    @Test
    void withoutQopTheRfc2069FormIsSent() throws Exception {
        Challenge a = answer(mufasa, challenge("Digest realm=\"r\", nonce=\"n\""));
        String ha1 = md5("Mufasa:r:Circle of Life");
        assertThat(a.parameter("response")).isEqualTo(md5(ha1 + ":n:" + md5("GET:/dir/index.html")));
        assertThat(a.parameters()).doesNotContainKeys("nc", "cnonce", "qop", "algorithm");
    }

    @Test
    void challengesItCannotAnswerGetNoAnswer() {
        assertThat(answerOrNull(challenge("Basic realm=x"))).isNull();
        assertThat(answerOrNull(challenge("Digest realm=x, nonce=n, qop=auth-int")))
                .isNull();
        assertThat(answerOrNull(challenge("Digest realm=x, nonce=n, algorithm=SHA-1")))
                .isNull();
        assertThat(answerOrNull(challenge("Digest realm=x"))).isNull();
        assertThat(answerOrNull(challenge())).isNull();
    }

    @Test
    void aProxyChallengeIsAnsweredInProxyAuthorization() {
        Request request = Request.builder("GET", "http://www.example.org/").build();
        Response r = Response.builder(request, 407)
                .header("Proxy-Authenticate", rfcChallenge("SHA-256"))
                .build();
        Request answer = mufasa.authenticate(r, Challenge.of(r));
        assertThat(answer.headers().first("Proxy-Authorization")).startsWith("Digest username=\"Mufasa\"");
        assertThat(answer.headers().contains("Authorization")).isFalse();
    }

    @Test
    void toStringNamesNoCredential() {
        assertThat(mufasa.toString()).doesNotContain("Mufasa").doesNotContain("Circle");
        assertThat(Authenticator.basic("Mufasa", "Circle of Life").toString())
                .doesNotContain("Mufasa")
                .doesNotContain("Circle");
    }

    private @Nullable Request answerOrNull(Response r) {
        return mufasa.authenticate(r, Challenge.of(r));
    }

    private static String sha256(String s) throws Exception {
        return hash("SHA-256", s);
    }

    private static String md5(String s) throws Exception {
        return hash("MD5", s);
    }

    private static String hash(String algorithm, String s) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
