package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Parsing {@code Set-Cookie} leniently, as RFC 6265 section 5.2 asks of user agents. */
class SetCookieTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @Test
    void parsesNameValueAndEveryAttribute() {
        SetCookie c = SetCookie.parse(
                "id=a3fWa; Max-Age=2592000; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=Strict", NOW);
        assertThat(c)
                .isEqualTo(new SetCookie(
                        "id", "a3fWa", Duration.ofSeconds(2592000), "example.com", "/docs", true, true, "Strict"));
    }

    @Test
    void expiresBecomesAMaxAgeFromNow() {
        assertThat(SetCookie.parse("a=1; Expires=Sat, 10 Jan 2026 13:00:00 GMT", NOW)
                        .maxAge())
                .isEqualTo(Duration.ofHours(1));
        assertThat(SetCookie.parse("a=1; expires=Saturday, 10-Jan-26 12:00:30 GMT", NOW)
                        .maxAge())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(SetCookie.parse("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", NOW)
                        .maxAge())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void maxAgeWinsOverExpiresWhateverTheOrder() {
        assertThat(SetCookie.parse("a=1; Max-Age=5; Expires=Sat, 10 Jan 2026 13:00:00 GMT", NOW)
                        .maxAge())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(SetCookie.parse("a=1; Expires=Sat, 10 Jan 2026 13:00:00 GMT; Max-Age=5", NOW)
                        .maxAge())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aNegativeMaxAgeExpiresAtOnce() {
        assertThat(SetCookie.parse("a=1; Max-Age=-1", NOW).maxAge()).isEqualTo(Duration.ZERO);
    }

    @Test
    void attributesThatDoNotParseAreIgnoredNotTheCookie() {
        SetCookie c = SetCookie.parse("a=1; Max-Age=soon; Expires=tomorrow; Path=relative; Domain=; Weird", NOW);
        assertThat(c).isEqualTo(new SetCookie("a", "1", null, null, null, false, false, null));
    }

    @Test
    void aHeaderWithoutANameOrEqualsSetsNothing() {
        assertThat(SetCookie.parse("justavalue", NOW)).isNull();
        assertThat(SetCookie.parse("=value", NOW)).isNull();
    }

    @Test
    void valuesKeepTheirEqualsSignsAndQuotes() {
        assertThat(SetCookie.parse("token=\"a=b==\"; Path=/", NOW).value()).isEqualTo("\"a=b==\"");
    }
}
