package io.aioduct.http1;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.body.BodyBuffer;
import io.aioduct.exchange.ConnectionOwner;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.ExpectContinue;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.exchange.Retry;
import io.aioduct.protocol.Http1Options;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection on a Netty channel (epoll, io_uring or NIO), carrying one exchange at a time.
 * This class is the exchange's lifecycle: it writes the request, enforces the response, read and total
 * timeouts with a single lazily re-armed timer, ends the exchange when the message ends or fails, and
 * gives the connection back through the exchange. Its {@link LoopResponseReader} is the inbound side:
 * it parses the response with the shared codec and streams the body into a {@link BodyBuffer}.
 *
 * <p>Threading: all state is confined to the channel's event loop; {@link #start} must run there.
 * The only cross-thread entry points are {@link #cancel} and the body's pause/resume/abort, which hop
 * onto the loop.
 *
 * <p>A small response is handed to the caller only after the bytes that arrived with its head are
 * decoded, so a body that fits in one read is complete, and the connection already back in the pool,
 * by the time the caller sees the response.
 */
public final class Http1LoopConnection extends ChannelInboundHandlerAdapter implements LoopConnection {

    /** Where the connection is in its exchange; {@link LoopResponseReader} moves it from head to body. */
    enum State {
        IDLE,
        AWAITING_HEAD,
        BODY,
        CLOSED
    }

    private final Channel channel;
    private final EventLoop loop;
    private final ConnectionOwner<LoopConnection> owner;
    private final LoopResponseReader reader;
    /** The exchange's timeouts; its reader re-arms it when reading resumes. */
    final LoopExchangeTimer timer;
    /** The engine\'s clock: every time this connection measures comes from it. */
    private final Ticker ticker;

    private volatile boolean reusable = true;
    private State state = State.IDLE;
    /** The running exchange, null between exchanges. */
    @Nullable
    ExchangeCall call;

    private @Nullable LoopRequestPump pump;
    /** The body of a request sent with Expect: 100-continue, while it waits; its reader releases it. */
    final LoopContinueWait continueWait = new LoopContinueWait(this);

    private boolean reused;
    private boolean requestComplete;
    private @Nullable Throwable closeCause;
    private final ConnectionTag tag;
    private final Http1Route route;
    private @Nullable String closeReason;
    /** The running exchange's event bookkeeping, looked up once per exchange; null without a listener. */
    @Nullable
    ExchangeEvents events;

    public Http1LoopConnection(
            Channel channel,
            ConnectionOwner<LoopConnection> owner,
            Http1Options options,
            Ticker ticker,
            ConnectionTag tag) {
        this(channel, owner, options, ticker, tag, Http1Route.ORIGIN);
    }

    /** A connection whose requests go to {@code route}: the origin, or a forwarding proxy. */
    public Http1LoopConnection(
            Channel channel,
            ConnectionOwner<LoopConnection> owner,
            Http1Options options,
            Ticker ticker,
            ConnectionTag tag,
            Http1Route route) {
        this.route = route;
        this.channel = channel;
        this.tag = tag;
        this.loop = channel.eventLoop();
        this.owner = owner;
        this.reader = new LoopResponseReader(this, channel, options, ticker);
        this.timer = new LoopExchangeTimer(this, reader, loop, ticker);
        this.ticker = ticker;
        channel.pipeline().addLast("aioduct-http1", this);
        // The connector left reading off until the handler was in place (see LoopDialer).
        channel.config().setAutoRead(true);
    }

    @Override
    public ConnectionTag tag() {
        return tag;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    public Channel channel() {
        return channel;
    }

    /** The request of the exchange running here (for its body pump). On the loop. */
    Request currentRequest() {
        ExchangeCall c = call;
        if (c == null) {
            throw new IllegalStateException("no exchange on " + this);
        }
        return c.request();
    }

    // ---- PooledConnection ----

    @Override
    public boolean isReusable() {
        return reusable && channel.isActive();
    }

    @Override
    public void close(String reason) {
        if (closeReason == null) closeReason = reason;
        reusable = false;
        channel.close();
    }

    // ---- sending ----

    /** Starts {@code c} on this connection, which the caller acquired. Must run on {@link #loop()}. */
    @Override
    public void start(ExchangeCall c) {
        if (state != State.IDLE || !channel.isActive()) {
            state = State.CLOSED;
            reusable = false;
            c.release(this, false);
            // Nothing of this request was written, so it may go out again on another connection.
            c.onFailure(
                    new ConnectionClosedException(
                            "connection to " + channel.remoteAddress() + " closed before the request was sent",
                            closeCause),
                    Retry.NOT_SENT);
            return;
        }
        Request request = c.request();
        call = c;
        state = State.AWAITING_HEAD;
        requestComplete = false;
        long now = ticker.nanoTime();
        timer.exchangeStarted(now);
        reader.begin(now);
        ExchangeEvents ev = c.events();
        events = ev;
        ev.requestHeadersStart();
        writeRequest(c, request);
        timer.arm(now);
    }

    private void writeRequest(ExchangeCall c, Request request) {
        long framing = RequestWriter.framing(request);
        RequestBody body = request.body();
        long hold = body == null ? 0 : ExpectContinue.waitNanos(c);
        int inline =
                hold == 0 && body instanceof RequestBody.Bytes bytes && bytes.length() <= 8192 ? bytes.length() : 0;
        ByteBuf head = channel.alloc().ioBuffer(256 + request.target().length() + inline);
        RequestWriter.writeHead(
                request, framing, c.userAgent(), c.decompression().acceptEncoding(), route, head);
        ExchangeEvents ev = events;
        ev.requestHeadersEnd(head.readableBytes());
        if (hold > 0) {
            // Expect: 100-continue: the head alone; the body waits for the 100, its timeout or a final response.
            channel.writeAndFlush(head, channel.voidPromise());
            reader.codec.awaitingContinue = true;
            continueWait.hold(c, framing, hold);
        } else {
            writeBody(head, request, framing, inline > 0);
        }
    }

    /** The held body of {@code c} goes now (after its 100 (Continue), or its wait ran out). On the loop. */
    void writeBody(ExchangeCall c, long framing) {
        writeBody(channel.alloc().ioBuffer(64), c.request(), framing, false);
    }

    /** Writes the request body behind {@code out} (the head, or nothing yet) and flushes. */
    private void writeBody(ByteBuf out, Request request, long framing, boolean inline) {
        RequestBody body = request.body();
        ExchangeEvents ev = events;
        if (body != null) ev.requestBodyStart();
        if (body == null || body instanceof RequestBody.Bytes) {
            RequestBody.Bytes bytes = (RequestBody.Bytes) body;
            if (framing == RequestWriter.CHUNKED_BODY) {
                // Trailers asked for: the bytes go as one chunk, then the last chunk carries them.
                if (bytes != null && bytes.length() > 0) {
                    RequestWriter.writeChunkHeader(out, bytes.length());
                    out.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                    RequestWriter.writeCrlf(out);
                }
                RequestWriter.writeLastChunk(out, request);
                channel.writeAndFlush(out, channel.voidPromise());
            } else if (bytes == null || bytes.length() == 0 || inline) {
                if (bytes != null) out.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                channel.writeAndFlush(out, channel.voidPromise());
            } else {
                channel.write(out, channel.voidPromise());
                channel.writeAndFlush(
                        io.netty.buffer.Unpooled.wrappedBuffer(bytes.array(), bytes.offset(), bytes.length()),
                        channel.voidPromise());
            }
            requestComplete = true;
            requestWritten(ev, bytes == null ? -1 : bytes.length());
        } else if (framing == 0) {
            channel.writeAndFlush(out, channel.voidPromise());
            requestComplete = true;
            requestWritten(ev, 0);
        } else {
            channel.writeAndFlush(out, channel.voidPromise());
            LoopRequestPump p = LoopRequestPump.create(this, body, framing == RequestWriter.CHUNKED_BODY);
            pump = p;
            p.start();
        }
    }

    private static void requestWritten(ExchangeEvents ev, long bodyBytes) {
        if (bodyBytes >= 0) {
            ev.requestBodyEnd(bodyBytes);
        } else {
            ev.requestSent();
        }
    }

    /** The body pump finished writing the request body. On the loop. */
    void requestBodySent(LoopRequestPump p) {
        if (pump == p) {
            pump = null;
            requestComplete = true;
            ExchangeEvents ev = events;
            ev.requestBodyEnd(p.sent());
        }
    }

    /** The body pump failed (the body stream or publisher threw). On the loop. */
    void requestBodyFailed(LoopRequestPump p, Throwable cause) {
        if (pump == p) {
            pump = null;
            fail(cause, Retry.NEVER);
        }
    }

    // ---- receiving ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (state == State.AWAITING_HEAD || state == State.BODY) {
            reader.read(in);
            return;
        }
        in.release();
        if (state == State.IDLE) {
            // An idle HTTP/1.1 connection must be silent; bytes here mean it is out of step.
            reusable = false;
            if (closeReason == null) closeReason = "unexpected bytes while idle";
            channel.close();
        }
    }

    boolean awaitingHead() {
        return state == State.AWAITING_HEAD;
    }

    boolean inBody() {
        return state == State.BODY;
    }

    /** The final head arrived: the body follows. */
    void bodyStarted() {
        state = State.BODY;
        if (continueWait.drop()) {
            reusable = false; // answered before the held body went: the server may still expect it
        }
    }

    /** The response says this connection ends with its exchange. */
    void closeAfterExchange() {
        reusable = false;
    }

    /** The response message ended. Releases the connection before anyone is told, so it can be reused at once. */
    void finishMessage(ExchangeCall c, boolean trailingBytes, @Nullable Response undelivered) {
        BodyBuffer b = reader.takeBody();
        BodyDecoder decoder = reader.codec.decoder;
        // Taken now: once released, the connection may start the next exchange and reset the decoder.
        HttpHeaders trailers = decoder.trailers();
        if (trailingBytes || !requestComplete) {
            // Bytes beyond the response, or a request body still being sent: out of step, do not reuse.
            reusable = false;
            if (pump != null) {
                pump.cancel();
                pump = null;
            }
        }
        ExchangeEvents ev = events;
        ev.responseBodyEnd(decoder.received());
        resetExchange();
        reader.resumeAfterMessage();
        c.release(this, reusable && channel.isActive());
        if (b != null) b.onEnd(trailers);
        if (undelivered != null) {
            // A body that arrived whole with its head may still queue network buffers: watch it too.
            if (b != null) b.watchAbandonment(undelivered.body());
            c.onResponse(undelivered);
        }
        c.onComplete();
    }

    private void resetExchange() {
        call = null;
        events = null;
        state = reusable ? State.IDLE : State.CLOSED;
        reused = true;
        if (state == State.CLOSED) {
            if (closeReason == null) closeReason = "not reusable after the exchange";
            channel.close();
        }
    }

    // ---- failures ----

    /**
     * Ends the current exchange with {@code cause} and closes the connection. Before the response was
     * delivered the call fails; after, the body does.
     */
    void fail(Throwable cause, Retry retry) {
        ExchangeCall c = call;
        if (c == null) {
            return;
        }
        BodyBuffer b = reader.takeBody();
        if (pump != null) {
            pump.cancel();
            pump = null;
        }
        continueWait.drop();
        reusable = false;
        call = null;
        state = State.CLOSED;
        reader.releaseCumulation();
        if (closeReason == null && tag.observed()) closeReason = "the exchange failed: " + cause;
        channel.close();
        c.release(this, false);
        ExchangeEvents ev = events;
        events = null;
        ev.attemptFailed(cause);
        if (b != null) {
            b.onError(cause);
        }
        if (!reader.delivered()) {
            // The head may have been parsed, but the caller never saw it: the exchange itself fails.
            c.onFailure(cause, retry);
        } else {
            c.onComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reusable = false;
        reader.releaseCumulation();
        if (tag.observed()) tag.closed(closeReasonOr(closeCause));
        if (call == null) {
            state = State.CLOSED;
            owner.closed(this);
            return;
        }
        if (state == State.BODY) {
            String missing = reader.codec.decoder.endOfInput();
            if (missing == null) {
                finishMessage(call, false, null);
                return;
            }
            fail(ResponseCodec.closedDuringBody(missing, channel.remoteAddress(), closeCause), Retry.NEVER);
            return;
        }
        boolean started = reader.responseStarted();
        fail(
                ResponseCodec.closedDuringHead(channel.remoteAddress(), started, closeCause),
                ResponseCodec.staleRetry(reused, started));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        reusable = false;
        channel.close();
    }

    /** Why the channel closed, for the listener: our reason, else the error, else the peer. */
    private String closeReasonOr(@Nullable Throwable error) {
        if (closeReason != null) return closeReason;
        return error != null ? "error: " + error : "closed by the peer";
    }

    /** Aborts the exchange of {@code c} if it is still running here: its future was cancelled. Any thread. */
    @Override
    public void cancel(ExchangeCall c, String reason) {
        onLoop(() -> {
            if (call == c) {
                fail(new RequestCancelledException(reason), Retry.NEVER);
            }
        });
    }

    /** Aborts whatever runs here: the engine is shutting down. Any thread. */
    @Override
    public void abortForShutdown(String reason) {
        onLoop(() -> {
            if (call != null) {
                fail(new RequestCancelledException(reason), Retry.NEVER);
            } else {
                close(reason);
            }
        });
    }

    void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    @Override
    public String toString() {
        return "Http1LoopConnection[" + channel + ", " + state + "]";
    }
}
