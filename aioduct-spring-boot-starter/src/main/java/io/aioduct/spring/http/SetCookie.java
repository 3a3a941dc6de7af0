package io.aioduct.spring.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One {@code Set-Cookie} header, parsed leniently as RFC 6265 section 5.2 tells user agents to: an
 * attribute that does not parse is ignored, not the cookie, and of an attribute given twice the last
 * one counts. {@code Max-Age} wins over {@code Expires}; an {@code Expires} date (read as section 5.1.1
 * says, see {@link CookieDate}) becomes a max-age counted from the moment of parsing. Every attribute
 * Spring's {@code ResponseCookie} models is read, {@code Partitioned} included. Immutable.
 *
 * @param maxAge how long the cookie lives (zero: delete it now), or null for a session cookie
 * @param domain the Domain attribute without a leading dot, lower case, or null
 * @param path the Path attribute, or null when absent or not starting with '/'
 * @param partitioned whether the cookie is partitioned (CHIPS: stored per top-level site)
 */
record SetCookie(
        String name,
        String value,
        @Nullable Duration maxAge,
        @Nullable String domain,
        @Nullable String path,
        boolean secure,
        boolean httpOnly,
        @Nullable String sameSite,
        boolean partitioned) {

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
        boolean partitioned = false;
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
                case "partitioned" -> partitioned = true;
                default -> {
                    // Unknown attributes are ignored (RFC 6265 5.2).
                }
            }
        }
        return new SetCookie(
                name,
                value,
                maxAge != null ? maxAge : fromExpires,
                domain,
                path,
                secure,
                httpOnly,
                sameSite,
                partitioned);
    }

    /** RFC 6265 5.2.2: a '-' or a digit, then digits only; anything else leaves the attribute out. */
    private static @Nullable Duration maxAge(String text, @Nullable Duration previous) {
        int digitsFrom = text.startsWith("-") ? 1 : 0;
        if (text.length() == digitsFrom) {
            return previous;
        }
        for (int i = digitsFrom; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return previous;
            }
        }
        if (digitsFrom == 1) {
            return Duration.ZERO; // zero or less expires the cookie at once
        }
        try {
            return Duration.ofSeconds(Long.parseLong(text));
        } catch (NumberFormatException tooLarge) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
    }

    private static @Nullable Duration expires(String text, Instant now, @Nullable Duration previous) {
        Instant at = CookieDate.parse(text);
        if (at == null) {
            return previous;
        }
        Duration left = Duration.between(now, at);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
