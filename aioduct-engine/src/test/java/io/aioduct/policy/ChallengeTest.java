package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 9110 section 11 challenge parsing: lists, quoting, token68, case. */
class ChallengeTest {

    @Test
    void aSchemeWithParameters() {
        List<Challenge> cs = Challenge.parse("Basic realm=\"simple\", charset=UTF-8");
        assertThat(cs).singleElement().satisfies(c -> {
            assertThat(c.scheme()).isEqualTo("Basic");
            assertThat(c.realm()).isEqualTo("simple");
            assertThat(c.parameters()).containsExactly(Map.entry("realm", "simple"), Map.entry("charset", "UTF-8"));
            assertThat(c.token68()).isNull();
        });
    }

    @Test
    void severalChallengesInOneFieldAsInRfc9110() {
        // RFC 9110 11.6.1's example.
        List<Challenge> cs = Challenge.parse(
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).scheme()).isEqualTo("Newauth");
        assertThat(cs.get(0).parameters())
                .containsExactly(
                        Map.entry("realm", "apps"), Map.entry("type", "1"), Map.entry("title", "Login to \"apps\""));
        assertThat(cs.get(1).scheme()).isEqualTo("Basic");
        assertThat(cs.get(1).realm()).isEqualTo("simple");
    }

    @Test
    void token68AndBareSchemes() {
        List<Challenge> cs = Challenge.parse("Negotiate, Bearer abc/DEF+12==, NTLM");
        assertThat(cs).extracting(Challenge::scheme).containsExactly("Negotiate", "Bearer", "NTLM");
        assertThat(cs.get(0).token68()).isNull();
        assertThat(cs.get(0).parameters()).isEmpty();
        assertThat(cs.get(1).token68()).isEqualTo("abc/DEF+12==");
        assertThat(cs.get(2).parameters()).isEmpty();
    }

    @Test
    void schemeAndParameterNamesAreCaseInsensitive() {
        Challenge c = Challenge.parse("DIGEST REALM=\"r\", Nonce=\"n\"").get(0);
        assertThat(c.hasScheme("digest")).isTrue();
        assertThat(c.parameter("realm")).isEqualTo("r");
        assertThat(c.parameter("NONCE")).isEqualTo("n");
        assertThat(c.parameters()).containsOnlyKeys("realm", "nonce");
    }

    @Test
    void whitespaceAroundEqualsEmptyElementsAndBareBase64Values() {
        List<Challenge> cs = Challenge.parse(" ,Digest realm = \"x\" ,, nonce=abc/d==,\tqop=auth , Basic realm=y,");
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).parameters())
                .containsExactly(Map.entry("realm", "x"), Map.entry("nonce", "abc/d=="), Map.entry("qop", "auth"));
        assertThat(cs.get(1).realm()).isEqualTo("y");
    }

    @Test
    void aMalformedChallengeEndsTheFieldKeepingTheOnesBefore() {
        assertThat(Challenge.parse("Basic realm=\"a\", Digest realm=\"unterminated"))
                .extracting(Challenge::scheme)
                .containsExactly("Basic");
        assertThat(Challenge.parse("Basic realm=\"a\" junk")).isEmpty();
        assertThat(Challenge.parse("")).isEmpty();
        assertThat(Challenge.parse("=oops")).isEmpty();
    }

    @Test
    void aRepeatedParameterKeepsItsFirstValue() {
        assertThat(Challenge.parse("Basic realm=a, realm=b").get(0).realm()).isEqualTo("a");
    }

    @Test
    void everyFieldOfTheResponseAndTheRightFieldPerStatus() {
        Request request = Request.builder("GET", "http://example.org/").build();
        Response unauthorized = Response.builder(request, 401)
                .header("WWW-Authenticate", "Basic realm=a")
                .header("Proxy-Authenticate", "Basic realm=proxy")
                .header("www-authenticate", "Digest realm=b, nonce=n")
                .build();
        assertThat(Challenge.of(unauthorized)).extracting(Challenge::realm).containsExactly("a", "b");
        Response proxy = Response.builder(request, 407)
                .header("WWW-Authenticate", "Basic realm=a")
                .header("Proxy-Authenticate", "Basic realm=proxy")
                .build();
        assertThat(Challenge.of(proxy)).extracting(Challenge::realm).containsExactly("proxy");
        assertThat(Challenge.of(Response.builder(request, 200)
                        .header("WWW-Authenticate", "Basic realm=a")
                        .build()))
                .isEmpty();
        assertThat(Challenge.parse(HttpHeaders.of("X", "y"), "WWW-Authenticate"))
                .isEmpty();
    }

    @Test
    void toStringQuotesParametersBackSoTheyParseTheSame() {
        Challenge c = Challenge.parse("Basic realm=\"say \\\"hi\\\"\\\\\", charset=UTF-8")
                .get(0);
        assertThat(Challenge.parse(c.toString())).containsExactly(c);
    }
}
