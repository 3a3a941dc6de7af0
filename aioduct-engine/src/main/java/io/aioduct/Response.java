package io.aioduct;

import io.aioduct.body.BodySource;
import io.aioduct.body.BytesSource;
import io.aioduct.exchange.Responses;
import io.aioduct.syntax.HeaderRules;
import io.aioduct.syntax.ReasonPhrase;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response: status, version and headers as soon as they arrive, the body streamed after. Close it
 * (or consume its body) so its connection goes back to the pool. Safe to pass between threads.
 *
 * <p>The engine builds the responses that come from the network; an interceptor that answers without
 * sending (a cache, a stub, a test) builds one with {@link #builder(Request, int)}.
 */
public final class Response implements AutoCloseable {
    static {
        Responses.install(new Responses.Factory() {
            @Override
            public Response create(
                    Request request,
                    int status,
                    ReasonPhrase reason,
                    HttpVersion version,
                    HttpHeaders headers,
                    BodySource body,
                    long bufferLimit) {
                return new Response(request, status, reason, version, headers, body, bufferLimit);
            }

            @Override
            public BodySource source(Response response) {
                return response.source;
            }

            @Override
            public long bufferLimit(Response response) {
                return response.bufferLimit;
            }
        });
    }

    private final Request request;
    private final int status;
    private final ReasonPhrase reason;
    private final HttpVersion version;
    private final HttpHeaders headers;
    private final ResponseBody body;
    private final BodySource source;
    private final long bufferLimit;

    /**
     * Connections build responses (through {@link Responses}); user code receives them. The reason phrase is
     * decoded only if {@link #reason()} is called.
     */
    Response(
            Request request,
            int status,
            ReasonPhrase reason,
            HttpVersion version,
            HttpHeaders headers,
            BodySource body,
            long bufferLimit) {
        this.request = request;
        this.status = status;
        this.reason = reason;
        this.version = version;
        this.headers = headers;
        this.source = body;
        this.bufferLimit = bufferLimit;
        // The Content-Type string is looked up only if the body is decoded as text (charset()).
        this.body = new ResponseBody(body, headers, bufferLimit);
    }

    /**
     * The request that produced this response (after any interceptor changes). After redirects it is the last
     * hop's request, so {@code request().uri()} is the URI the response really came from.
     */
    public Request request() {
        return request;
    }

    /** The status code; any value from 100 to 999 comes through, known or not. */
    public int status() {
        return status;
    }

    /**
     * The reason phrase of the HTTP/1.x status line exactly as the server sent it ({@code "Server Error"}
     * for {@code 500 Server Error}), never one looked up from the status code; "" when the server sent
     * none, and always "" over HTTP/2, which has no reason phrase. Decoded as ISO-8859-1 on first call.
     */
    public String reason() {
        return reason.reasonPhrase();
    }

    public HttpVersion version() {
        return version;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public ResponseBody body() {
        return body;
    }

    /**
     * The trailer fields sent after the body (HTTP/2, or HTTP/1.1 chunked), once the body has been read
     * to its end; empty when the server sent none. Fails if the body fails.
     */
    public java.util.concurrent.CompletionStage<HttpHeaders> trailers() {
        return source.trailers();
    }

    /** Same as {@code body().close()}. */
    @Override
    public void close() {
        body.close();
    }

    @Override
    public String toString() {
        return version + " " + status + " (" + request + ")";
    }

    /**
     * A response made up without the network, for {@code request} (the one it answers) with {@code status}:
     * HTTP/1.1, no headers and an empty body unless set. Its body is held in memory, holds no connection, and
     * reads like any other (once).
     *
     * @throws IllegalArgumentException if {@code status} is not a three-digit code (100 to 999)
     */
    public static Builder builder(Request request, int status) {
        return new Builder(Objects.requireNonNull(request, "request"), status);
    }

    /** Builds a made-up {@link Response}. Not thread-safe. */
    public static final class Builder {
        private final Request request;
        private final int status;
        private HttpVersion version = HttpVersion.HTTP_1_1;
        private final HttpHeaders.Builder headers = HttpHeaders.builder();
        private byte[] body = new byte[0];

        private Builder(Request request, int status) {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("a status code has three digits (100 to 999), was " + status);
            }
            this.request = request;
            this.status = status;
        }

        public Builder version(HttpVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Adds a header field (checked like a request's). */
        public Builder header(String name, String value) {
            HeaderRules.checkName(Objects.requireNonNull(name, "name"));
            HeaderRules.checkValue(name, Objects.requireNonNull(value, "value"));
            headers.add(name, value);
            return this;
        }

        /** Adds every field of {@code more}. */
        public Builder headers(HttpHeaders more) {
            headers.addAll(Objects.requireNonNull(more, "headers"));
            return this;
        }

        /** The body's bytes; the response keeps the array (do not change it afterwards). */
        public Builder body(byte[] bytes) {
            this.body = Objects.requireNonNull(bytes, "body");
            return this;
        }

        /** The body as UTF-8 text (add a {@code Content-Type} with {@code charset=utf-8} if it is text). */
        public Builder body(String text) {
            return body(Objects.requireNonNull(text, "body").getBytes(StandardCharsets.UTF_8));
        }

        public Response build() {
            return new Response(
                    request,
                    status,
                    ReasonPhrase.NONE,
                    version,
                    headers.build(),
                    body.length == 0 ? BodySource.EMPTY : new BytesSource(body),
                    Long.MAX_VALUE);
        }
    }
}
