package io.aioduct.http1;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySource;
import io.aioduct.exchange.ConnectionOwner;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.exchange.Retry;
import io.aioduct.observe.ExchangeEvents;
import io.aioduct.protocol.Http1Options;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection on a Netty channel (epoll, io_uring or NIO), carrying one exchange at a time.
 * It writes the request, parses the response with the shared codec, streams the body into a {@link
 * BodyBuffer}, enforces the response, read and total timeouts with a single lazily re-armed timer, and
 * returns itself to its pool when the message ends.
 *
 * <p>Threading: all state is confined to the channel's event loop; {@link #start} must run there.
 * The only cross-thread entry points are {@link #cancel} and the body's pause/resume/abort, which hop
 * onto the loop.
 *
 * <p>A small response is handed to the caller only after the bytes that arrived with its head are
 * decoded, so a body that fits in one read is complete, and the connection already back in the pool,
 * by the time the caller sees the response.
 */
public final class Http1LoopConnection extends ChannelInboundHandlerAdapter
        implements LoopConnection, BodyBuffer.Control {

    private enum State {
        IDLE,
        AWAITING_HEAD,
        BODY,
        CLOSED
    }

    private final Channel channel;
    private final EventLoop loop;
    private final ConnectionOwner<LoopConnection> owner;
    private final Http1Options options;
    private final ResponseParser parser;
    private final BodyDecoder decoder;
    /** The engine\'s clock: every time this connection measures comes from it. */
    private final Ticker ticker;

    private final long createdNanos;
    private final Runnable timerTask = this::onTimer;

    private volatile boolean reusable = true;
    private volatile long idleSince;
    private volatile boolean paused;
    private State state = State.IDLE;
    private @Nullable ExchangeCall call;
    private @Nullable BodyBuffer body;
    private @Nullable ByteBuf cumulation;
    private @Nullable LoopRequestPump pump;
    private boolean headRequest;
    private boolean reused;
    private boolean responseStarted;
    private boolean requestComplete;
    private boolean delivered;
    private long startedAt;
    private long lastReadAt;
    private @Nullable ScheduledFuture<?> timer;
    private long timerAt;
    private @Nullable Throwable closeCause;
    private final ConnectionTag tag;
    private @Nullable String closeReason;
    /** The running exchange's event bookkeeping, looked up once per exchange; null without a listener. */
    private @Nullable ExchangeEvents events;

    public Http1LoopConnection(
            Channel channel,
            ConnectionOwner<LoopConnection> owner,
            Http1Options options,
            Ticker ticker,
            ConnectionTag tag) {
        this.channel = channel;
        this.tag = tag;
        this.loop = channel.eventLoop();
        this.owner = owner;
        this.options = options;
        this.parser = new ResponseParser(options.maxHeadBytes());
        this.decoder = new BodyDecoder(options.maxHeadBytes());
        this.ticker = ticker;
        this.createdNanos = ticker.nanoTime();
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
    public long createdNanos() {
        return createdNanos;
    }

    @Override
    public long idleSinceNanos() {
        return idleSince;
    }

    @Override
    public void idleSinceNanos(long nanos) {
        idleSince = nanos;
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
            c.release(false);
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
        headRequest = request.method().equals("HEAD");
        responseStarted = false;
        requestComplete = false;
        delivered = false;
        startedAt = System.nanoTime();
        lastReadAt = startedAt;
        parser.reset();
        ExchangeEvents ev = c.events();
        events = ev;
        if (ev != null) ev.requestHeadersStart();
        writeRequest(c, request);
        armTimer(startedAt);
    }

    private void writeRequest(ExchangeCall c, Request request) {
        long framing = RequestWriter.framing(request);
        RequestBody body = request.body();
        int inline = body instanceof RequestBody.Bytes bytes && bytes.length() <= 8192 ? bytes.length() : 0;
        ByteBuf head = channel.alloc().ioBuffer(256 + request.target().length() + inline);
        RequestWriter.writeHead(request, framing, c.userAgent(), head);
        ExchangeEvents ev = events;
        if (ev != null) {
            ev.requestHeadersEnd(head.readableBytes());
            if (body != null) ev.requestBodyStart();
        }
        if (body == null || body instanceof RequestBody.Bytes) {
            RequestBody.Bytes bytes = (RequestBody.Bytes) body;
            if (framing == RequestWriter.CHUNKED_BODY) {
                // Trailers asked for: the bytes go as one chunk, then the last chunk carries them.
                if (bytes != null && bytes.length() > 0) {
                    RequestWriter.writeChunkHeader(head, bytes.length());
                    head.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                    RequestWriter.writeCrlf(head);
                }
                RequestWriter.writeLastChunk(head, request);
                channel.writeAndFlush(head, channel.voidPromise());
            } else if (bytes == null || bytes.length() == 0 || inline > 0) {
                if (bytes != null) head.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                channel.writeAndFlush(head, channel.voidPromise());
            } else {
                channel.write(head, channel.voidPromise());
                channel.writeAndFlush(
                        io.netty.buffer.Unpooled.wrappedBuffer(bytes.array(), bytes.offset(), bytes.length()),
                        channel.voidPromise());
            }
            requestComplete = true;
            if (ev != null) requestWritten(ev, bytes == null ? -1 : bytes.length());
        } else if (framing == 0) {
            channel.writeAndFlush(head, channel.voidPromise());
            requestComplete = true;
            if (ev != null) requestWritten(ev, 0);
        } else {
            channel.writeAndFlush(head, channel.voidPromise());
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
            if (ev != null) ev.requestBodyEnd(p.sent());
        }
    }

    /** The body pump failed (the body stream or publisher threw). On the loop. */
    void requestBodyFailed(LoopRequestPump p, Throwable cause) {
        if (pump == p) {
            pump = null;
            fail(cause, false);
        }
    }

    // ---- receiving ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (state != State.AWAITING_HEAD && state != State.BODY) {
            in.release();
            if (state == State.IDLE) {
                // An idle HTTP/1.1 connection must be silent; bytes here mean it is out of step.
                reusable = false;
                if (closeReason == null) closeReason = "unexpected bytes while idle";
                channel.close();
            }
            return;
        }
        lastReadAt = System.nanoTime();
        if (cumulation != null) {
            ByteBuf merged = channel.alloc().heapBuffer(cumulation.readableBytes() + in.readableBytes());
            merged.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            in.release();
            cumulation = null;
            in = merged;
        }
        try {
            process(in);
        } catch (HttpProtocolException e) {
            fail(e, false);
        } finally {
            if (state == State.AWAITING_HEAD && in.isReadable() && cumulation == null) {
                cumulation = in;
            } else {
                in.release();
            }
        }
    }

    private void process(ByteBuf in) {
        ExchangeCall c = call;
        Response response = null;
        if (state == State.AWAITING_HEAD) {
            ExchangeEvents ev = events;
            if (ev != null) ev.responseHeadersStart();
            if (!readHead(in)) {
                return;
            }
            response = onHead(c);
        }
        boolean done;
        try {
            done = state == State.BODY && decoder.decode(in, body, Integer.MAX_VALUE);
        } catch (HttpProtocolException e) {
            if (response != null) {
                // The head was sound and arrived with the bad body bytes: hand the caller its response
                // first, so the failure below ends its body instead of leaving the call unanswered.
                deliver(c, response);
            }
            throw e;
        }
        if (done || decoder.complete()) {
            finishMessage(c, in.isReadable(), response);
        } else if (response != null) {
            deliver(c, response);
        }
    }

    /** Parses heads until a final (non-1xx) one; false when more bytes are needed. */
    private boolean readHead(ByteBuf in) {
        while (true) {
            responseStarted = true;
            if (!parser.parse(in)) {
                return false;
            }
            int status = parser.status;
            if (status == 101) {
                throw new HttpProtocolException("unexpected 101 Switching Protocols: no upgrade was requested");
            }
            if (status >= 200) {
                return true;
            }
            // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
        }
    }

    private Response onHead(ExchangeCall c) {
        int status = parser.status;
        boolean noBody = headRequest || status == 204 || status == 304;
        BodyDecoder.Framing framing = noBody
                ? BodyDecoder.Framing.NONE
                : parser.chunked
                        ? BodyDecoder.Framing.CHUNKED
                        : parser.contentLength >= 0 ? BodyDecoder.Framing.LENGTH : BodyDecoder.Framing.UNTIL_CLOSE;
        boolean keepAlive =
                parser.version == io.aioduct.HttpVersion.HTTP_1_1 ? !parser.connectionClose : parser.keepAlive;
        if (!keepAlive || framing == BodyDecoder.Framing.UNTIL_CLOSE || closeRequested(c.request())) {
            reusable = false;
        }
        decoder.start(framing, parser.contentLength);
        BodySource source;
        if (framing == BodyDecoder.Framing.NONE
                || (framing == BodyDecoder.Framing.LENGTH && parser.contentLength == 0)) {
            source = BodySource.EMPTY;
            body = null;
        } else {
            BodyBuffer b = new BodyBuffer(
                    this,
                    framing == BodyDecoder.Framing.LENGTH ? parser.contentLength : -1,
                    options.bodyHighWaterBytes(),
                    options.eagerBodyBytes());
            body = b;
            source = b;
        }
        state = State.BODY;
        ExchangeEvents ev = events;
        if (ev != null) ev.responseHeadersEnd(status, parser.headBytes);
        return new Response(
                c.request(), status, parser.reason(), parser.version, parser.headers, source, c.maxBufferedBody());
    }

    private static boolean closeRequested(Request request) {
        String connection = request.headers().first("Connection");
        return connection != null
                && connection.toLowerCase(java.util.Locale.ROOT).contains("close");
    }

    /** The response message ended. Releases the connection before anyone is told, so it can be reused at once. */
    private void finishMessage(ExchangeCall c, boolean trailingBytes, @Nullable Response undelivered) {
        BodyBuffer b = body;
        // Taken now: once released, the connection may start the next exchange and reset the decoder.
        io.aioduct.HttpHeaders trailers = decoder.trailers();
        if (trailingBytes || !requestComplete) {
            // Bytes beyond the response, or a request body still being sent: out of step, do not reuse.
            reusable = false;
            if (pump != null) {
                pump.cancel();
                pump = null;
            }
        }
        ExchangeEvents ev = events;
        if (ev != null) ev.responseBodyEnd(decoder.received());
        resetExchange();
        if (paused) {
            // The body ended while its reader lagged behind: reading now belongs to the next exchange.
            paused = false;
            channel.config().setAutoRead(true);
        }
        c.release(reusable && channel.isActive());
        if (b != null) b.onEnd(trailers);
        if (undelivered != null) {
            c.onResponse(undelivered);
        }
        c.onComplete();
    }

    private void deliver(ExchangeCall c, Response response) {
        delivered = true;
        BodyBuffer b = body;
        if (b != null) {
            // Closes the connection if the caller drops the response without reading or closing it.
            b.watchAbandonment(response.body());
        }
        c.onResponse(response);
    }

    private void resetExchange() {
        call = null;
        events = null;
        body = null;
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
    private void fail(Throwable cause, boolean retryable) {
        ExchangeCall c = call;
        BodyBuffer b = body;
        State was = state;
        if (c == null) {
            return;
        }
        if (pump != null) {
            pump.cancel();
            pump = null;
        }
        reusable = false;
        call = null;
        body = null;
        state = State.CLOSED;
        releaseCumulation();
        if (closeReason == null && tag.events() != null) closeReason = "the exchange failed: " + cause;
        channel.close();
        c.release(false);
        ExchangeEvents ev = events;
        events = null;
        if (ev != null) ev.attemptFailed(cause);
        if (b != null) {
            b.onError(cause);
        }
        if (was == State.AWAITING_HEAD || !delivered) {
            // The head may have been parsed, but the caller never saw it: the exchange itself fails.
            c.onFailure(cause, retryable ? Retry.IF_IDEMPOTENT : Retry.NEVER);
        } else {
            c.onComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reusable = false;
        releaseCumulation();
        if (tag.observed()) tag.closed(closeReasonOr(closeCause));
        if (call == null) {
            state = State.CLOSED;
            owner.closed(this);
            return;
        }
        if (state == State.BODY) {
            String missing = decoder.endOfInput();
            if (missing == null) {
                finishMessage(call, false, null);
                return;
            }
            fail(new ConnectionClosedException(missing + " (" + channel.remoteAddress() + ")", closeCause), false);
            return;
        }
        boolean retryable = reused && !responseStarted;
        fail(
                new ConnectionClosedException(
                        "connection to " + channel.remoteAddress() + " closed by the server "
                                + (responseStarted ? "in the middle of the response head" : "before any response"),
                        closeCause),
                retryable);
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

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    /** Aborts the exchange of {@code c} if it is still running here: its future was cancelled. Any thread. */
    @Override
    public void cancel(ExchangeCall c, String reason) {
        onLoop(() -> {
            if (call == c) {
                fail(new RequestCancelledException(reason), false);
            }
        });
    }

    /** Aborts whatever runs here: the engine is shutting down. Any thread. */
    @Override
    public void abortForShutdown(String reason) {
        onLoop(() -> {
            if (call != null) {
                fail(new RequestCancelledException(reason), false);
            } else {
                close(reason);
            }
        });
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void pauseReading() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            paused = false;
            long now = System.nanoTime();
            lastReadAt = now;
            channel.config().setAutoRead(true);
            armTimer(now);
        });
    }

    @Override
    public void abort(BodyBuffer b, String reason) {
        onLoop(() -> {
            if (body == b) {
                fail(new RequestCancelledException(reason), false);
            }
        });
    }

    @Override
    public boolean onLoop() {
        return loop.inEventLoop();
    }

    // ---- timeouts: one timer per connection, re-armed lazily ----

    private void armTimer(long now) {
        ExchangeCall c = call;
        if (c == null) {
            return;
        }
        long next = nextDeadline(c);
        if (next == Long.MAX_VALUE || (timer != null && timerAt <= next)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = next;
        timer = loop.schedule(timerTask, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    }

    private long nextDeadline(ExchangeCall c) {
        long next = Long.MAX_VALUE;
        if (state == State.AWAITING_HEAD && c.responseTimeoutNanos() > 0) {
            next = startedAt + c.responseTimeoutNanos();
        }
        if (c.readTimeoutNanos() > 0 && !paused) {
            next = Math.min(next, lastReadAt + c.readTimeoutNanos());
        }
        if (c.totalDeadlineNanos() != 0) {
            next = Math.min(next, c.totalDeadlineNanos());
        }
        return next;
    }

    private void onTimer() {
        timer = null;
        ExchangeCall c = call;
        if (c == null) {
            return;
        }
        long now = System.nanoTime();
        if (c.totalDeadlineNanos() != 0 && now - c.totalDeadlineNanos() >= 0) {
            timeout(TimedOutException.Kind.TOTAL, c.totalTimeoutNanos(), c);
        } else if (state == State.AWAITING_HEAD
                && c.responseTimeoutNanos() > 0
                && now - (startedAt + c.responseTimeoutNanos()) >= 0) {
            timeout(TimedOutException.Kind.RESPONSE, c.responseTimeoutNanos(), c);
        } else if (c.readTimeoutNanos() > 0 && !paused && now - (lastReadAt + c.readTimeoutNanos()) >= 0) {
            timeout(TimedOutException.Kind.READ, c.readTimeoutNanos(), c);
        } else {
            armTimer(now);
        }
    }

    private void timeout(TimedOutException.Kind kind, long nanos, ExchangeCall c) {
        String phase = state == State.AWAITING_HEAD ? "waiting for the response head" : "reading the response body";
        fail(new TimedOutException(kind, Duration.ofNanos(nanos), phase + " of " + c.request()), false);
    }

    @Override
    public String toString() {
        return "Http1LoopConnection[" + channel + ", " + state + "]";
    }
}
