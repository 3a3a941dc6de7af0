package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading {@code Set-Cookie} as RFC 6265bis section 5.6 asks of user agents. */
class SetCookieTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    private static SetCookie parse(String header) {
        SetCookie c = SetCookie.parse(header, NOW);
        assertThat(c).as(header).isNotNull();
        return c;
    }

    private static Instant expiry(String header) {
        return parse(header).expiry();
    }

    @Test
    void parsesNameValueAndEveryAttribute() {
        SetCookie c = parse("id=a3fWa; Max-Age=2592000; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; "
                + "SameSite=Strict; Partitioned");
        assertThat(c)
                .isEqualTo(new SetCookie(
                        "id",
                        "a3fWa",
                        NOW.plusSeconds(2592000),
                        "example.com",
                        "/docs",
                        true,
                        true,
                        Cookie.SameSite.STRICT,
                        true));
    }

    @Test
    void expiresIsAnInstantAndOneInThePastDeletes() {
        assertThat(expiry("a=1; Expires=Sat, 10 Jan 2026 13:00:00 GMT")).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(expiry("a=1; expires=Saturday, 10-Jan-26 12:00:30 GMT")).isEqualTo(NOW.plusSeconds(30));
        assertThat(expiry("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT")).isBefore(NOW);
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
    void expiresIsReadWithTheRfcDateAlgorithm(String date) {
        assertThat(expiry("a=1; Expires=" + date)).isEqualTo(NOW.plus(Duration.ofHours(1)));
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
        assertThat(expiry("a=1; Expires=" + date)).isNull();
    }

    @Test
    void twoDigitYearsAreFrom1970To2069AndNothingLivesPast400Days() {
        assertThat(expiry("a=1; Expires=Sun, 10 Jan 69 12:00:00 GMT"))
                .as("2069, capped at 400 days")
                .isEqualTo(NOW.plus(Duration.ofDays(400)));
        assertThat(expiry("a=1; Expires=Sat, 10 Jan 70 12:00:00 GMT"))
                .as("1970 is past: expired")
                .isBefore(NOW);
    }

    @Test
    void maxAgeIsCappedAt400Days() {
        assertThat(expiry("a=1; Max-Age=99999999999999999999")).isEqualTo(NOW.plus(Duration.ofDays(400)));
        assertThat(expiry("a=1; Max-Age=34560000")).isEqualTo(NOW.plus(Duration.ofDays(400)));
        assertThat(expiry("a=1; Max-Age=34559999")).isEqualTo(NOW.plusSeconds(34559999));
    }

    @Test
    void ofAnAttributeGivenTwiceTheLastOneCounts() {
        SetCookie c = parse("a=1; Max-Age=5; Max-Age=7; Path=/a; Path=/b; SameSite=Lax; SameSite=None; "
                + "Domain=x.example; Domain=y.example");
        assertThat(c.expiry()).isEqualTo(NOW.plusSeconds(7));
        assertThat(c.path()).isEqualTo("/b");
        assertThat(c.sameSite()).isEqualTo(Cookie.SameSite.NONE);
        assertThat(c.domain()).isEqualTo("y.example");
    }

    @Test
    void aMaxAgeThatIsNotDigitsIsIgnored() {
        assertThat(expiry("a=1; Max-Age=+5")).isNull();
        assertThat(expiry("a=1; Max-Age=5s")).isNull();
        assertThat(expiry("a=1; Max-Age=-")).isNull();
        assertThat(expiry("a=1; Max-Age=3; Max-Age=x"))
                .as("an invalid later one leaves the earlier valid one")
                .isEqualTo(NOW.plusSeconds(3));
    }

    @Test
    void attributeNamesIgnoreCaseAndFlagsTheirValue() {
        SetCookie c = parse("a=1; SECURE; httponly=yes; PARTITIONED; samesite=LAX");
        assertThat(c.secure()).isTrue();
        assertThat(c.httpOnly()).isTrue();
        assertThat(c.partitioned()).isTrue();
        assertThat(c.sameSite()).isEqualTo(Cookie.SameSite.LAX);
        assertThat(parse("a=1; SameSite=Sometimes").sameSite()).isEqualTo(Cookie.SameSite.DEFAULT);
    }

    @Test
    void maxAgeWinsOverExpiresWhateverTheOrder() {
        assertThat(expiry("a=1; Max-Age=5; Expires=Sat, 10 Jan 2026 13:00:00 GMT"))
                .isEqualTo(NOW.plusSeconds(5));
        assertThat(expiry("a=1; Expires=Sat, 10 Jan 2026 13:00:00 GMT; Max-Age=5"))
                .isEqualTo(NOW.plusSeconds(5));
    }

    @Test
    void aZeroOrNegativeMaxAgeExpiresAtOnce() {
        assertThat(expiry("a=1; Max-Age=-1")).isBefore(NOW);
        assertThat(expiry("a=1; Max-Age=0")).isBefore(NOW);
    }

    @Test
    void attributesThatDoNotParseAreIgnoredNotTheCookie() {
        SetCookie c = parse("a=1; Max-Age=soon; Expires=tomorrow; Path=relative; Domain=; Weird");
        assertThat(c)
                .isEqualTo(new SetCookie("a", "1", null, null, null, false, false, Cookie.SameSite.DEFAULT, false));
    }

    @Test
    void aHeaderWithoutEqualsIsANamelessCookieAndAnEmptyOneNothing() {
        SetCookie nameless = parse("justavalue; Path=/");
        assertThat(nameless.name()).isEmpty();
        assertThat(nameless.value()).isEqualTo("justavalue");
        assertThat(parse("=value").name()).isEmpty();
        assertThat(SetCookie.parse("=", NOW)).isNull();
        assertThat(SetCookie.parse(" ; Path=/", NOW)).isNull();
    }

    @Test
    void valuesKeepTheirEqualsSignsAndQuotesAndLoseSurroundingWhitespace() {
        assertThat(parse("token=\"a=b==\"; Path=/").value()).isEqualTo("\"a=b==\"");
        assertThat(parse(" \tname = v a l \t; Path=/").value()).isEqualTo("v a l");
    }

    @Test
    void aControlCharacterDropsTheCookie() {
        assertThat(SetCookie.parse("a=1\u0000b", NOW)).isNull();
        assertThat(SetCookie.parse("a=1; Path=/\u0007", NOW)).isNull();
        assertThat(SetCookie.parse("a=1\u007F", NOW)).isNull();
        assertThat(SetCookie.parse("a=1;\tPath=/", NOW))
                .as("HTAB is whitespace")
                .isNotNull();
    }

    @Test
    void nameAndValueOver4096BytesDropTheCookieAndAnAttributeOver1024BytesOnlyTheAttribute() {
        String name = "n".repeat(2048);
        assertThat(SetCookie.parse(name + "=" + "v".repeat(2048), NOW)).isNotNull();
        assertThat(SetCookie.parse(name + "=" + "v".repeat(2049), NOW)).isNull();
        assertThat(parse("a=1; Path=/" + "p".repeat(1023)).path()).hasSize(1024);
        assertThat(parse("a=1; Path=/" + "p".repeat(1024)).path()).isNull();
        assertThat(parse("a=1; Path=/ok; Path=/" + "p".repeat(1024)).path())
                .as("an oversized attribute is ignored, the earlier one stays")
                .isEqualTo("/ok");
    }
}
