package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.syntax.UrlParser;
import io.aioduct.syntax.UrlParser.ParsedUrl;
import java.net.URI;
import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Absolute URLs into origin and request target, directly and through {@link Request#builder}. */
class UrlParserTest {

    private static ParsedUrl parse(String url) {
        return UrlParser.parse(url);
    }

    // ---- accepted forms ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://example.com/a/b?c=d      | http  | example.com | 80   | /a/b?c=d
            https://example.com/            | https | example.com | 443  | /
            http://example.com              | http  | example.com | 80   | /
            http://example.com:8080/x       | http  | example.com | 8080 | /x
            https://example.com:80/x        | https | example.com | 80   | /x
            HTTP://EXAMPLE.COM/Path         | http  | example.com | 80   | /Path
            HtTpS://Example.Com:8443        | https | example.com | 8443 | /
            http://h?x=1                    | http  | h           | 80   | /?x=1
            http://h/p?                     | http  | h           | 80   | /p?
            http://h?                       | http  | h           | 80   | /?
            http://h/p#frag                 | http  | h           | 80   | /p
            http://h#frag                   | http  | h           | 80   | /
            http://h/p?q=1#frag             | http  | h           | 80   | /p?q=1
            http://h/p#frag with spaces     | http  | h           | 80   | /p
            http://h/a%20b%2Fc              | http  | h           | 80   | /a%20b%2Fc
            http://h/a/b?x=http://y@z/&k=(v)| http  | h           | 80   | /a/b?x=http://y@z/&k=(v)
            http://127.0.0.1:65535/         | http  | 127.0.0.1   | 65535| /
            http://my_host-1.local~/        | http  | my_host-1.local~ | 80 | /
            http://h:1/                     | http  | h           | 1    | /
            http://h:00080/                 | http  | h           | 80   | /
            """)
    void acceptsAndNormalises(String url, String scheme, String host, int port, String target) {
        ParsedUrl p = parse(url);

        assertThat(p.origin()).isEqualTo(new Origin(scheme, host, port));
        assertThat(p.origin().scheme()).isEqualTo(scheme);
        assertThat(p.origin().host()).isEqualTo(host);
        assertThat(p.origin().port()).isEqualTo(port);
        assertThat(p.target()).isEqualTo(target);
    }

    @Test
    void pathCaseIsKeptWhileSchemeAndHostAreLowered() {
        Request r =
                Request.builder("GET", "HTTPS://WWW.Example.COM/Some/PATH?Q=V").build();

        assertThat(r.origin().scheme()).isEqualTo("https");
        assertThat(r.origin().host()).isEqualTo("www.example.com");
        assertThat(r.target()).isEqualTo("/Some/PATH?Q=V");
        assertThat(r.uri()).isEqualTo(URI.create("https://www.example.com/Some/PATH?Q=V"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://[::1]/x                  | ::1           | 80   | [::1]
            http://[::1]:8080/x             | ::1           | 8080 | [::1]:8080
            https://[2001:DB8::A]/          | 2001:db8::a   | 443  | [2001:db8::a]
            http://[::ffff:192.0.2.1]:81/   | ::ffff:192.0.2.1 | 81 | [::ffff:192.0.2.1]:81
            http://[::1]?q                  | ::1           | 80   | [::1]
            """)
    void acceptsIpv6LiteralsWithAndWithoutPort(String url, String host, int port, String hostHeader) {
        ParsedUrl p = parse(url);

        assertThat(p.origin().host()).as("held without brackets, lower case").isEqualTo(host);
        assertThat(p.origin().port()).isEqualTo(port);
        assertThat(p.origin().hostHeader()).isEqualTo(hostHeader);
    }

    // ---- rejected forms ----

    @ParameterizedTest
    @ValueSource(strings = {"example.com/x", "//example.com/x", "://example.com/", "http:/example.com", "/relative"})
    void rejectsAUrlWithoutScheme(String url) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no scheme")
                .hasMessageContaining("http://");
    }

    @Test
    void rejectsNullAndEmpty() {
        assertThatThrownBy(() -> parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("URL is null");
        assertThatThrownBy(() -> parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("URL is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/file", "ws://example.com/", "file:///etc/passwd", "httpx://h/"})
    void rejectsAnUnsupportedScheme(String url) {
        String scheme = url.substring(0, url.indexOf("://"));

        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported scheme '" + scheme + "'")
                .hasMessageContaining("only http and https");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http:///path", "http://", "http://:8080/", "https://?q=1", "http://#f"})
    void rejectsAnEmptyHost(String url) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty host");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://h:abc/      | port 'abc' is not a number
            http://h:8o/       | port '8o' is not a number
            http://h:-1/       | port '-1' is not a number
            http://h:+80/      | port '+80' is not a number
            http://h:80:81/    | port '80:81' is not a number
            http://h:0/        | port 0 is not in 1..65535
            http://h:65536/    | port 65536 is not in 1..65535
            http://h:99999/    | port 99999 is not in 1..65535
            http://h:123456/   | port '123456' is not in 1..65535
            http://h:/         | empty port after ':'
            http://h:          | empty port after ':'
            http://h:?x        | empty port after ':'
            http://[::1]:/     | empty port after ':'
            http://[::1]:0/    | port 0 is not in 1..65535
            """)
    void rejectsABadPortNamingIt(String url, String problem) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://u:p@h/", "http://user@h/", "https://@h/", "http://u:p@h:8080?x", "http://a@b@h/"})
    void rejectsUserInfo(String url) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user info")
                .hasMessageContaining("Authorization header");
    }

    @Test
    void anAtSignAfterTheHostIsNotUserInfo() {
        assertThat(parse("http://h/users/@me?by=a@b").target()).isEqualTo("/users/@me?by=a@b");
        assertThat(parse("http://h#x@y").origin().host()).isEqualTo("h");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
            http://h/a b           ; space ; 10
            http://h/p?q=a b       ; space ; 14
            http://h/p?q=<x>       ; '<'   ; 13
            http://h/p?q=a|b       ; '|'   ; 14
            http://h/a\\b          ; '\\'  ; 10
            http://h/{x}           ; '{'   ; 9
            http://h/p?q=a}b       ; '}'   ; 14
            http://h/p?q=[1]       ; '['   ; 13
            http://h/a^b           ; '^'   ; 10
            http://h/a`b           ; '`'   ; 10
            """)
    void rejectsAnIllegalCharacterInPathOrQueryNamingItAndItsIndex(String url, String what, int index) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal character " + what + " at index " + index)
                .hasMessageContaining("percent-encode it");
    }

    @Test
    void rejectsControlAndNonAsciiCharactersInTheTarget() {
        assertThatThrownBy(() -> parse("http://h/a\tb"))
                .hasMessageContaining("illegal character control 0x09 at index 10");
        assertThatThrownBy(() -> parse("http://h/x\r\nHost: evil"))
                .hasMessageContaining("illegal character CR (0x0d) at index 10");
        assertThatThrownBy(() -> parse("http://h/caf\u00e9"))
                .hasMessageContaining("illegal character '\u00e9' (U+00E9) at index 12");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://h/%zz       | 9
            http://h/%4        | 9
            http://h/%         | 9
            http://h/a%4g      | 10
            http://h/?q=%      | 12
            http://h/?q=%2     | 12
            http://h/%%41      | 9
            http://h/%4#frag   | 9
            """)
    void rejectsAMalformedPercentEscapeNamingItsIndex(String url, int index) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed percent-escape at index " + index);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://h st/           | space
            http://h\u00e9/        | U+00E9
            http://h%41/           | '%'
            http://h\\evil.com/    | '\\'
            http://h]:80/          | ']'
            """)
    void rejectsAnIllegalCharacterInTheHost(String url, String what) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host")
                .hasMessageContaining("illegal character")
                .hasMessageContaining(what);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://[::1/x            | without a closing ']'
            http://[::1              | without a closing ']'
            http://[::1/x]           | without a closing ']'
            http://[]/               | empty IPv6 host
            http://[::g]/            | illegal character 'g'
            http://[fe80::1%25en0]/  | illegal character '%'
            http://[::1]x/           | unexpected text after the IPv6 host
            http://[::1]8080/        | unexpected text after the IPv6 host
            http://[::1]:8o/         | is not a number
            """)
    void rejectsAMalformedIpv6Host(String url, String problem) {
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://[1234]/", "http://[1.2.3.4]/", "http://[abc]/"})
    void rejectsABracketedHostThatIsNotAnIpv6Address(String url) {
        // Without a ':' the bracketed text is no IPv6 address; accepting it turns "[1234]" into the
        // plain host "1234" (a decimal IPv4 address to the resolver) and drops the brackets from Host.
        assertThatThrownBy(() -> parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IPv6");
    }

    // ---- the URI overloads ----

    @Test
    void uriOverloadTakesTheEncodedFormAndDropsTheFragment() throws URISyntaxException {
        URI uri = new URI("http", null, "Example.com", 8080, "/\u00e4 b", "q=x y", "frag");

        Request r = Request.builder("GET", uri).build();

        assertThat(r.origin()).isEqualTo(new Origin("http", "example.com", 8080));
        assertThat(r.target()).isEqualTo("/%C3%A4%20b?q=x%20y");
    }

    @Test
    void uriOverloadAcceptsIpv6() {
        Request r = Request.builder("GET", URI.create("https://[::1]:8443/p")).build();

        assertThat(r.origin()).isEqualTo(new Origin("https", "::1", 8443));
        assertThat(r.target()).isEqualTo("/p");
    }

    @Test
    void uriOverloadAppliesTheSameRules() {
        assertThatThrownBy(() -> Request.builder("GET", URI.create("ftp://h/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported scheme 'ftp'");
        assertThatThrownBy(() -> Request.builder("GET", URI.create("http://u:p@h/")))
                .hasMessageContaining("user info");
        assertThatThrownBy(() -> Request.builder("GET", URI.create("/relative/only")))
                .hasMessageContaining("no scheme");
        assertThatThrownBy(() -> Request.builder("GET", (URI) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("uri");
    }

    @Test
    void stringAndUriOverloadsAgree() {
        String url = "https://api.example.com:8443/v1/items?id=7&sort=asc";

        Request fromString = Request.builder("GET", url).build();
        Request fromUri = Request.builder("GET", URI.create(url)).build();

        assertThat(fromUri.origin()).isEqualTo(fromString.origin());
        assertThat(fromUri.target()).isEqualTo(fromString.target());
        assertThat(fromString.uri()).isEqualTo(URI.create(url));
    }

    // ---- the remembered origin ----

    @Test
    void aUrlWithTheSameSchemeAndAuthorityReusesTheOriginParsedBefore() {
        ParsedUrl first = parse("http://reuse.example:8081/a");
        ParsedUrl second = parse("http://reuse.example:8081/b?x=1");
        assertThat(second.origin()).isSameAs(first.origin());
        assertThat(second.target()).isEqualTo("/b?x=1");
        assertThat(parse("http://reuse.example:8081").origin()).isSameAs(first.origin());
        assertThat(parse("http://reuse.example:8081").target()).isEqualTo("/");
        assertThat(parse("http://reuse.example:8081?q").target()).isEqualTo("/?q");
        assertThat(parse("http://reuse.example:8081#f").target()).isEqualTo("/");
    }

    @Test
    void aUrlThatOnlyStartsLikeTheOneBeforeIsParsedInFull() {
        ParsedUrl first = parse("http://reuse.example:80/a");
        // Longer port, longer host, user info, other case: each its own origin, or its own error.
        assertThat(parse("http://reuse.example:8080/a").origin().port()).isEqualTo(8080);
        parse("http://reuse.example:80/a");
        assertThatThrownBy(() -> parse("http://reuse.example:80.b/a")).hasMessageContaining("is not a number");
        parse("http://reuse.example/a");
        assertThat(parse("http://reuse.example.b/a").origin().host()).isEqualTo("reuse.example.b");
        parse("http://reuse.example:80/a");
        assertThatThrownBy(() -> parse("http://reuse.example:80@evil/a")).hasMessageContaining("user info");
        parse("http://reuse.example:80/a");
        assertThatThrownBy(() -> parse("http://reuse.example:80 /a")).isInstanceOf(IllegalArgumentException.class);
        ParsedUrl upper = parse("HTTP://REUSE.EXAMPLE:80/a");
        assertThat(upper.origin()).isEqualTo(first.origin());
        // A bad target after a remembered authority is still rejected.
        parse("http://reuse.example:80/a");
        assertThatThrownBy(() -> parse("http://reuse.example:80/a b")).hasMessageContaining("illegal character");
    }
}
