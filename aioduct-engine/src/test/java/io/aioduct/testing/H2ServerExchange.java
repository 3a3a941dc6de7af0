package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 stream of {@link H2TestServer} seen from the server: the request, and full control over
 * what goes back, well-formed or not. Every method may be called from any thread; calls run on the
 * connection's event loop in call order.
 *
 * <p>The well-formed answers ({@link #respond}, {@link #respondStreaming}) go through Netty's HTTP/2
 * encoder: HPACK, frame splitting at the client's {@code SETTINGS_MAX_FRAME_SIZE} and the client's
 * flow-control windows are all respected, so a 1 MiB body is sent as fast as the client grants window.
 * Convenience header names are lower-cased as HTTP/2 requires; {@link #respond(Http2Headers, byte[],
 * Http2Headers)} sends exactly the fields given. Netty does <em>not</em> hold the answer to the client's
 * {@code SETTINGS_MAX_HEADER_LIST_SIZE} ({@link #respondOversizedHeaders}).
 *
 * <p>The misbehaviours act on the stream ({@link #reset}), the connection ({@link #goAway},
 * {@link #closeConnection}, {@link #resetConnection}), flow control ({@link #stallWindow}) or the raw
 * byte stream ({@link #writeRawFrame}, {@link #writeRaw}, which bypass Netty's HTTP/2 state entirely).
 * Methods returning a future complete it once the bytes reached the socket and fail it if they could not
 * be written (stream or connection gone, server closed); the others record such failures nowhere.
 */
public final class H2ServerExchange {

    private final H2Connection connection;
    private final H2Connection.StreamState state;
    private final CompletableFuture<RecordedRequest> requestComplete = new CompletableFuture<>();
    private final boolean headRequest;
    private volatile RecordedRequest request;

    // Confined to the event loop.
    private boolean started;
    private boolean closed;

    H2ServerExchange(H2Connection connection, H2Connection.StreamState state) {
        this.connection = connection;
        this.state = state;
        this.request = state.toRecorded(connection.id, false);
        this.headRequest = request.method().equals("HEAD");
    }

    /** The request: complete for a handler of {@link H2TestServer#route}; just its head for {@code routeOnHeaders}. */
    public RecordedRequest request() {
        return request;
    }

    /**
     * Completes with the whole request once its END_STREAM arrived; fails if the stream closed (reset,
     * GOAWAY, connection lost) before that.
     */
    public CompletableFuture<RecordedRequest> requestComplete() {
        return requestComplete;
    }

    /** Request body bytes received so far on this stream (padding excluded); safe from any thread. */
    public int bodyBytesReceived() {
        return state.bodyBytes;
    }

    /** The stream carrying this exchange (odd: 1, 3, 5...). */
    public int streamId() {
        return state.streamId;
    }

    /** The id of the connection carrying this exchange (1 for the first accepted, then increasing). */
    public int connectionId() {
        return connection.id;
    }

    // ---- well-formed answers ----

    /** A complete response with a UTF-8 {@code text/plain} body and {@code content-length}. */
    public void respond(int status, String body) {
        respond(status, body.getBytes(StandardCharsets.UTF_8), "content-type", "text/plain; charset=utf-8");
    }

    /** A complete response; {@code content-length} is added unless among the headers ({@code name, value, ...}). */
    public void respond(int status, byte[] body, String... headerNameValuePairs) {
        respond(status, body, Map.of(), headerNameValuePairs);
    }

    /**
     * A complete response: HEADERS, DATA (unless empty), then a trailing HEADERS with {@code trailers}
     * (unless empty) carrying END_STREAM.
     */
    public void respond(int status, byte[] body, Map<String, String> trailers, String... headerNameValuePairs) {
        Http2Headers headers = headers(status, headerNameValuePairs);
        if (!headers.contains("content-length")) {
            headers.add("content-length", Integer.toString(body.length));
        }
        respond(headers, body, trailers.isEmpty() ? null : fields(trailers));
    }

    /** A complete response with exactly these header and trailer fields (no validation, no additions). */
    public void respond(Http2Headers headers, byte[] body, @Nullable Http2Headers trailers) {
        byte[] copy = body.clone();
        connection.onLoop(() -> {
            start();
            if (closed) {
                return; // reset, GOAWAY or connection lost: there is no stream left to answer on
            }
            ChannelHandlerContext ctx = connection.ctx();
            boolean noData = headRequest || copy.length == 0;
            connection
                    .encoder()
                    .writeHeaders(ctx, streamId(), headers, 0, noData && trailers == null, ctx.newPromise());
            if (!noData) {
                connection
                        .encoder()
                        .writeData(
                                ctx, streamId(), Unpooled.wrappedBuffer(copy), 0, trailers == null, ctx.newPromise());
            }
            if (trailers != null) {
                connection.encoder().writeHeaders(ctx, streamId(), trailers, 0, true, ctx.newPromise());
            }
            connection.flushH2();
        });
    }

    /** An interim (1xx) response, e.g. {@code 100} or {@code 103}; the final one must follow. */
    public void informational(int status, String... headerNameValuePairs) {
        if (status < 100 || status > 199) {
            throw new IllegalArgumentException("not an informational status: " + status);
        }
        Http2Headers headers = headers(status, headerNameValuePairs);
        connection.onLoop(() -> {
            ChannelHandlerContext ctx = connection.ctx();
            connection.encoder().writeHeaders(ctx, streamId(), headers, 0, false, ctx.newPromise());
            connection.flushH2();
        });
    }

    /** Sends the response HEADERS now and returns a writer for DATA sent later, from any thread. */
    public H2StreamingResponse respondStreaming(int status, String... headerNameValuePairs) {
        Http2Headers headers = headers(status, headerNameValuePairs);
        connection.onLoop(() -> {
            start();
            ChannelHandlerContext ctx = connection.ctx();
            connection.encoder().writeHeaders(ctx, streamId(), headers, 0, false, ctx.newPromise());
            connection.flushH2();
        });
        return new H2StreamingResponse(this, connection, headRequest);
    }

    /**
     * A {@code 200} whose header list is at least {@code headerListSize} bytes as HTTP/2 counts them
     * (name + value + 32 per field), in fields of about 4 KiB, ending the stream. Sent whatever the
     * client's {@code SETTINGS_MAX_HEADER_LIST_SIZE}, split into HEADERS and CONTINUATION frames.
     */
    public void respondOversizedHeaders(int headerListSize) {
        Http2Headers headers = new DefaultHttp2Headers(false).status("200");
        String value = "x".repeat(4000);
        int size = 32 + ":status".length() + 3;
        for (int i = 0; size < headerListSize; i++) {
            String name = "x-filler-" + i;
            headers.add(name, value);
            size += 32 + name.length() + value.length();
        }
        respond(headers, new byte[0], null);
    }

    // ---- stream and connection misbehaviour ----

    /** Sends RST_STREAM with {@code errorCode} (e.g. {@code Http2Error.REFUSED_STREAM.code()}) and forgets the stream. */
    public CompletableFuture<Void> reset(long errorCode) {
        return onLoopFuture(() -> {
            started = true;
            ChannelHandlerContext ctx = connection.ctx();
            ChannelFuture f = connection.resetStream(ctx, streamId(), errorCode, ctx.newPromise());
            connection.flushH2();
            return f;
        });
    }

    /** Sends RST_STREAM with {@code error}. */
    public CompletableFuture<Void> reset(Http2Error error) {
        return reset(error.code());
    }

    /**
     * Sends GOAWAY with {@code lastStreamId} and {@code errorCode}. Streams above {@code lastStreamId}
     * are forgotten at once (the client must retry them elsewhere); streams at or below it may still be
     * answered. With {@code NO_ERROR} the connection closes once no stream is active any more; with any
     * other code Netty closes it as soon as the GOAWAY is written. A second GOAWAY must not raise
     * {@code lastStreamId} (use {@link #writeRawFrame} for that).
     */
    public CompletableFuture<Void> goAway(int lastStreamId, long errorCode) {
        return goAway(lastStreamId, errorCode, "");
    }

    /** {@link #goAway(int, long)} with UTF-8 debug data. */
    public CompletableFuture<Void> goAway(int lastStreamId, long errorCode, String debugData) {
        byte[] debug = debugData.getBytes(StandardCharsets.UTF_8);
        return onLoopFuture(() -> connection.goAwayAndCloseWhenIdle(lastStreamId, errorCode, debug));
    }

    /**
     * Stops handing flow-control credit back for this request's body: its bytes stay unconsumed and no
     * WINDOW_UPDATE is sent for them, so the client's upload stalls once the stream window (see
     * {@link H2TestServer.Builder#initialWindowSize}) or the connection window is used up. Call it from
     * a {@link H2TestServer#routeOnHeaders} handler to stall from the first byte.
     */
    public void stallWindow() {
        connection.onLoop(() -> {
            try {
                connection.stall(state, true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Ends {@link #stallWindow()}: consumes the bytes held back so WINDOW_UPDATEs go out, and resumes. */
    public void releaseWindow() {
        connection.onLoop(() -> {
            try {
                connection.stall(state, false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Sends a new SETTINGS frame on this connection (e.g. lower {@code maxConcurrentStreams} mid-flight). */
    public CompletableFuture<Void> sendSettings(Http2Settings settings) {
        Http2Settings copy = new Http2Settings();
        copy.putAll(settings);
        return onLoopFuture(() -> {
            ChannelHandlerContext ctx = connection.ctx();
            ChannelFuture f = connection.encoder().writeSettings(ctx, copy, ctx.newPromise());
            connection.flushH2();
            return f;
        });
    }

    /**
     * Writes one frame exactly as given, past Netty's HTTP/2 state: a 9-byte header (24-bit length of
     * {@code payload}, {@code type}, {@code flags}, {@code streamId} as a raw 32-bit word) then the payload.
     * Types and flags are in Netty's {@code Http2FrameTypes} and {@code Http2CodecUtil}; e.g. a DATA frame on
     * stream 0, a PING of 7 bytes, a HEADERS frame whose block is not valid HPACK, or an unknown type.
     */
    public CompletableFuture<Void> writeRawFrame(int type, int flags, int streamId, byte[] payload) {
        if (payload.length > 0xFFFFFF) {
            throw new IllegalArgumentException("a frame payload cannot exceed 2^24-1 bytes: " + payload.length);
        }
        byte[] copy = payload.clone();
        return onLoopFuture(() -> {
            ByteBuf buf = connection.channel.alloc().buffer(9 + copy.length);
            buf.writeMedium(copy.length).writeByte(type).writeByte(flags).writeInt(streamId);
            buf.writeBytes(copy);
            return connection.writeRaw(buf);
        });
    }

    /** Writes {@code bytes} to the connection exactly as given (after anything HTTP/2 has pending). */
    public CompletableFuture<Void> writeRaw(byte[] bytes) {
        byte[] copy = bytes.clone();
        return onLoopFuture(() -> connection.writeRaw(
                connection.channel.alloc().buffer(copy.length).writeBytes(copy)));
    }

    /** Closes the TCP connection now without a GOAWAY (with TLS, after a close_notify). */
    public void closeConnection() {
        connection.onLoop(connection::closeAbruptly);
    }

    /** Closes the TCP connection abortively ({@code SO_LINGER} 0): the client sees a connection reset. */
    public void resetConnection() {
        connection.onLoop(() -> {
            if (connection.channel.isOpen()) {
                connection.channel.config().setOption(ChannelOption.SO_LINGER, 0);
                connection.closeAbruptly();
            }
        });
    }

    /** Does nothing, ever: the stream is never answered. */
    public void stall() {
        // Deliberately empty: it documents intent in a handler.
    }

    /**
     * Runs {@code action} on the connection's event loop after {@code delay}. An exception it throws is
     * recorded in {@link H2TestServer#failures()} and resets the stream with INTERNAL_ERROR.
     */
    public ScheduledFuture<?> schedule(Duration delay, Runnable action) {
        return connection
                .channel
                .eventLoop()
                .schedule(
                        () -> {
                            try {
                                action.run();
                            } catch (Throwable t) {
                                connection.server.recordFailure(t);
                                reset(Http2Error.INTERNAL_ERROR);
                            }
                        },
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "H2ServerExchange[connection " + connection.id + ", stream " + state.streamId + ", " + request + "]";
    }

    // ---- package-private, on the loop ----

    void requestCompleted(RecordedRequest complete) {
        request = complete;
        requestComplete.complete(complete);
    }

    /** The stream closed (both sides ended, reset either way, GOAWAY, or the connection went). */
    void streamClosed() {
        closed = true;
        requestComplete.completeExceptionally(
                new IllegalStateException("stream " + state.streamId + " closed before its request ended"));
    }

    boolean isClosed() {
        return closed;
    }

    /** The handler threw: answer 500 if nothing was sent yet, else reset the stream. */
    void failed(Throwable cause) {
        if (closed) {
            return;
        }
        if (started) {
            reset(Http2Error.INTERNAL_ERROR);
        } else {
            respond(500, "handler failed: " + cause);
        }
    }

    // ---- helpers ----

    private void start() {
        if (started) {
            throw new IllegalStateException("a response was already started for " + request);
        }
        started = true;
    }

    private interface LoopAction {
        ChannelFuture run();
    }

    private CompletableFuture<Void> onLoopFuture(LoopAction action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean accepted = connection.onLoop(() -> {
            try {
                Wire.toCompletable(action.run()).whenComplete((v, t) -> {
                    if (t == null) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(t);
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        if (!accepted) {
            done.completeExceptionally(new IllegalStateException("the test server is closed"));
        }
        return done;
    }

    /** {@code :status} and the given fields, names lower-cased, values as given, no validation. */
    static Http2Headers headers(int status, String... headerNameValuePairs) {
        List<String> pairs = Wire.pairs(headerNameValuePairs);
        Http2Headers headers = new DefaultHttp2Headers(false).status(Integer.toString(status));
        for (int i = 0; i < pairs.size(); i += 2) {
            headers.add(pairs.get(i).toLowerCase(Locale.ROOT), pairs.get(i + 1));
        }
        return headers;
    }

    static Http2Headers fields(Map<String, String> fields) {
        Http2Headers headers = new DefaultHttp2Headers(false);
        fields.forEach((name, value) -> headers.add(name.toLowerCase(Locale.ROOT), value));
        return headers;
    }
}
