package io.aioduct.chain;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code Retry-After} field value (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date in any of the
 * three forms a recipient must accept (§5.6.7): IMF-fixdate, the obsolete RFC 850 form and asctime. A date
 * in the past means "now". Anything else is no answer: the caller falls back to its own back-off rather than
 * trust a value it cannot read. Stateless.
 */
public final class RetryAfter {
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final DateTimeFormatter RFC_850_FULL_YEAR =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    /** Delta-seconds past this many digits are surely longer than any cap; parsing them would overflow. */
    private static final int MAX_DIGITS = 12;

    private RetryAfter() {}

    /**
     * How long {@code value} asks the client to wait, measured from {@code clock}'s now; {@link
     * Duration#ZERO} for a date already past; null for a missing or unreadable value.
     */
    public static @Nullable Duration parse(@Nullable String value, Clock clock) {
        if (value == null) return null;
        String v = value.strip();
        if (v.isEmpty()) return null;
        if (Character.isDigit(v.charAt(0))) return deltaSeconds(v);
        Instant date = httpDate(v, clock);
        if (date == null) return null;
        Duration wait = Duration.between(clock.instant(), date);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    private static @Nullable Duration deltaSeconds(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return null;
        }
        int start = 0;
        while (start < v.length() - 1 && v.charAt(start) == '0') start++;
        if (v.length() - start > MAX_DIGITS) return Duration.ofSeconds(Long.MAX_VALUE / 2);
        return Duration.ofSeconds(Long.parseLong(v, start, v.length(), 10));
    }

    private static @Nullable Instant httpDate(String v, Clock clock) {
        try {
            if (v.length() > 3 && v.charAt(3) == ',') {
                // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT": RFC 1123 without the zone offsets it allows.
                if (!v.endsWith(" GMT")) return null;
                return ZonedDateTime.parse(v, IMF_FIXDATE).toInstant();
            }
            int comma = v.indexOf(',');
            if (comma > 0) return rfc850(v, comma, clock);
            // asctime "Sun Nov  6 08:49:37 1994", in UTC.
            return LocalDateTime.parse(v, ASCTIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT". Its two-digit year is read as RFC 9110 §5.6.7 says: one that
     * looks more than 50 years ahead of {@code clock} is in the past century.
     */
    private static Instant rfc850(String v, int comma, Clock clock) {
        // "Sunday, 06-Nov-" + "94" + " 08:49:37 GMT"
        int yearAt = v.indexOf('-', v.indexOf('-', comma) + 1) + 1;
        if (yearAt <= 0 || v.length() != yearAt + 2 + 13 || !v.endsWith(" GMT") || v.charAt(yearAt + 2) != ' ') {
            throw new DateTimeParseException("not an RFC 850 date", v, 0);
        }
        int yy = Integer.parseInt(v, yearAt, yearAt + 2, 10);
        int thisYear = clock.instant().atZone(ZoneOffset.UTC).getYear();
        int year = thisYear - Math.floorMod(thisYear, 100) + yy;
        // The latest year with those two digits that is not more than 50 years ahead.
        if (year > thisYear + 50) {
            year -= 100;
        } else if (year + 100 <= thisYear + 50) {
            year += 100;
        }
        String imf = v.substring(0, yearAt) + year + v.substring(yearAt + 2);
        // Re-read with the full year: "Sunday, 06-Nov-1994 08:49:37 GMT".
        return LocalDateTime.parse(imf, RFC_850_FULL_YEAR).toInstant(ZoneOffset.UTC);
    }
}
