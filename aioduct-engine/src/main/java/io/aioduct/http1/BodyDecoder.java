package io.aioduct.http1;

import io.aioduct.HttpHeaders;
import io.aioduct.HttpProtocolException;
import io.aioduct.body.ByteSink;
import io.aioduct.syntax.HeaderRules;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Decodes one response body's framing (Content-Length, chunked, or until the connection closes) and
 * hands the payload bytes to a {@link ByteSink} as ranges of the input buffer, without copying. Chunk-size
 * lines and trailers may be split across reads anywhere.
 *
 * <p>Chunked framing is read strictly where leniency lets two parsers disagree on where a chunk ends
 * (request and response smuggling, RFC 9112 11.2): a chunk-size line and the end of a chunk's data must
 * be CRLF, so a bare LF there is refused (Go, Netty and Kestrel each fixed a CVE by refusing it); a CR
 * must be followed by LF anywhere outside the data (RFC 9112 2.2); and a quoted string in a chunk
 * extension must close before the line ends. Trailer fields, like the head's, may end with a bare LF
 * (RFC 9112 2.2 allows it for field lines), but never hold a bare CR.
 *
 * <p>Not thread-safe: one per connection, restarted for every response.
 */
final class BodyDecoder {
    enum Framing {
        NONE,
        LENGTH,
        CHUNKED,
        UNTIL_CLOSE
    }

    private enum Chunk {
        SIZE,
        SIZE_WS,
        EXTENSION,
        EXT_QUOTED,
        EXT_QUOTED_PAIR,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER,
        DONE
    }

    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxTrailerBytes;
    private Framing framing = Framing.NONE;
    private long remaining;
    private long received;
    private boolean complete = true;
    private Chunk chunk = Chunk.SIZE;
    private boolean sawDigit;
    private int lineLength;
    private byte[] trailer = new byte[0];
    private int trailerLength;
    private HttpHeaders trailers = HttpHeaders.empty();

    BodyDecoder(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    void start(Framing framing, long contentLength) {
        this.framing = framing;
        this.received = 0;
        this.remaining = framing == Framing.LENGTH ? contentLength : 0;
        this.complete = framing == Framing.NONE || (framing == Framing.LENGTH && contentLength == 0);
        this.chunk = Chunk.SIZE;
        this.sawDigit = false;
        this.lineLength = 0;
        this.trailerLength = 0;
        this.trailers = HttpHeaders.empty();
    }

    boolean complete() {
        return complete;
    }

    Framing framing() {
        return framing;
    }

    /** Payload bytes delivered so far. */
    long received() {
        return received;
    }

    /** Trailer fields of a chunked body; empty until it completes, and for other framings. */
    HttpHeaders trailers() {
        return trailers;
    }

    /**
     * Decodes as much of {@code in} as belongs to this body, handing at most {@code maxData} payload
     * bytes to {@code sink}. Consumes what it used; stops at the end of the body, leaving any bytes
     * after it (a next response) unread.
     *
     * @return whether the body is now complete
     * @throws HttpProtocolException on malformed chunked framing
     */
    boolean decode(ByteBuf in, ByteSink sink, int maxData) {
        switch (framing) {
            case NONE -> {
                return true;
            }
            case LENGTH -> {
                int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxData);
                if (n > 0) {
                    sink.onData(in, in.readerIndex(), n);
                    in.skipBytes(n);
                    remaining -= n;
                    received += n;
                }
                complete = remaining == 0;
                return complete;
            }
            case UNTIL_CLOSE -> {
                int n = Math.min(in.readableBytes(), maxData);
                if (n > 0) {
                    sink.onData(in, in.readerIndex(), n);
                    in.skipBytes(n);
                    received += n;
                }
                return false;
            }
            default -> {
                return decodeChunked(in, sink, maxData);
            }
        }
    }

    /**
     * The connection reached end-of-stream. Completes an until-close body; any other unfinished body
     * is an error.
     *
     * @throws HttpProtocolException-like {@link IllegalStateException}s are never thrown; returns a
     *     description of what was missing, or null when the body ended cleanly
     */
    String endOfInput() {
        if (complete) {
            return null;
        }
        if (framing == Framing.UNTIL_CLOSE) {
            complete = true;
            return null;
        }
        if (framing == Framing.LENGTH) {
            return "connection closed after " + received + " of " + (received + remaining) + " body bytes";
        }
        return "connection closed in the middle of a chunked body after " + received + " bytes";
    }

    private boolean decodeChunked(ByteBuf in, ByteSink sink, int maxData) {
        int delivered = 0;
        while (in.isReadable()) {
            switch (chunk) {
                case DATA -> {
                    int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxData - delivered);
                    if (n <= 0) {
                        return false;
                    }
                    sink.onData(in, in.readerIndex(), n);
                    in.skipBytes(n);
                    remaining -= n;
                    received += n;
                    delivered += n;
                    if (remaining == 0) {
                        chunk = Chunk.DATA_CR;
                    }
                }
                case DATA_CR -> {
                    byte b = in.readByte();
                    if (b != '\r') {
                        throw malformed("chunk data is not followed by CRLF (found " + describe(b) + ")");
                    }
                    chunk = Chunk.DATA_LF;
                }
                case DATA_LF -> {
                    byte b = in.readByte();
                    if (b != '\n') {
                        throw malformed("chunk data is followed by CR without LF");
                    }
                    chunk = Chunk.SIZE;
                }
                case TRAILER -> {
                    if (readTrailer(in)) {
                        return true;
                    }
                }
                case DONE -> {
                    return true;
                }
                default -> readSizeLine(in.readByte());
            }
        }
        return chunk == Chunk.DONE;
    }

    private void readSizeLine(byte b) {
        if (++lineLength > MAX_CHUNK_LINE) {
            throw malformed("chunk size line is longer than " + MAX_CHUNK_LINE + " bytes");
        }
        switch (chunk) {
            case SIZE -> {
                int d = hex(b);
                if (d >= 0) {
                    if (remaining > (Long.MAX_VALUE >> 4)) {
                        throw malformed("chunk size is too large");
                    }
                    remaining = (remaining << 4) | d;
                    sawDigit = true;
                } else if (!sawDigit) {
                    throw malformed("invalid chunk size: expected a hex digit, found " + describe(b));
                } else if (b == ';') {
                    chunk = Chunk.EXTENSION;
                } else if (b == ' ' || b == '\t') {
                    chunk = Chunk.SIZE_WS;
                } else {
                    endSizeLine(b);
                }
            }
            case SIZE_WS -> {
                if (b == ';') {
                    chunk = Chunk.EXTENSION;
                } else if (b != ' ' && b != '\t') {
                    endSizeLine(b);
                }
            }
            case EXTENSION -> {
                if (b == '"') {
                    chunk = Chunk.EXT_QUOTED;
                } else if (b == '\r' || b == '\n') {
                    endSizeLine(b);
                } else if (!HeaderRules.isValueByte(b & 0xff)) {
                    throw malformed("chunk extension has an illegal character " + describe(b));
                }
            }
            case EXT_QUOTED -> {
                if (b == '"') {
                    chunk = Chunk.EXTENSION;
                } else if (b == '\\') {
                    chunk = Chunk.EXT_QUOTED_PAIR;
                } else if (b == '\r' || b == '\n') {
                    // A peer that let the string run on past the line end would find a different chunk.
                    throw malformed("chunk extension has " + describe(b)
                            + " inside a quoted string (a quoted string must close before the line ends)");
                } else if (!HeaderRules.isValueByte(b & 0xff)) {
                    throw malformed("chunk extension has an illegal character " + describe(b) + " in a quoted string");
                }
            }
            case EXT_QUOTED_PAIR -> {
                if (!HeaderRules.isValueByte(b & 0xff)) {
                    throw malformed("chunk extension escapes an illegal character " + describe(b));
                }
                chunk = Chunk.EXT_QUOTED;
            }
            case SIZE_LF -> {
                if (b != '\n') {
                    throw malformed("chunk size line has CR without LF (found " + describe(b) + " after it)");
                }
                sizeLineDone();
            }
            default -> throw new IllegalStateException(chunk.name());
        }
    }

    private void endSizeLine(byte b) {
        if (b == '\r') {
            chunk = Chunk.SIZE_LF;
        } else if (b == '\n') {
            throw malformed("chunk size line ends with a bare LF (CRLF is required)");
        } else {
            throw malformed("invalid character " + describe(b) + " in chunk size");
        }
    }

    private void sizeLineDone() {
        lineLength = 0;
        sawDigit = false;
        chunk = remaining == 0 ? Chunk.TRAILER : Chunk.DATA;
    }

    /** Collects trailer lines until the empty line; returns true when the body is complete. */
    private boolean readTrailer(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (trailerLength == trailer.length) {
                if (trailerLength >= maxTrailerBytes) {
                    throw malformed("trailer section exceeds the limit of " + maxTrailerBytes + " bytes");
                }
                trailer = Arrays.copyOf(trailer, Math.min(maxTrailerBytes, Math.max(64, trailerLength * 2)));
            }
            if (trailerLength > 0 && trailer[trailerLength - 1] == '\r' && b != '\n') {
                throw malformed("trailer section has CR without LF (found " + describe(b) + " after it)");
            }
            trailer[trailerLength++] = b;
            if (b == '\n' && endsWithEmptyLine()) {
                finishTrailers();
                return true;
            }
        }
        return false;
    }

    private boolean endsWithEmptyLine() {
        int n = trailerLength;
        if (n == 1 || (n == 2 && trailer[0] == '\r')) {
            return true;
        }
        return (n >= 2 && trailer[n - 2] == '\n') || (n >= 3 && trailer[n - 2] == '\r' && trailer[n - 3] == '\n');
    }

    private void finishTrailers() {
        chunk = Chunk.DONE;
        complete = true;
        if (trailerLength <= 2) {
            return;
        }
        // Reuse the head parser's field rules by parsing "HTTP/1.1 200 \r\n" + trailer lines.
        byte[] prefix = "HTTP/1.1 200 \r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(prefix, Arrays.copyOf(trailer, trailerLength));
        try {
            ResponseParser p = new ResponseParser(maxTrailerBytes + prefix.length + 2);
            if (!p.parse(buf)) {
                throw malformed("trailer section is incomplete");
            }
            trailers = p.headers;
        } catch (HttpProtocolException e) {
            throw malformed("bad trailer: " + e.getMessage());
        } finally {
            buf.release();
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    private static String describe(byte b) {
        return HeaderRules.describe(b & 0xff);
    }

    private static HttpProtocolException malformed(String detail) {
        return new HttpProtocolException("malformed chunked body: " + detail);
    }
}
