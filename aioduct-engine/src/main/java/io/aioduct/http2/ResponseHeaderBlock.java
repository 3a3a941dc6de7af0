package io.aioduct.http2;

import io.aioduct.syntax.HeaderRules;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * One header block of a response (an interim or final head, or trailers) as HPACK decodes it, checked
 * field by field in the order the fields arrived against the rules of RFC 9113 section 8 that do not
 * depend on where the block stands in the response: field names (8.2, 8.2.1), field values (8.2.1),
 * connection-specific fields (8.2.2), pseudo-header order and names (8.3), and content-length (RFC 9110
 * 8.6). {@link Http2Session} applies the rest (one {@code :status} in a head, none in trailers, the status
 * itself, content-length against DATA) once it knows which the block is.
 *
 * <p>Netty's decoder runs with its own validation off, so a malformed block is always decoded to its end
 * (HPACK stays in step) and reported here, once, with a message naming the rule. Netty's checks (on
 * until this class) caught most field rules in their own words but missed others: whitespace at the
 * end of a value, pseudo-headers in trailers, content-length.
 *
 * <p>Threading: none; built and read on the thread that drives the session.
 */
final class ResponseHeaderBlock extends DefaultHttp2Headers {
    private static final AsciiString STATUS = AsciiString.cached(":status");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    private @Nullable String malformed;
    private boolean regularSeen;
    private int statusFields;
    private @Nullable CharSequence otherPseudo;
    private long contentLength = -1;

    private ResponseHeaderBlock(int sizeHint) {
        super(false, false, sizeHint);
    }

    /** An HPACK decoder whose blocks are {@code ResponseHeaderBlock}s, Netty's own validation off. */
    static DefaultHttp2HeadersDecoder decoder(long maxHeaderListSize) {
        return new DefaultHttp2HeadersDecoder(false, maxHeaderListSize) {
            @Override
            protected Http2Headers newHeaders() {
                return new ResponseHeaderBlock(numberOfHeadersGuess());
            }
        };
    }

    @Override
    public Http2Headers add(CharSequence name, CharSequence value) {
        if (malformed == null) {
            malformed = check(name, value);
        }
        return super.add(name, value);
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
            CharSequence name = statusFields > 0 ? STATUS : otherPseudo;
            return "pseudo-header " + name + " in trailers (RFC 9113 §8.1)";
        }
        return null;
    }

    /** The content-length the fields announce, or -1 (valid when {@link #headProblem} is null). */
    long contentLength() {
        return contentLength;
    }

    private @Nullable String check(CharSequence name, CharSequence value) {
        int n = name.length();
        if (n == 0) {
            return "a field with an empty field name (RFC 9113 §8.2.1)";
        }
        if (name.charAt(0) == ':') {
            if (regularSeen) {
                return "pseudo-header " + printable(name) + " after a regular field (RFC 9113 §8.3)";
            }
            if (AsciiString.contentEquals(name, STATUS)) {
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
        if (n == 2
                && name.charAt(0) == 't'
                && name.charAt(1) == 'e'
                && !AsciiString.contentEqualsIgnoreCase(value, "trailers")) {
            return "te other than 'trailers' (RFC 9113 §8.2.2)";
        }
        if (AsciiString.contentEquals(name, CONTENT_LENGTH)) {
            return contentLength(value);
        }
        return null;
    }

    private static @Nullable String valueProblem(CharSequence value) {
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
    private static boolean isConnectionSpecific(CharSequence name) {
        return switch (name.length()) {
            case 7 -> AsciiString.contentEquals(name, "upgrade");
            case 10 -> AsciiString.contentEquals(name, "connection") || AsciiString.contentEquals(name, "keep-alive");
            case 16 -> AsciiString.contentEquals(name, "proxy-connection");
            case 17 -> AsciiString.contentEquals(name, "transfer-encoding");
            default -> false;
        };
    }

    /**
     * Takes one content-length field: 1*DIGIT, or a list repeating one value (RFC 9110 8.6 lets a recipient
     * accept "5, 5" as 5, as our HTTP/1.1 parser does); every field must agree.
     */
    private @Nullable String contentLength(CharSequence value) {
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

    private static String pseudoName(CharSequence name) {
        return switch (name.toString()) {
            case ":method", ":scheme", ":authority", ":path", ":protocol" -> "request pseudo-header " + name;
            default -> "unknown pseudo-header " + name;
        };
    }

    private static String printable(CharSequence s) {
        return HeaderRules.printable(s.toString());
    }
}
