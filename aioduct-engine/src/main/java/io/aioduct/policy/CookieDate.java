package io.aioduct.policy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Expires} date of a {@code Set-Cookie} header, read with the algorithm of RFC 6265 section
 * 5.1.1 rather than with a list of formats: the date is split into tokens at delimiters, and the first
 * token that looks like a time, a day of the month, a month and a year (in that order of trying) gives
 * each. That one algorithm reads RFC 1123 ({@code Sun, 06 Nov 1994 08:49:37 GMT}), RFC 850
 * ({@code Sunday, 06-Nov-94 08:49:37 GMT}), asctime ({@code Sun Nov  6 08:49:37 1994}) and the variants
 * servers really send. Stateless.
 */
final class CookieDate {
    private static final String[] MONTHS = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };

    private CookieDate() {}

    /** The instant {@code text} names (always UTC, whatever zone it claims), or null when it names none. */
    static @Nullable Instant parse(String text) {
        int hour = -1;
        int minute = -1;
        int second = -1;
        int day = -1;
        int month = -1;
        int year = -1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && isDelimiter(text.charAt(i))) i++;
            int start = i;
            while (i < n && !isDelimiter(text.charAt(i))) i++;
            if (start == i) {
                break;
            }
            String token = text.substring(start, i);
            int[] time;
            if (hour < 0 && (time = time(token)) != null) {
                hour = time[0];
                minute = time[1];
                second = time[2];
            } else if (day < 0 && digits(token, 1, 2) >= 0) {
                day = digits(token, 1, 2);
            } else if (month < 0 && month(token) >= 0) {
                month = month(token);
            } else if (year < 0 && digits(token, 2, 4) >= 0) {
                year = digits(token, 2, 4);
            }
        }
        if (year >= 70 && year <= 99) {
            year += 1900;
        } else if (year >= 0 && year <= 69) {
            year += 2000;
        }
        if (hour < 0 || day < 1 || day > 31 || month < 0 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month + 1, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException noSuchDay) {
            return null; // 31 April, 29 February of a common year: the RFC says fail
        }
    }

    /** {@code delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E}. */
    private static boolean isDelimiter(char c) {
        return c == 0x09
                || (c >= 0x20 && c <= 0x2F)
                || (c >= 0x3B && c <= 0x40)
                || (c >= 0x5B && c <= 0x60)
                || (c >= 0x7B && c <= 0x7E);
    }

    /**
     * The value of a token that starts with {@code min} to {@code max} digits followed by its end or a
     * non-digit (anything may follow that), or -1.
     */
    private static int digits(String token, int min, int max) {
        int count = 0;
        int value = 0;
        while (count < token.length() && isDigit(token.charAt(count))) {
            value = value * 10 + (token.charAt(count) - '0');
            count++;
            if (count > max) {
                return -1;
            }
        }
        return count >= min ? value : -1;
    }

    /** {@code hms-time ( non-digit *OCTET )} with {@code 1*2DIGIT} fields: hour, minute, second; or null. */
    private static int @Nullable [] time(String token) {
        int[] fields = new int[3];
        int i = 0;
        for (int f = 0; f < 3; f++) {
            int start = i;
            int value = 0;
            while (i < token.length() && i - start < 3 && isDigit(token.charAt(i))) {
                value = value * 10 + (token.charAt(i) - '0');
                i++;
            }
            int length = i - start;
            if (length < 1 || length > 2) {
                return null;
            }
            fields[f] = value;
            if (f < 2) {
                if (i >= token.length() || token.charAt(i) != ':') {
                    return null;
                }
                i++;
            }
        }
        return i == token.length() || !isDigit(token.charAt(i)) ? fields : null;
    }

    /** A token whose first three letters name a month, case-insensitively: 0 for January; or -1. */
    private static int month(String token) {
        if (token.length() < 3) {
            return -1;
        }
        for (int m = 0; m < MONTHS.length; m++) {
            if (token.regionMatches(true, 0, MONTHS[m], 0, 3)) {
                return m;
            }
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
