package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing {@code Set-Cookie} leniently, as RFC 6265 section 5.2 asks of user agents. */
class SetCookieTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @Test
    void parsesNameValueAndEveryAttribute() {
        SetCookie c = SetCookie.parse(
                "id=a3fWa; Max-Age=2592000; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=Strict; "
                        + "Partitioned",
                NOW);
        assertThat(c)
                .isEqualTo(new SetCookie(
                        "id",
                        "a3fWa",
                        Duration.ofSeconds(2592000),
                        "example.com",
                        "/docs",
                        true,
                        true,
                        "Strict",
                        true));
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

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Sat, 10 Jan 2026 13:00:00 GMT", // RFC 1123
                "Saturday, 10-Jan-26 13:00:00 GMT", // RFC 850
                "Sat Jan 10 13:00:00 2026", // asctime
                "Sat Jan  10 13:00:00 2026 GMT",
                "sat, 10-jan-2026 13:00:00 UTC",
                "10 JANUARY 2026 13:00:00", // no weekday, the month in full
                "Sat, 10 Jan 2026 13:0:0 GMT", // one-digit minutes and seconds
                "Sat, 10 Jan 2026 13:00:00 +0100", // the zone is ignored: cookie dates are UTC
                "2026 Jan 10 13:00:00", // any order of the parts
            })
    void expiresIsReadWithTheRfc6265DateAlgorithm(String date) {
        assertThat(SetCookie.parse("a=1; Expires=" + date, NOW).maxAge()).isEqualTo(Duration.ofHours(1));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Sat, 10 Jan 2026", // no time
                "Sat, 10 2026 13:00:00 GMT", // no month
                "Sat, Jan 2026 13:00:00 GMT", // no day
                "Sat, 32 Jan 2026 13:00:00 GMT", // no such day
                "Sat, 31 Apr 2026 13:00:00 GMT", // no such day in April
                "Sat, 10 Jan 2026 24:00:00 GMT",
                "Sat, 10 Jan 2026 13:60:00 GMT",
                "Sat, 10 Jan 1600 13:00:00 GMT", // before 1601
                "Sat, 10 Jan 2026 130:00:00 GMT", // three-digit hour
                "tomorrow",
                "",
            })
    void anExpiresThatNamesNoDateIsIgnored(String date) {
        assertThat(SetCookie.parse("a=1; Expires=" + date, NOW).maxAge()).isNull();
    }

    @Test
    void twoDigitYearsAreFrom1970To2069() {
        assertThat(SetCookie.parse("a=1; Expires=Sun, 10 Jan 69 12:00:00 GMT", NOW)
                        .maxAge())
                .isEqualTo(Duration.between(NOW, Instant.parse("2069-01-10T12:00:00Z")));
        assertThat(SetCookie.parse("a=1; Expires=Sat, 10 Jan 70 12:00:00 GMT", NOW)
                        .maxAge())
                .as("1970 is past: expired")
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void ofAnAttributeGivenTwiceTheLastOneCounts() {
        SetCookie c = SetCookie.parse(
                "a=1; Max-Age=5; Max-Age=7; Path=/a; Path=/b; SameSite=Lax; SameSite=None; Domain=x.example; "
                        + "Domain=y.example",
                NOW);
        assertThat(c.maxAge()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.path()).isEqualTo("/b");
        assertThat(c.sameSite()).isEqualTo("None");
        assertThat(c.domain()).isEqualTo("y.example");
    }

    @Test
    void aMaxAgeThatIsNotDigitsIsIgnored() {
        assertThat(SetCookie.parse("a=1; Max-Age=+5", NOW).maxAge()).isNull();
        assertThat(SetCookie.parse("a=1; Max-Age=5s", NOW).maxAge()).isNull();
        assertThat(SetCookie.parse("a=1; Max-Age=-", NOW).maxAge()).isNull();
        assertThat(SetCookie.parse("a=1; Max-Age=3; Max-Age=x", NOW).maxAge())
                .as("an invalid later one leaves the earlier valid one")
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void attributeNamesIgnoreCaseAndFlagsTheirValue() {
        SetCookie c = SetCookie.parse("a=1; SECURE; httponly=yes; PARTITIONED", NOW);
        assertThat(c.secure()).isTrue();
        assertThat(c.httpOnly()).isTrue();
        assertThat(c.partitioned()).isTrue();
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
        assertThat(c).isEqualTo(new SetCookie("a", "1", null, null, null, false, false, null, false));
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
