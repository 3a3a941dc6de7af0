package io.aioduct.http2;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * What happens on one client stream, as the {@link Http2Session} reports it. Called on whatever thread
 * drives the session, with the session's state consistent; must not call back into the session's
 * {@code receive}.
 */
public interface StreamHandler {

    /**
     * The response head (a final, non-1xx status), or the trailers (then {@code trailers} is true and
     * {@code endStream} too).
     */
    void onHeaders(Http2Headers headers, boolean trailers, boolean endStream);

    /** Response payload: {@code length} bytes of {@code in} at {@code index}, valid only during the call. */
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
