package io.aioduct.spring.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One {@code Set-Cookie} header, parsed leniently as RFC 6265 section 5.2 tells user agents to: an
 * attribute that does not parse is ignored, not the cookie. {@code Max-Age} wins over {@code Expires};
 * an {@code Expires} date becomes a max-age counted from the moment of parsing. Immutable.
 *
 * @param maxAge how long the cookie lives (zero: delete it now), or null for a session cookie
 * @param domain the Domain attribute without a leading dot, lower case, or null
 * @param path the Path attribute, or null when absent or not starting with '/'
 */
record SetCookie(
        String name,
        String value,
        @Nullable Duration maxAge,
        @Nullable String domain,
        @Nullable String path,
        boolean secure,
        boolean httpOnly,
        @Nullable String sameSite) {

    /** Expires formats seen in the wild: RFC 1123, RFC 850 and asctime (RFC 9110 5.6.7); English names. */
    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            DateTimeFormatter.ofPattern("EEE, dd-MMM-yyyy HH:mm:ss zzz", Locale.US),
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US),
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.US).withZone(java.time.ZoneOffset.UTC));

    /** The cookie {@code header} sets, or null when it sets none (no '=' or an empty name). */
    static @Nullable SetCookie parse(String header, Instant now) {
        String[] parts = header.split(";");
        int eq = parts[0].indexOf('=');
        if (eq < 0) {
            return null;
        }
        String name = parts[0].substring(0, eq).trim();
        if (name.isEmpty()) {
            return null;
        }
        String value = parts[0].substring(eq + 1).trim();
        Duration maxAge = null;
        Duration fromExpires = null;
        String domain = null;
        String path = null;
        boolean secure = false;
        boolean httpOnly = false;
        String sameSite = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int e = part.indexOf('=');
            String attr = (e < 0 ? part : part.substring(0, e)).trim().toLowerCase(Locale.ROOT);
            String val = e < 0 ? "" : part.substring(e + 1).trim();
            switch (attr) {
                case "max-age" -> maxAge = maxAge(val, maxAge);
                case "expires" -> fromExpires = expires(val, now, fromExpires);
                case "domain" -> {
                    String d = val.startsWith(".") ? val.substring(1) : val;
                    if (!d.isEmpty()) domain = d.toLowerCase(Locale.ROOT);
                }
                case "path" -> path = val.startsWith("/") ? val : null;
                case "secure" -> secure = true;
                case "httponly" -> httpOnly = true;
                case "samesite" -> sameSite = val.isEmpty() ? null : val;
                default -> {
                    // Unknown attributes are ignored (RFC 6265 5.2).
                }
            }
        }
        return new SetCookie(
                name, value, maxAge != null ? maxAge : fromExpires, domain, path, secure, httpOnly, sameSite);
    }

    private static @Nullable Duration maxAge(String text, @Nullable Duration previous) {
        try {
            // RFC 6265 5.2.2: zero or less expires the cookie at once.
            return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
        } catch (NumberFormatException e) {
            return previous;
        }
    }

    private static @Nullable Duration expires(String text, Instant now, @Nullable Duration previous) {
        for (DateTimeFormatter format : DATES) {
            try {
                Instant at = ZonedDateTime.parse(text, format).toInstant();
                Duration left = Duration.between(now, at);
                return left.isNegative() ? Duration.ZERO : left;
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return previous;
    }
}
