package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.netty.buffer.ByteBuf;

/**
 * What happens on one client stream, as the {@link Http2Session} reports it. Called on whatever thread
 * drives the session, with the session's state consistent; must not call back into the session's
 * {@code receive}.
 */
public interface StreamHandler {

    /**
     * The final (non-1xx) response head, well-formed (RFC 9113 section 8): one {@code :status} of three
     * digits first ({@code status}), lower-case regular fields with clean values ({@code headers}, without
     * the pseudo-header), no connection-specific field, at most one content-length value, whose {@code
     * contentLength} this is (-1 without one). A malformed head never arrives here: the session resets the
     * stream and calls {@link #onClosed} instead.
     */
    void onResponse(int status, HttpHeaders headers, long contentLength, boolean endStream);

    /** An interim (1xx) response head, well-formed like {@link #onResponse}'s; the final one follows. */
    default void onInterim(int status) {}

    /**
     * The trailers, which end the stream: regular fields only, and the DATA before them matched any
     * content-length. Malformed ones never arrive here (see {@link #onResponse}).
     */
    void onTrailers(HttpHeaders trailers);

    /**
     * Response payload: {@code length} bytes of {@code in} at {@code index}, valid only during the call.
     * Where the response has content, never more than its content-length, and exactly that much in all
     * by {@code endStream}.
     */
    void onData(ByteBuf in, int index, int length, boolean endStream);

    /**
     * The stream ended without a normal end: reset by the server, a stream or connection error, the
     * connection closing or going away. {@code refused} means the server certainly did not process the
     * request (REFUSED_STREAM, or above a GOAWAY's last stream id), so it may be sent again elsewhere.
     */
    void onClosed(Throwable cause, boolean refused);

    /** Flow-control window opened after {@link Http2Session#writeData} wrote less than asked. */
    void onWritable();
}
