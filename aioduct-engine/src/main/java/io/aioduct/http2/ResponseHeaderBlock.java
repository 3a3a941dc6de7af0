package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.aioduct.syntax.ArrayHeaders;
import io.aioduct.syntax.HeaderRules;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One header block of a response (an interim or final head, or trailers) as {@link HpackDecoder} decodes
 * it, checked field by field in the order the fields arrived against the rules of RFC 9113 section 8 that
 * do not depend on where the block stands in the response: field names (8.2, 8.2.1), field values
 * (8.2.1), connection-specific fields (8.2.2), pseudo-header order and names (8.3), and content-length
 * (RFC 9110 8.6). {@link Http2Session} applies the rest (one {@code :status} in a head, none in trailers,
 * the status itself, content-length against DATA) once it knows which the block is.
 *
 * <p>A malformed block is always decoded to its end (HPACK stays in step) and reported here, once, with a
 * message naming the rule. The regular fields are kept as the engine's headers keep them (alternating
 * names and values), so {@link #headers()} costs one exactly-sized array.
 *
 * <p>Threading: none; one per session, {@link #reset} before each block, built and read on the thread
 * that drives the session.
 */
final class ResponseHeaderBlock implements HpackDecoder.Sink {
    private static final String STATUS = ":status";
    private static final String CONTENT_LENGTH = "content-length";

    private @Nullable String malformed;
    private boolean regularSeen;
    private int statusFields;
    private @Nullable String status;
    private @Nullable String otherPseudo;
    private long contentLength = -1;
    // The regular fields, alternating names and values: fields[0, size).
    private String[] fields = new String[32];
    private int size;

    /** Forgets the previous block. */
    void reset() {
        malformed = null;
        regularSeen = false;
        statusFields = 0;
        status = null;
        otherPseudo = null;
        contentLength = -1;
        if (fields.length > 256) {
            fields = new String[32]; // do not keep an unusually large block's array
        } else {
            Arrays.fill(fields, 0, size, null);
        }
        size = 0;
    }

    @Override
    public void field(String name, String value) {
        if (malformed == null) {
            malformed = check(name, value);
        }
        if (name.isEmpty() || name.charAt(0) != ':') {
            if (size == fields.length) {
                fields = Arrays.copyOf(fields, size * 2);
            }
            fields[size++] = name;
            fields[size++] = value;
        } else if (status == null && name.equals(STATUS)) {
            status = value;
        }
    }

    /** The {@code :status} value (the first one), valid once {@link #headProblem} is null. */
    String status() {
        String s = status;
        return s != null ? s : "";
    }

    /** The regular fields, names in lower case: the response's headers or trailers. */
    HttpHeaders headers() {
        return size == 0 ? ArrayHeaders.EMPTY : new ArrayHeaders(Arrays.copyOf(fields, size));
    }

    /** Why this block is malformed as the head of a response (interim or final), or null. */
    @Nullable
    String headProblem() {
        if (malformed != null) {
            return malformed;
        }
        if (otherPseudo != null) {
            return pseudoName(otherPseudo) + " in a response (RFC 9113 §8.3)";
        }
        if (statusFields == 0) {
            return "response head with no :status (RFC 9113 §8.3.2)";
        }
        if (statusFields > 1) {
            return "response head with more than one :status (RFC 9113 §8.3)";
        }
        return null;
    }

    /** Why this block is malformed as trailers, or null. */
    @Nullable
    String trailersProblem() {
        if (malformed != null) {
            return malformed;
        }
        if (statusFields > 0 || otherPseudo != null) {
            String name = statusFields > 0 ? STATUS : otherPseudo;
            return "pseudo-header " + name + " in trailers (RFC 9113 §8.1)";
        }
        return null;
    }

    /** The content-length the fields announce, or -1 (valid when {@link #headProblem} is null). */
    long contentLength() {
        return contentLength;
    }

    private @Nullable String check(String name, String value) {
        int n = name.length();
        if (n == 0) {
            return "a field with an empty field name (RFC 9113 §8.2.1)";
        }
        if (name.charAt(0) == ':') {
            if (regularSeen) {
                return "pseudo-header " + printable(name) + " after a regular field (RFC 9113 §8.3)";
            }
            if (name.equals(STATUS)) {
                statusFields++;
            } else if (otherPseudo == null) {
                otherPseudo = printable(name);
            }
            return null;
        }
        regularSeen = true;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return "field name '" + printable(name) + "' has upper-case characters (RFC 9113 §8.2)";
            }
            if (c <= ' ' || c >= 0x7f || c == ':') {
                return "field name '" + printable(name) + "' has an illegal character " + HeaderRules.describe(c)
                        + " (RFC 9113 §8.2.1)";
            }
        }
        String valueProblem = valueProblem(value);
        if (valueProblem != null) {
            return "field '" + name + "' " + valueProblem;
        }
        if (isConnectionSpecific(name)) {
            return "connection-specific field '" + name + "' (RFC 9113 §8.2.2)";
        }
        if (n == 2 && name.charAt(0) == 't' && name.charAt(1) == 'e' && !value.equalsIgnoreCase("trailers")) {
            return "te other than 'trailers' (RFC 9113 §8.2.2)";
        }
        if (name.equals(CONTENT_LENGTH)) {
            return contentLength(value);
        }
        return null;
    }

    private static @Nullable String valueProblem(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (!HeaderRules.isValueByte(c)) {
                return "has an illegal character " + HeaderRules.describe(c) + " in its value (RFC 9113 §8.2.1)";
            }
        }
        if (n > 0 && (isBlank(value.charAt(0)) || isBlank(value.charAt(n - 1)))) {
            return "has a value starting or ending with whitespace (RFC 9113 §8.2.1)";
        }
        return null;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** Names are lower case and checked by now, so an exact comparison is enough. */
    private static boolean isConnectionSpecific(String name) {
        return switch (name.length()) {
            case 7 -> name.equals("upgrade");
            case 10 -> name.equals("connection") || name.equals("keep-alive");
            case 16 -> name.equals("proxy-connection");
            case 17 -> name.equals("transfer-encoding");
            default -> false;
        };
    }

    /**
     * Takes one content-length field: 1*DIGIT, or a list repeating one value (RFC 9110 8.6 lets a recipient
     * accept "5, 5" as 5, as our HTTP/1.1 parser does); every field must agree.
     */
    private @Nullable String contentLength(String value) {
        int i = 0;
        int n = value.length();
        while (i <= n) {
            int end = i;
            while (end < n && value.charAt(end) != ',') end++;
            int s = i;
            int e = end;
            while (s < e && isBlank(value.charAt(s))) s++;
            while (e > s && isBlank(value.charAt(e - 1))) e--;
            long v = s == e ? -1 : 0;
            for (int k = s; k < e && v >= 0; k++) {
                int d = value.charAt(k) - '0';
                // Past 18 digits the value could overflow; no body is that long anyway.
                v = d < 0 || d > 9 || k - s >= 18 ? -1 : v * 10 + d;
            }
            if (v < 0) {
                return "content-length '" + printable(value) + "' is not a number (RFC 9110 §8.6)";
            }
            if (contentLength >= 0 && v != contentLength) {
                return "different content-length values: " + contentLength + " and " + v + " (RFC 9110 §8.6)";
            }
            contentLength = v;
            i = end + 1;
        }
        return null;
    }

    private static String pseudoName(String name) {
        return switch (name) {
            case ":method", ":scheme", ":authority", ":path", ":protocol" -> "request pseudo-header " + name;
            default -> "unknown pseudo-header " + name;
        };
    }

    private static String printable(String s) {
        return HeaderRules.printable(s);
    }
}
