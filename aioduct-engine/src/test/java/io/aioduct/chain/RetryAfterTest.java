package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retry-After as RFC 9110 §10.2.3 and §5.6.7 define it, read against a fixed clock. */
class RetryAfterTest {
    /** Sun, 06 Nov 1994 08:49:00 GMT: 37 seconds before the example date of RFC 9110. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("1994-11-06T08:49:00Z"), ZoneOffset.UTC);

    @Test
    void deltaSecondsIsTheWait() {
        assertThat(RetryAfter.parse("120", CLOCK)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("0", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse(" 7 ", CLOCK)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("0005", CLOCK)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anEnormousDeltaIsLongerThanAnyCapRatherThanAnOverflow() {
        Duration wait = RetryAfter.parse("99999999999999999999999999", CLOCK);
        assertThat(wait).isNotNull();
        assertThat(wait).isGreaterThan(Duration.ofDays(365 * 1000));
    }

    @Test
    void imfFixdateIsMeasuredFromTheClock() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", CLOCK)).isEqualTo(Duration.ofSeconds(37));
    }

    @Test
    void obsoleteRfc850DateIsRead() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", CLOCK)).isEqualTo(Duration.ofSeconds(37));
    }

    @Test
    void rfc850YearMoreThanFiftyYearsAheadIsInThePastCentury() {
        // "Saturday, 06-Nov-60": in 1994 a year 60 reads as 2060, more than 50 years ahead, so 1960: past.
        assertThat(RetryAfter.parse("Sunday, 06-Nov-60 08:49:37 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        // ... while 40 reads as 2040 (within 50 years).
        assertThat(RetryAfter.parse("Tuesday, 06-Nov-40 08:49:37 GMT", CLOCK)).isGreaterThan(Duration.ofDays(365 * 45));
    }

    @Test
    void asctimeDateIsRead() {
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", CLOCK)).isEqualTo(Duration.ofSeconds(37));
    }

    @Test
    void aPastDateMeansNow() {
        assertThat(RetryAfter.parse("Sat, 05 Nov 1994 08:49:37 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", CLOCK)).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "soon",
                "-5",
                "1.5",
                "5s",
                "12 34",
                "Sun, 06 Nov 1994 08:49:37 +0100",
                "Sun, 06 Nov 1994 08:49:37",
                "Sun, 32 Nov 1994 08:49:37 GMT",
                "Mon, 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-1994 08:49:37 GMT",
                "Sun Nov 6 08:49:37",
                "2024-01-01T00:00:00Z"
            })
    void garbageIsNoAnswer(String value) {
        assertThat(RetryAfter.parse(value, CLOCK))
                .as("Retry-After: '%s'", value)
                .isNull();
    }

    @Test
    void absentIsNoAnswer() {
        assertThat(RetryAfter.parse(null, CLOCK)).isNull();
    }
}
