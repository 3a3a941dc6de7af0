package io.aioduct.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One {@code Set-Cookie} header as RFC 6265bis section 5.6 tells a user agent to read it, before the
 * storage rules (section 5.7, {@link InMemoryCookieStore}) decide whether to keep it. Lenient where the
 * RFC is: an attribute that does not parse is ignored, not the cookie; of an attribute given twice the last
 * counts; {@code Max-Age} wins over {@code Expires} wherever it stands. Strict where it is: a control
 * character anywhere, an empty name and value, or a name and value over {@value #MAX_NAME_VALUE} bytes
 * drop the whole cookie; an attribute value over {@value #MAX_ATTRIBUTE} bytes drops that attribute.
 * Immutable.
 *
 * @param expiry when the cookie expires (in the past: it deletes the stored one), null for a session cookie;
 *     never more than {@link #MAX_AGE} ahead, as the RFC caps it
 * @param domain the Domain attribute without its leading dot, lower case, or null
 * @param path the Path attribute when it starts with '/', or null (the store then takes the default path)
 */
record SetCookie(
        String name,
        String value,
        @Nullable Instant expiry,
        @Nullable String domain,
        @Nullable String path,
        boolean secure,
        boolean httpOnly,
        Cookie.SameSite sameSite,
        boolean partitioned) {

    /** RFC 6265bis 5.6 step 4 / section 6.1: the longest name plus value kept. */
    static final int MAX_NAME_VALUE = 4096;
    /** RFC 6265bis 5.6 step 6: the longest attribute value read. */
    static final int MAX_ATTRIBUTE = 1024;
    /** RFC 6265bis 5.6.1/5.6.2: no cookie lives longer than 400 days, whatever Max-Age or Expires say. */
    static final Duration MAX_AGE = Duration.ofDays(400);

    /** The cookie {@code header} sets at {@code now}, or null when the RFC says to ignore it. */
    static @Nullable SetCookie parse(String header, Instant now) {
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return null; // 5.6 step 1: a control character (other than HTAB) drops the cookie
            }
        }
        int semi = header.indexOf(';');
        String pair = semi < 0 ? header : header.substring(0, semi);
        int eq = pair.indexOf('=');
        // 5.6 step 3: no '=' makes a nameless cookie whose value is the whole pair (sent back as it is).
        String name = eq < 0 ? "" : trim(pair.substring(0, eq));
        String value = trim(eq < 0 ? pair : pair.substring(eq + 1));
        if (name.isEmpty() && value.isEmpty()) return null;
        if (utf8Length(name) + utf8Length(value) > MAX_NAME_VALUE) return null;
        Attributes a = new Attributes();
        int from = semi;
        while (from >= 0) {
            int next = header.indexOf(';', from + 1);
            a.read(header.substring(from + 1, next < 0 ? header.length() : next), now);
            from = next;
        }
        Instant expiry = a.maxAge != null ? a.maxAge : a.expires;
        return new SetCookie(name, value, expiry, a.domain, a.path, a.secure, a.httpOnly, a.sameSite, a.partitioned);
    }

    /** The attributes read so far; the last valid occurrence of each wins. */
    private static final class Attributes {
        @Nullable
        Instant maxAge;

        @Nullable
        Instant expires;

        @Nullable
        String domain;

        @Nullable
        String path;

        boolean secure;
        boolean httpOnly;
        Cookie.SameSite sameSite = Cookie.SameSite.DEFAULT;
        boolean partitioned;

        void read(String av, Instant now) {
            int eq = av.indexOf('=');
            String name = trim(eq < 0 ? av : av.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : trim(av.substring(eq + 1));
            if (utf8Length(value) > MAX_ATTRIBUTE) return;
            switch (name) {
                case "expires" -> {
                    Instant at = CookieDate.parse(value);
                    if (at != null) expires = capped(at, now);
                }
                case "max-age" -> {
                    Instant at = maxAge(value, now);
                    if (at != null) maxAge = at;
                }
                case "domain" -> {
                    // 5.6.3: an empty Domain is ignored; a leading dot is dropped (".example.com" is "example.com").
                    String d = value.startsWith(".") ? value.substring(1) : value;
                    if (!d.isEmpty()) domain = d.toLowerCase(Locale.ROOT);
                }
                case "path" -> path = value.startsWith("/") ? value : null;
                case "secure" -> secure = true;
                case "httponly" -> httpOnly = true;
                case "samesite" -> sameSite = Cookie.SameSite.of(value);
                case "partitioned" -> partitioned = true;
                default -> {
                    // 5.6 step 8: an unknown attribute is ignored.
                }
            }
        }
    }

    /** 5.6.2: a '-' or a digit, then digits only; zero or less expires at once; else null (ignored). */
    private static @Nullable Instant maxAge(String text, Instant now) {
        int digitsFrom = text.startsWith("-") ? 1 : 0;
        if (text.length() == digitsFrom) return null;
        for (int i = digitsFrom; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return null;
        }
        if (digitsFrom == 1) return Instant.MIN;
        long seconds;
        try {
            seconds = Long.parseLong(text);
        } catch (NumberFormatException tooLarge) {
            seconds = Long.MAX_VALUE;
        }
        if (seconds == 0) return Instant.MIN;
        return now.plus(Duration.ofSeconds(Math.min(seconds, MAX_AGE.toSeconds())));
    }

    private static Instant capped(Instant at, Instant now) {
        Instant limit = now.plus(MAX_AGE);
        return at.isAfter(limit) ? limit : at;
    }

    /** Strips the RFC's whitespace (SP and HTAB) at both ends. */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) start++;
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) end--;
        return s.substring(start, end);
    }

    /** The size the RFC's octet limits count: ASCII is one byte a char, anything else more. */
    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
