package io.aioduct.http1;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.syntax.HeaderRules;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes HTTP/1.1 request heads and chunk framing into buffers. The client owns message framing: it
 * writes {@code Host}, {@code Content-Length} or {@code Transfer-Encoding: chunked} itself ({@link
 * Request} already refused a Transfer-Encoding header or a Content-Length that differs from the body).
 * Stateless.
 */
final class RequestWriter {
    private static final byte[] VERSION_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST = "Host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USER_AGENT = "User-Agent: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCEPT_ENCODING = "Accept-Encoding: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_TYPE = "Content-Type: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROXY_AUTHORIZATION = "Proxy-Authorization: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SCHEME_SEPARATOR = {':', '/', '/'};
    private static final byte[] COLON_SP = {':', ' '};
    private static final short CRLF = ('\r' << 8) | '\n';
    static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private RequestWriter() {}

    /** How the body is framed: its length, {@link #CHUNKED_BODY}, or {@link #NO_BODY}. */
    static final long CHUNKED_BODY = -1;

    static final long NO_BODY = -2;

    /** The framing a request's body gets. */
    static long framing(Request request) {
        RequestBody body = request.body();
        if (request.trailers() != null) {
            // Trailers ride on the chunked framing's last chunk.
            return CHUNKED_BODY;
        }
        if (body == null) {
            return methodExpectsBody(request.method()) ? 0 : NO_BODY;
        }
        long len = body.contentLength();
        return len >= 0 ? len : CHUNKED_BODY;
    }

    private static boolean methodExpectsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /**
     * Writes the request line and headers.
     *
     * @param userAgent the default User-Agent, or null to send none unless the request sets one
     * @param acceptEncoding the default Accept-Encoding (decompression on), or null to send none unless the
     *     request sets one
     */
    static void writeHead(
            Request request, long framing, @Nullable String userAgent, @Nullable String acceptEncoding, ByteBuf out) {
        writeHead(request, framing, userAgent, acceptEncoding, Http1Route.ORIGIN, out);
    }

    /**
     * Writes the request line and headers for a connection on {@code route}: to a forwarding proxy in
     * absolute form ({@code GET http://host:port/path HTTP/1.1}, RFC 9112 3.2.2) with its credentials; to the
     * origin without any {@code Proxy-Authorization}.
     */
    static void writeHead(
            Request request,
            long framing,
            @Nullable String userAgent,
            @Nullable String acceptEncoding,
            Http1Route route,
            ByteBuf out) {
        ByteBufUtil.writeAscii(out, request.method());
        out.writeByte(' ');
        if (route.absoluteForm) {
            ByteBufUtil.writeAscii(out, request.origin().scheme());
            out.writeBytes(SCHEME_SEPARATOR);
            ByteBufUtil.writeAscii(out, request.origin().hostHeader());
            ByteBufUtil.writeAscii(out, request.target()); // always origin-form: a request has no "*" target
        } else {
            ByteBufUtil.writeAscii(out, request.target());
        }
        out.writeBytes(VERSION_CRLF);
        HttpHeaders headers = request.headers();
        boolean hasHost = false;
        boolean hasUserAgent = false;
        boolean hasAcceptEncoding = false;
        boolean hasContentType = false;
        boolean hasProxyAuthorization = false;
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            switch (name.length()) {
                case 4 -> hasHost |= HeaderRules.nameEquals(name, "Host");
                case 10 -> hasUserAgent |= HeaderRules.nameEquals(name, "User-Agent");
                case 12 -> hasContentType |= HeaderRules.nameEquals(name, "Content-Type");
                case 15 -> hasAcceptEncoding |= HeaderRules.nameEquals(name, "Accept-Encoding");
                case 19 -> hasProxyAuthorization |= HeaderRules.nameEquals(name, "Proxy-Authorization");
                default -> {}
            }
        }
        boolean dropProxyAuthorization = hasProxyAuthorization && !route.absoluteForm;
        if (!hasHost) {
            out.writeBytes(HOST);
            ByteBufUtil.writeAscii(out, request.origin().hostHeader());
            out.writeShort(CRLF);
        }
        if (!hasUserAgent && userAgent != null) {
            out.writeBytes(USER_AGENT);
            ByteBufUtil.writeAscii(out, userAgent);
            out.writeShort(CRLF);
        }
        if (!hasAcceptEncoding && acceptEncoding != null) {
            out.writeBytes(ACCEPT_ENCODING);
            ByteBufUtil.writeAscii(out, acceptEncoding);
            out.writeShort(CRLF);
        }
        String proxyAuthorization = route.proxyAuthorization;
        if (!hasProxyAuthorization && proxyAuthorization != null) {
            // The proxy's configured credentials, unless the request answers a 407 with its own.
            out.writeBytes(PROXY_AUTHORIZATION);
            ByteBufUtil.writeAscii(out, proxyAuthorization);
            out.writeShort(CRLF);
        }
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            if (name.length() == 14 && HeaderRules.nameEquals(name, "Content-Length")) {
                // Request.build() checked it matches the body; the framing below writes it once.
                continue;
            }
            if (dropProxyAuthorization && name.length() == 19 && HeaderRules.nameEquals(name, "Proxy-Authorization")) {
                continue; // proxy credentials never go to the origin
            }
            ByteBufUtil.writeAscii(out, name);
            out.writeBytes(COLON_SP);
            // Values were checked to be ISO-8859-1; writeAscii keeps each char's low byte.
            ByteBufUtil.writeAscii(out, headers.value(i));
            out.writeShort(CRLF);
        }
        RequestBody body = request.body();
        if (body != null && !hasContentType && body.contentType() != null) {
            out.writeBytes(CONTENT_TYPE);
            ByteBufUtil.writeAscii(out, body.contentType());
            out.writeShort(CRLF);
        }
        if (framing == CHUNKED_BODY) {
            out.writeBytes(CHUNKED);
        } else if (framing >= 0) {
            out.writeBytes(CONTENT_LENGTH);
            writeDecimal(out, framing);
            out.writeShort(CRLF);
        }
        out.writeShort(CRLF);
    }

    /** Ends a chunked body: the last chunk, the request's trailer fields if any, the final CRLF. */
    static void writeLastChunk(ByteBuf out, Request request) {
        java.util.function.Supplier<HttpHeaders> supplier = request.trailers();
        if (supplier == null) {
            out.writeBytes(LAST_CHUNK);
            return;
        }
        HttpHeaders trailers = supplier.get();
        out.writeByte('0');
        out.writeShort(CRLF);
        for (int i = 0, n = trailers.size(); i < n; i++) {
            ByteBufUtil.writeAscii(out, trailers.name(i));
            out.writeBytes(COLON_SP);
            ByteBufUtil.writeAscii(out, trailers.value(i));
            out.writeShort(CRLF);
        }
        out.writeShort(CRLF);
    }

    /** Writes the size line of a chunk of {@code length} bytes. */
    static void writeChunkHeader(ByteBuf out, int length) {
        ByteBufUtil.writeAscii(out, Integer.toHexString(length));
        out.writeShort(CRLF);
    }

    static void writeCrlf(ByteBuf out) {
        out.writeShort(CRLF);
    }

    private static void writeDecimal(ByteBuf out, long value) {
        if (value < 10) {
            out.writeByte('0' + (int) value);
            return;
        }
        ByteBufUtil.writeAscii(out, Long.toString(value));
    }
}
