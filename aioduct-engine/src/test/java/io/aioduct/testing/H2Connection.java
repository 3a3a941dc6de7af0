package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 connection of {@link H2TestServer}: Netty's connection handler (framing, HPACK, stream
 * states, flow control) with this class as its frame listener, and the per-stream state the exchanges
 * need. All mutable state is confined to the channel's event loop.
 *
 * <p>Pipeline: {@code [tls ->] h2-wire -> h2}. Raw bytes ({@link H2ServerExchange#writeRaw}) are written
 * from the {@code h2-wire} context, nearer the socket than the HTTP/2 handler, so they bypass framing,
 * HPACK and stream state entirely (but still go through TLS).
 *
 * <p>Request bodies are consumed for flow control as they arrive (Netty then sends WINDOW_UPDATE once
 * half a window is used) unless the stream is {@linkplain H2ServerExchange#stallWindow() stalled}.
 */
final class H2Connection extends Http2ConnectionHandler implements Http2FrameListener {

    /** Per-stream state, from the request's first HEADERS until the stream closes. */
    static final class StreamState {
        final int streamId;
        final List<RecordedRequest.Header> headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final H2ServerExchange exchange;
        final int requestIndex;
        List<RecordedRequest.Header> trailers = List.of();
        volatile int bodyBytes; // written on the loop, read by tests on theirs
        boolean stalled;
        boolean complete;

        StreamState(H2Connection connection, int streamId, List<RecordedRequest.Header> headers, int requestIndex) {
            this.streamId = streamId;
            this.headers = headers;
            this.requestIndex = requestIndex;
            this.exchange = new H2ServerExchange(connection, this);
        }

        String header(String name) {
            for (RecordedRequest.Header h : headers) {
                if (h.name().equals(name)) {
                    return h.value();
                }
            }
            return "";
        }

        RecordedRequest toRecorded(int connectionId, boolean withBody) {
            return new RecordedRequest(
                    header(":method"),
                    header(":path"),
                    "HTTP/2.0",
                    headers,
                    withBody ? trailers : List.of(),
                    withBody ? body.toByteArray() : new byte[0],
                    connectionId,
                    requestIndex,
                    false,
                    streamId);
        }
    }

    final H2TestServer server;
    final Channel channel;
    final int id;

    private final Map<Integer, StreamState> streams = new HashMap<>();
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ChannelHandlerContext wire;
    private int requestIndex;
    private boolean closeWhenIdle;

    private H2Connection(
            H2TestServer server,
            Channel channel,
            int id,
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings) {
        super(decoder, encoder, settings);
        this.server = server;
        this.channel = channel;
        this.id = id;
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                server.streamActive(connection().numActiveStreams());
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                StreamState state = streams.remove(stream.id());
                if (state != null) {
                    state.exchange.streamClosed();
                }
                if (closeWhenIdle && connection().numActiveStreams() == 0) {
                    // Not from inside Netty's stream bookkeeping: close once this event is handled.
                    channel.eventLoop().execute(channel::close);
                }
            }
        });
    }

    /** Installs the HTTP/2 server handler for connection {@code id} at the end of {@code channel}'s pipeline. */
    static void install(H2TestServer server, Channel channel, int id, Http2Settings settings) {
        Http2Settings copy = new Http2Settings();
        copy.putAll(settings);
        H2Connection handler = new Builder(server, channel, id, copy).build();
        ChannelPipeline p = channel.pipeline();
        p.addLast("h2-wire", new ChannelOutboundHandlerAdapter());
        p.addLast("h2", handler);
    }

    // ---- used by H2ServerExchange / H2TestServer ----

    /**
     * Runs {@code task} on this connection's loop: inline when already there (exceptions propagate).
     * Returns {@code false} when the task was dropped because the server is shut down.
     */
    boolean onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            channel.eventLoop().execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    server.recordFailure(t);
                }
            });
            return true;
        } catch (RejectedExecutionException serverClosed) {
            return false;
        }
    }

    ChannelHandlerContext ctx() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("connection " + id + " has no HTTP/2 handler yet");
        }
        return c;
    }

    /** Writes what the HTTP/2 handler has pending (flow control permitting) and flushes the socket. */
    void flushH2() {
        flush(ctx());
    }

    /** Writes {@code buf} straight to the socket, past the HTTP/2 handler, after what it has pending. */
    ChannelFuture writeRaw(ByteBuf buf) {
        ChannelHandlerContext w = wire;
        if (w == null) {
            buf.release();
            return channel.newFailedFuture(new IllegalStateException("connection " + id + " is not set up"));
        }
        flushH2();
        return w.writeAndFlush(buf);
    }

    /** Closes the socket without a GOAWAY (with TLS, after a close_notify). */
    ChannelFuture closeAbruptly() {
        ChannelHandlerContext w = wire;
        return w == null ? channel.close() : w.close();
    }

    /** Sends GOAWAY, then closes the connection once no stream is active any more. */
    ChannelFuture goAwayAndCloseWhenIdle(int lastStreamId, long errorCode, byte[] debugData) {
        ChannelHandlerContext c = ctx();
        ChannelFuture future =
                goAway(c, lastStreamId, errorCode, c.alloc().buffer().writeBytes(debugData), c.newPromise());
        flushH2();
        closeWhenIdle = true;
        if (connection().numActiveStreams() == 0) {
            future.addListener(f -> channel.close());
        }
        return future;
    }

    /** Stops or restarts handing flow-control credit back for {@code state}'s request body. */
    void stall(StreamState state, boolean stall) throws Http2Exception {
        state.stalled = stall;
        Http2Stream stream = connection().stream(state.streamId);
        if (!stall && stream != null) {
            int unconsumed = connection().local().flowController().unconsumedBytes(stream);
            if (unconsumed > 0) {
                connection().local().flowController().consumeBytes(stream, unconsumed);
                flushH2();
            }
        }
    }

    // ---- Netty callbacks ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.wire = ctx.pipeline().context("h2-wire");
        super.handlerAdded(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        // Typically the client reset the connection; that is the client's business, not a failure.
        H2TestServer.LOG.debug("h2 connection {} failed: {}", id, cause.toString());
        ctx.close();
    }

    @Override
    protected void onConnectionError(
            ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception http2Ex) {
        if (!outbound && http2Ex != null) {
            server.recordFailure(new IllegalStateException(
                    "the client broke HTTP/2 on connection " + id + ": " + http2Ex.error() + " " + cause.getMessage(),
                    cause));
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    @Override
    protected void onStreamError(
            ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception.StreamException http2Ex) {
        if (http2Ex.error() == Http2Error.REFUSED_STREAM) {
            server.streamRefused();
        }
        H2TestServer.LOG.debug("h2 connection {} stream {} error: {}", id, http2Ex.streamId(), cause.toString());
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
        StreamState state = streams.get(streamId);
        if (state == null) {
            state = new StreamState(this, streamId, headerList(headers), requestIndex++);
            streams.put(streamId, state);
            server.requestStarted(state.toRecorded(id, false), state.exchange);
        } else {
            state.trailers = headerList(headers);
        }
        if (endOfStream) {
            complete(state);
        }
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx,
            int streamId,
            Http2Headers headers,
            int streamDependency,
            short weight,
            boolean exclusive,
            int padding,
            boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        int length = data.readableBytes();
        StreamState state = streams.get(streamId);
        if (state == null) {
            return length + padding;
        }
        state.body.writeBytes(ByteBufUtil.getBytes(data));
        state.bodyBytes = state.body.size();
        if (endOfStream) {
            complete(state);
        }
        // A stalled stream keeps its bytes "unconsumed": Netty sends no WINDOW_UPDATE for them.
        return state.stalled ? 0 : length + padding;
    }

    @Override
    public void onPriorityRead(
            ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive) {}

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        server.recordReset(new H2TestServer.ReceivedReset(id, streamId, errorCode));
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {}

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        Http2Settings copy = new Http2Settings();
        copy.putAll(settings);
        server.recordSettings(new H2TestServer.ReceivedSettings(id, copy));
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onPushPromiseRead(
            ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers, int padding) {}

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        server.recordGoAway(new H2TestServer.ReceivedGoAway(
                id, lastStreamId, errorCode, debugData.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {}

    @Override
    public void onUnknownFrame(
            ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {
        H2TestServer.LOG.debug(
                "h2 connection {} ignored unknown frame type {} on stream {}: {}",
                id,
                frameType,
                streamId,
                ByteBufUtil.hexDump(payload));
    }

    private void complete(StreamState state) {
        if (state.complete) {
            return;
        }
        state.complete = true;
        RecordedRequest recorded = state.toRecorded(id, true);
        server.requestCompleted(recorded, state.exchange);
    }

    private static List<RecordedRequest.Header> headerList(Http2Headers headers) {
        List<RecordedRequest.Header> list = new ArrayList<>(headers.size());
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            list.add(new RecordedRequest.Header(
                    e.getKey().toString(), e.getValue().toString()));
        }
        return list;
    }

    /** Builds the handler with the server's settings; all builder options are protected, hence this class. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2Connection, Builder> {
        private final H2TestServer server;
        private final Channel channel;
        private final int id;

        Builder(H2TestServer server, Channel channel, int id, Http2Settings settings) {
            this.server = server;
            this.channel = channel;
            this.id = id;
            server(true);
            initialSettings(settings);
            // Record what the client sent, however odd, instead of rejecting it before a test can look.
            validateHeaders(false);
            // Let a test send a header list larger than the client's SETTINGS_MAX_HEADER_LIST_SIZE.
            encoderIgnoreMaxHeaderListSize(true);
            // A close (closeAllConnections, GOAWAY done) sends GOAWAY and closes at once, busy or not.
            gracefulShutdownTimeoutMillis(0);
            // Tests reset streams on purpose, many times; Netty's server default would call that an attack.
            encoderEnforceMaxRstFramesPerWindow(0, 0);
            decoderEnforceMaxRstFramesPerWindow(0, 0);
        }

        @Override
        protected H2Connection build() {
            return super.build();
        }

        @Override
        protected H2Connection build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            H2Connection handler = new H2Connection(server, channel, id, decoder, encoder, initialSettings);
            frameListener(handler);
            return handler;
        }
    }
}
