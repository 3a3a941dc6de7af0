package io.aioduct.spring.http;

import io.aioduct.Request;
import org.springframework.http.HttpHeaders;

/** Moves headers between Spring's {@link HttpHeaders} and the engine's, keeping every value and its order. */
final class SpringHeaders {
    private SpringHeaders() {}

    /**
     * Adds Spring's request headers to an engine request. Framing headers are left out: the engine
     * frames the body itself from the length it is given.
     */
    static void copyTo(HttpHeaders headers, Request.Builder request) {
        headers.forEach((name, values) -> {
            if (isFraming(name)) {
                return;
            }
            for (String value : values) {
                request.header(name, value == null ? "" : value);
            }
        });
    }

    static boolean isFraming(String name) {
        return name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)
                || name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING);
    }

    /** A mutable Spring copy of the engine's response headers, multi-valued headers kept whole. */
    static HttpHeaders fromEngine(io.aioduct.HttpHeaders headers) {
        HttpHeaders out = new HttpHeaders();
        for (int i = 0, n = headers.size(); i < n; i++) {
            out.add(headers.name(i), headers.value(i));
        }
        return out;
    }
}
