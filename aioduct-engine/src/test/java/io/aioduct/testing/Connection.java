package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One accepted connection of {@link TestServer}: its pipeline and its state. All mutable state is
 * confined to the channel's event loop.
 *
 * <p>Pipeline: {@code wire -> HttpServerCodec -> capture -> HttpObjectAggregator -> requests}. Responses
 * are written through the {@code wire} context, which sits nearer the socket than the codec, so they
 * reach the socket byte for byte and the codec's encoder never sees them (it only encodes the
 * aggregator's own {@code 100 Continue} / {@code 413} answers).
 */
final class Connection {

    static final int MAX_CONTENT_LENGTH = 64 * 1024 * 1024;

    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);

    /** The head of a request as it came off the wire, before the aggregator rewrites its framing headers. */
    private record Head(List<RecordedRequest.Header> headers, boolean chunked, boolean keepAlive) {}

    final TestServer server;
    final Channel channel;
    final int id;
    private final ConnectionAction action;

    private @Nullable ChannelHandlerContext wire;
    private @Nullable Head pendingHead; // decoding is sequential: at most one head awaits its body
    private boolean receiving;
    private int requestIndex;
    private @Nullable ServerExchange current;
    private long idleGeneration;
    /** Body bytes of the request being received (written on the loop, read by tests on theirs). */
    volatile int bodyBytes;

    Connection(TestServer server, Channel channel, int id, ConnectionAction action) {
        this.server = server;
        this.channel = channel;
        this.id = id;
        this.action = action;
    }

    void initPipeline() {
        ChannelPipeline p = channel.pipeline();
        if (action != ConnectionAction.NORMAL) {
            if (action == ConnectionAction.RESET) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            p.addLast("misbehave", new Misbehave());
            return;
        }
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(64 * 1024)
                .setMaxHeaderSize(256 * 1024)
                .setMaxChunkSize(1024 * 1024);
        p.addLast("wire", new ChannelOutboundHandlerAdapter());
        p.addLast("codec", new HttpServerCodec(config));
        p.addLast("capture", new Capture());
        p.addLast("aggregator", new HttpObjectAggregator(MAX_CONTENT_LENGTH) {
            @Override
            protected @Nullable Object newContinueResponse(
                    HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
                // A test that handles Expect: 100-continue itself answers it (TestServer#onExpectContinue).
                return server.expectContinueHandler() != null
                        ? null
                        : super.newContinueResponse(start, maxContentLength, pipeline);
            }
        });
        p.addLast("requests", new Requests());
        wire = p.context("wire");
    }

    // ---- used by ServerExchange / StreamingResponse / TestServer (all on the loop unless noted) ----

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
            return false; // the server is shut down; there is no connection left to act on
        }
    }

    /** Writes and flushes bytes straight to the socket, bypassing the HTTP codec. Releases {@code buf}. */
    ChannelFuture write(ByteBuf buf) {
        ChannelHandlerContext ctx = wire;
        if (ctx == null) {
            buf.release();
            return channel.newFailedFuture(new IllegalStateException("connection does not speak HTTP"));
        }
        return ctx.writeAndFlush(buf);
    }

    /** A future that completes once everything written so far has been written (or failed). */
    ChannelFuture flushed() {
        return write(Unpooled.EMPTY_BUFFER);
    }

    /** Closes after every pending write reached the socket. */
    void closeAfterWrites() {
        flushed().addListener(ChannelFutureListener.CLOSE);
    }

    void reset() {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    /** The exchange finished its response; {@code lastWrite} is the future of its last write. */
    void exchangeFinished(ChannelFuture lastWrite, boolean close) {
        if (close) {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        } else {
            armIdleTimer();
        }
    }

    /** Whether a request is being received or its response not yet finished. */
    boolean busy() {
        ServerExchange exchange = current;
        return receiving || (exchange != null && !exchange.isFinished());
    }

    /** Closes the connection when idle; returns the close future, or {@code null} when it was busy. */
    @Nullable
    ChannelFuture closeIfIdle() {
        return busy() || !channel.isOpen() ? null : channel.close();
    }

    /** (Re)starts the server idle timeout for this connection; a no-op while busy or when no timeout set. */
    void armIdleTimer() {
        long generation = ++idleGeneration;
        Duration timeout = server.idleTimeout();
        if (timeout == null || busy() || !channel.isOpen() || action != ConnectionAction.NORMAL) {
            return;
        }
        channel.eventLoop()
                .schedule(
                        () -> {
                            if (generation == idleGeneration && !busy() && server.idleTimeout() != null) {
                                channel.close();
                            }
                        },
                        timeout.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    private void onRequest(FullHttpRequest request) {
        Head head = pendingHead;
        pendingHead = null;
        if (head == null) { // cannot happen with the decoder in front, but never lose a request
            head = new Head(headerList(request.headers()), false, HttpUtil.isKeepAlive(request));
        }
        if (!request.decoderResult().isSuccess()) {
            server.recordFailure(new IllegalStateException(
                    "server could not parse a request on connection " + id,
                    request.decoderResult().cause()));
            receiving = false;
            ChannelFuture f = write(Unpooled.wrappedBuffer(BAD_REQUEST));
            f.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        RecordedRequest recorded = new RecordedRequest(
                request.method().name(),
                request.uri(),
                request.protocolVersion().text(),
                head.headers(),
                headerList(request.trailingHeaders()),
                ByteBufUtil.getBytes(request.content()),
                id,
                requestIndex++,
                head.chunked());
        ServerExchange previous = current;
        if (previous != null) {
            previous.supersede(); // the client moved on (or pipelines); the old response is over
        }
        ServerExchange exchange = new ServerExchange(this, recorded, !head.keepAlive());
        current = exchange;
        idleGeneration++;
        server.record(recorded);
        server.dispatch(recorded, exchange);
    }

    /** A request head asks for 100 (Continue): the test's handler answers it, before the body is read. */
    private void onExpectContinue(Handler handler, HttpRequest request) {
        RecordedRequest head = new RecordedRequest(
                request.method().name(),
                request.uri(),
                request.protocolVersion().text(),
                headerList(request.headers()),
                List.of(),
                new byte[0],
                id,
                requestIndex,
                HttpUtil.isTransferEncodingChunked(request));
        ServerExchange exchange = new ServerExchange(this, head, false);
        try {
            handler.handle(head, exchange);
        } catch (Throwable t) {
            server.recordFailure(t);
            exchange.failed(t);
        }
    }

    private static List<RecordedRequest.Header> headerList(HttpHeaders headers) {
        List<RecordedRequest.Header> list = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> e : headers) {
            list.add(new RecordedRequest.Header(e.getKey(), e.getValue()));
        }
        return list;
    }

    /** Snapshots each request head before the aggregator drops {@code Transfer-Encoding}. */
    private final class Capture extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                pendingHead = new Head(
                        headerList(request.headers()),
                        HttpUtil.isTransferEncodingChunked(request),
                        HttpUtil.isKeepAlive(request));
                receiving = true;
                idleGeneration++;
                bodyBytes = 0;
                Handler expect = server.expectContinueHandler();
                if (expect != null && HttpUtil.is100ContinueExpected(request)) {
                    onExpectContinue(expect, request);
                }
            }
            if (msg instanceof HttpContent content) {
                bodyBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                receiving = false;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            armIdleTimer();
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            onRequest(request);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Typically the client reset the connection; that is the client's business, not a failure.
            TestServer.LOG.debug("connection {} failed: {}", id, cause.toString());
            ctx.close();
        }
    }

    /** Pipeline of a connection whose {@link ConnectionAction} is not {@code NORMAL}. */
    private final class Misbehave extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (action == ConnectionAction.CLOSE_IMMEDIATELY || action == ConnectionAction.RESET) {
                ctx.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
