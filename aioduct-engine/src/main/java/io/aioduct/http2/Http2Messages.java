package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Maps requests to HTTP/2 header lists and response header lists back to {@link HttpHeaders}, under
 * RFC 9113 section 8: pseudo-headers first, names in lower case, no connection-specific fields.
 * Stateless.
 */
final class Http2Messages {
    private Http2Messages() {}

    /** The length the request body will have: its own, 0 for a bodiless POST/PUT/PATCH, -1 unknown or none. */
    static long bodyLength(Request request) {
        RequestBody body = request.body();
        if (body == null) {
            String m = request.method();
            return m.equals("POST") || m.equals("PUT") || m.equals("PATCH") ? 0 : -1;
        }
        return body.contentLength();
    }

    /** Whether the request sends DATA frames (then HEADERS does not end the stream). */
    static boolean hasBody(Request request) {
        RequestBody body = request.body();
        return body != null && body.contentLength() != 0;
    }

    /**
     * The request's header list, with the client's default User-Agent and Accept-Encoding (each null for
     * none) unless the request sets its own.
     */
    static HeaderList requestHeaders(
            Request request, @Nullable String userAgent, @Nullable String acceptEncoding, long length) {
        HttpHeaders headers = request.headers();
        // No validation: names and values were checked when the request was built.
        HeaderList h = new HeaderList(headers.size() + 8);
        h.add(":method", request.method());
        h.add(":scheme", request.origin().scheme());
        h.add(":path", request.target());
        String host = headers.first("Host");
        h.add(":authority", host != null ? host : request.origin().hostHeader());
        boolean hasUserAgent = false;
        boolean hasAcceptEncoding = false;
        boolean hasContentType = false;
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "host",
                        "connection",
                        "keep-alive",
                        "proxy-connection",
                        "proxy-authorization",
                        "transfer-encoding",
                        "upgrade",
                        "content-length" -> {
                    // Connection-specific (RFC 9113 8.2.2), or written below from the body; proxy credentials
                    // never go to the origin (an HTTP/2 connection never reaches a forwarding proxy).
                    continue;
                }
                case "te" -> {
                    if (!headers.value(i).trim().equalsIgnoreCase("trailers")) continue;
                }
                case "user-agent" -> hasUserAgent = true;
                case "accept-encoding" -> hasAcceptEncoding = true;
                case "content-type" -> hasContentType = true;
                default -> {}
            }
            h.add(lower, headers.value(i));
        }
        if (!hasUserAgent && userAgent != null) {
            h.add("user-agent", userAgent);
        }
        if (!hasAcceptEncoding && acceptEncoding != null) {
            h.add("accept-encoding", acceptEncoding);
        }
        RequestBody body = request.body();
        String contentType = body != null && !hasContentType ? body.contentType() : null;
        if (contentType != null) {
            h.add("content-type", contentType);
        }
        if (length >= 0) {
            h.add("content-length", Long.toString(length));
        }
        return h;
    }

    /** The request's trailers as an HTTP/2 header list (names in lower case), asked for now; or null. */
    static @Nullable HeaderList requestTrailers(Request request) {
        java.util.function.Supplier<HttpHeaders> supplier = request.trailers();
        if (supplier == null) {
            return null;
        }
        HttpHeaders trailers = supplier.get();
        HeaderList h = new HeaderList(trailers.size());
        for (int i = 0, n = trailers.size(); i < n; i++) {
            h.add(trailers.name(i).toLowerCase(Locale.ROOT), trailers.value(i));
        }
        return h;
    }

    /** Whether a response has no content whatever it announces (RFC 9110 6.4.1): to HEAD, 204, 304. */
    static boolean hasNoContent(Request request, int status) {
        return status == 204 || status == 304 || request.method().equals("HEAD");
    }
}
