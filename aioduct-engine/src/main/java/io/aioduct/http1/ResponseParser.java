package io.aioduct.http1;

import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.syntax.HeaderRules;
import io.aioduct.syntax.ReasonPhrase;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Parses one HTTP/1.x response head (status line and header fields) from a buffer that may hold it
 * only in part. Strict where ambiguity would be dangerous (conflicting or malformed framing headers,
 * obsolete line folding, whitespace before a colon, control characters) and tolerant where RFC 9112
 * allows (bare LF line ends, an empty reason phrase, leading blank lines).
 *
 * <p>Not thread-safe: one per connection, reused for every response via {@link #reset()}.
 */
final class ResponseParser {
    private static final int MAX_LEADING_BLANK_LINES = 4;

    private final int maxHeadBytes;
    private int[] scratch = new int[64];

    // Scan state, relative to the buffer's reader index, kept across partial reads.
    private int scanned;
    private int lineStart;
    private int blankLines;

    // Results of the last successful parse.
    int status;
    HttpVersion version = HttpVersion.HTTP_1_1;
    RawHeaders headers = new RawHeaders(new byte[0], new int[0], 0);
    long contentLength;
    boolean chunked;
    boolean connectionClose;
    boolean keepAlive;
    /** Length of the last head parsed, status line to the blank line. */
    int headBytes;

    ResponseParser(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /** The reason phrase of the last head parsed, kept with (and decoded as lazily as) its headers. */
    ReasonPhrase reason() {
        return headers;
    }

    void reset() {
        scanned = 0;
        lineStart = 0;
        blankLines = 0;
    }

    /**
     * Parses a complete head from {@code in} if one is there, consuming it and returning true; returns
     * false (consuming nothing) when more bytes are needed.
     *
     * @throws HttpProtocolException if the head is malformed or longer than the limit
     */
    boolean parse(ByteBuf in) {
        skipLeadingBlankLines(in);
        if (scanned == 0 && in.readableBytes() == 1 && in.getByte(in.readerIndex()) == '\r') {
            // A lone CR may be the first half of a blank line between responses: wait for its LF.
            return false;
        }
        int base = in.readerIndex();
        int limit = in.writerIndex();
        int end = -1;
        // Line ends found with ByteBuf.indexOf (a word at a time, one bounds and liveness check per call), not
        // getByte per byte: that checked the buffer's reference count on every byte, about 11 % of the
        // virtual runtime's CPU samples on small responses in a profile (docs/benchmarks.md).
        int i = base + scanned;
        while (i < limit) {
            int lf = in.indexOf(i, limit, (byte) '\n');
            if (lf < 0) {
                break;
            }
            int len = lf - (base + lineStart);
            if (len == 0 || (len == 1 && in.getByte(lf - 1) == '\r')) {
                end = lf + 1;
                break;
            }
            lineStart = lf + 1 - base;
            i = lf + 1;
        }
        if (end < 0) {
            scanned = limit - base;
            if (scanned > maxHeadBytes) {
                throw new HttpProtocolException("response head exceeds the limit of " + maxHeadBytes + " bytes");
            }
            return false;
        }
        if (end - base > maxHeadBytes) {
            throw new HttpProtocolException(
                    "response head of " + (end - base) + " bytes exceeds the limit of " + maxHeadBytes + " bytes");
        }
        parseHead(in, base, end);
        headBytes = end - base;
        in.readerIndex(end);
        reset();
        return true;
    }

    /** Skips up to {@link #MAX_LEADING_BLANK_LINES} blank lines before a head, counted per message. */
    private void skipLeadingBlankLines(ByteBuf in) {
        if (scanned != 0) {
            return;
        }
        while (blankLines < MAX_LEADING_BLANK_LINES && in.isReadable()) {
            int r = in.readerIndex();
            byte b = in.getByte(r);
            if (b == '\n') {
                in.skipBytes(1);
            } else if (b == '\r' && in.readableBytes() >= 2 && in.getByte(r + 1) == '\n') {
                in.skipBytes(2);
            } else {
                return;
            }
            blankLines++;
        }
    }

    private void parseHead(ByteBuf in, int start, int end) {
        int statusEnd = indexOfLf(in, start, end);
        int statusContentEnd = contentEnd(in, start, statusEnd);
        parseStatusLine(in, start, statusContentEnd);
        // One copy from the reason phrase to the end of the head: the phrase, then the fields. The
        // phrase starts after "HTTP/1.1 200 "; a status line of just "HTTP/1.1 200" has none.
        int reasonStart = Math.min(start + 13, statusContentEnd);
        int reasonLength = statusContentEnd - reasonStart;
        byte[] bytes = new byte[end - reasonStart];
        in.getBytes(reasonStart, bytes);
        contentLength = -1;
        chunked = false;
        connectionClose = false;
        keepAlive = false;
        boolean transferEncoding = false;
        int count = 0;
        int pos = statusEnd + 1 - reasonStart;
        while (true) {
            int lf = indexOf(bytes, pos, (byte) '\n');
            int lineEnd = lf > pos && bytes[lf - 1] == '\r' ? lf - 1 : lf;
            if (lineEnd == pos) {
                break;
            }
            if (count * 4 + 4 > scratch.length) {
                scratch = Arrays.copyOf(scratch, scratch.length * 2);
            }
            parseField(bytes, pos, lineEnd, count);
            int nameStart = scratch[count * 4];
            int nameLen = scratch[count * 4 + 1] - nameStart;
            int vs = scratch[count * 4 + 2];
            int ve = scratch[count * 4 + 3];
            if (nameLen == 14 && nameIs(bytes, nameStart, "content-length")) {
                long cl = parseContentLength(bytes, vs, ve);
                if (contentLength >= 0 && cl != contentLength) {
                    throw new HttpProtocolException(
                            "response has two different Content-Length values: " + contentLength + " and " + cl);
                }
                contentLength = cl;
            } else if (nameLen == 17 && nameIs(bytes, nameStart, "transfer-encoding")) {
                transferEncoding = true;
                chunked = parseTransferEncoding(bytes, vs, ve);
            } else if (nameLen == 10 && nameIs(bytes, nameStart, "connection")) {
                parseConnection(bytes, vs, ve);
            }
            count++;
            pos = lf + 1;
        }
        if (transferEncoding && contentLength >= 0) {
            throw new HttpProtocolException(
                    "response has both Content-Length and Transfer-Encoding: chunked; " + "the framing is ambiguous");
        }
        headers = new RawHeaders(bytes, reasonLength, Arrays.copyOf(scratch, count * 4), count);
    }

    private void parseStatusLine(ByteBuf in, int start, int end) {
        int len = end - start;
        if (len < 12
                || in.getByte(start) != 'H'
                || in.getByte(start + 1) != 'T'
                || in.getByte(start + 2) != 'T'
                || in.getByte(start + 3) != 'P'
                || in.getByte(start + 4) != '/') {
            throw new HttpProtocolException("malformed status line: '" + printable(in, start, end) + "'");
        }
        byte major = in.getByte(start + 5);
        byte dot = in.getByte(start + 6);
        byte minor = in.getByte(start + 7);
        if (major != '1' || dot != '.' || (minor != '0' && minor != '1')) {
            throw new HttpProtocolException(
                    "unsupported HTTP version in status line: '" + printable(in, start, end) + "'");
        }
        version = minor == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        if (in.getByte(start + 8) != ' ') {
            throw new HttpProtocolException("malformed status line: '" + printable(in, start, end) + "'");
        }
        int code = 0;
        for (int i = start + 9; i < start + 12; i++) {
            byte d = in.getByte(i);
            if (d < '0' || d > '9') {
                throw new HttpProtocolException(
                        "malformed status code in status line: '" + printable(in, start, end) + "'");
            }
            code = code * 10 + (d - '0');
        }
        if (code < 100) {
            throw new HttpProtocolException(
                    "status code " + code + " is below 100: '" + printable(in, start, end) + "'");
        }
        if (len > 12 && in.getByte(start + 12) != ' ') {
            throw new HttpProtocolException("malformed status line: '" + printable(in, start, end) + "'");
        }
        for (int i = start + 13; i < end; i++) {
            if (!HeaderRules.isValueByte(in.getByte(i) & 0xff)) {
                throw new HttpProtocolException("status line has an illegal character "
                        + HeaderRules.describe(in.getByte(i) & 0xff) + " in its reason phrase");
            }
        }
        status = code;
    }

    /** Splits one field line, validating it; records offsets in scratch[index*4..]. */
    private void parseField(byte[] b, int start, int end, int index) {
        if (b[start] == ' ' || b[start] == '\t') {
            throw new HttpProtocolException("response header uses obsolete line folding (a line starting with "
                    + "whitespace): '" + printable(b, start, end) + "'");
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == ':') {
                colon = i;
                break;
            }
            if (!HeaderRules.isTokenChar(c)) {
                String why = c == ' ' || c == '\t'
                        ? "whitespace in or after the header name"
                        : "illegal character " + HeaderRules.describe(c) + " in the header name";
                throw new HttpProtocolException(
                        "malformed response header: " + why + ": '" + printable(b, start, end) + "'");
            }
        }
        if (colon < 0) {
            throw new HttpProtocolException("malformed response header (no colon): '" + printable(b, start, end) + "'");
        }
        if (colon == start) {
            throw new HttpProtocolException(
                    "malformed response header (empty name): '" + printable(b, start, end) + "'");
        }
        int vs = colon + 1;
        while (vs < end && (b[vs] == ' ' || b[vs] == '\t')) vs++;
        int ve = end;
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) ve--;
        for (int i = vs; i < ve; i++) {
            int c = b[i] & 0xff;
            if (!HeaderRules.isValueByte(c)) {
                throw new HttpProtocolException("response header '"
                        + new String(b, start, colon - start, java.nio.charset.StandardCharsets.ISO_8859_1)
                        + "' has an illegal character "
                        + HeaderRules.describe(c) + " in its value");
            }
        }
        scratch[index * 4] = start;
        scratch[index * 4 + 1] = colon;
        scratch[index * 4 + 2] = vs;
        scratch[index * 4 + 3] = ve;
    }

    private static long parseContentLength(byte[] b, int start, int end) {
        long value = -1;
        int i = start;
        while (i <= end) {
            int elemEnd = i;
            while (elemEnd < end && b[elemEnd] != ',') elemEnd++;
            int s = i;
            int e = elemEnd;
            while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
            while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
            if (s == e) {
                throw new HttpProtocolException("response has an empty Content-Length");
            }
            long v = 0;
            for (int k = s; k < e; k++) {
                int d = b[k] - '0';
                if (d < 0 || d > 9) {
                    throw new HttpProtocolException(
                            "response Content-Length '" + printable(b, start, end) + "' is not a number");
                }
                if (v > (Long.MAX_VALUE - 9) / 10) {
                    throw new HttpProtocolException(
                            "response Content-Length '" + printable(b, start, end) + "' is too large");
                }
                v = v * 10 + d;
            }
            if (value >= 0 && v != value) {
                throw new HttpProtocolException(
                        "response has two different Content-Length values: " + value + " and " + v);
            }
            value = v;
            i = elemEnd + 1;
        }
        return value;
    }

    /** Returns whether the codings end in chunked; rejects codings we do not decode. */
    private boolean parseTransferEncoding(byte[] b, int start, int end) {
        if (chunked) {
            throw new HttpProtocolException("response Transfer-Encoding applies chunked more than once or not last");
        }
        boolean lastChunked = false;
        int i = start;
        while (i <= end) {
            int elemEnd = i;
            while (elemEnd < end && b[elemEnd] != ',') elemEnd++;
            int s = i;
            int e = elemEnd;
            while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
            while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
            if (s < e) {
                if (lastChunked) {
                    throw new HttpProtocolException("response Transfer-Encoding '" + printable(b, start, end)
                            + "' applies a coding after chunked");
                }
                if (e - s == 7 && nameIs(b, s, "chunked")) {
                    lastChunked = true;
                } else {
                    throw new HttpProtocolException("response uses unsupported transfer coding '" + printable(b, s, e)
                            + "' (only chunked is supported)");
                }
            }
            i = elemEnd + 1;
        }
        if (!lastChunked) {
            throw new HttpProtocolException(
                    "response Transfer-Encoding '" + printable(b, start, end) + "' does not end with chunked");
        }
        return true;
    }

    private void parseConnection(byte[] b, int start, int end) {
        int i = start;
        while (i <= end) {
            int elemEnd = i;
            while (elemEnd < end && b[elemEnd] != ',') elemEnd++;
            int s = i;
            int e = elemEnd;
            while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
            while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
            if (e - s == 5 && nameIs(b, s, "close")) {
                connectionClose = true;
            } else if (e - s == 10 && nameIs(b, s, "keep-alive")) {
                keepAlive = true;
            }
            i = elemEnd + 1;
        }
    }

    /** Whether the bytes at start spell the lower-case ASCII name, ignoring case. */
    static boolean nameIs(byte[] b, int start, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = b[start + i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    private static int indexOfLf(ByteBuf in, int from, int to) {
        int lf = from < to ? in.indexOf(from, to, (byte) '\n') : -1;
        return lf < 0 ? to : lf;
    }

    private static int contentEnd(ByteBuf in, int start, int lf) {
        return lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    private static int indexOf(byte[] b, int from, byte v) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) return i;
        }
        return b.length;
    }

    static String printable(ByteBuf in, int start, int end) {
        byte[] b = new byte[Math.min(end - start, 200)];
        in.getBytes(start, b);
        return printable(b, 0, b.length);
    }

    static String printable(byte[] b, int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end && sb.length() < 200; i++) {
            int c = b[i] & 0xff;
            if (c == '\r') sb.append("\\r");
            else if (c == '\n') sb.append("\\n");
            else if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\x%02x", c));
            else sb.append((char) c);
        }
        return sb.toString();
    }
}
