package io.aioduct;

import io.aioduct.body.BodySource;
import io.aioduct.syntax.ReasonPhrase;

/**
 * A response: status, version and headers as soon as they arrive, the body streamed after. Close it
 * (or consume its body) so its connection goes back to the pool. Safe to pass between threads.
 */
public final class Response implements AutoCloseable {
    private final Request request;
    private final int status;
    private final ReasonPhrase reason;
    private final HttpVersion version;
    private final HttpHeaders headers;
    private final ResponseBody body;
    private final BodySource source;

    /** Engine use: a response without a reason phrase (HTTP/2, or one made up by an interceptor). */
    public Response(
            Request request, int status, HttpVersion version, HttpHeaders headers, BodySource body, long bufferLimit) {
        this(request, status, ReasonPhrase.NONE, version, headers, body, bufferLimit);
    }

    /**
     * Engine use: connections build responses; user code receives them. The reason phrase is decoded only
     * if {@link #reason()} is called.
     */
    public Response(
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
        // The Content-Type string is looked up only if the body is decoded as text (charset()).
        this.body = new ResponseBody(body, headers, bufferLimit);
    }

    /** The request that produced this response (after any interceptor changes). */
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
}
