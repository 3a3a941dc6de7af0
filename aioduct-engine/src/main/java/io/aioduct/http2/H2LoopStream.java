package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySource;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.aioduct.observe.ExchangeEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * One exchange on an HTTP/2 connection driven by an event loop: opens the stream, sends the request
 * body as flow control allows, turns the response into a {@link Response} with a {@link BodyBuffer},
 * and gives the stream's window back as the body is consumed (so a slow reader slows only its own
 * stream). Timeouts are checked by the connection's timer through {@link #checkDeadlines}.
 *
 * <p>Threading: confined to the connection's loop, except the body-buffer callbacks and the body pump,
 * which hop onto it.
 */
final class H2LoopStream implements StreamHandler, BodyBuffer.Control {
    /** Request body bytes queued for the stream beyond which a streaming source is held back. */
    private static final int QUEUE_LIMIT = 256 * 1024;

    private final H2LoopConnection connection;
    private final ExchangeCall call;
    private int id = -1;
    private @Nullable BodyBuffer body;
    private boolean delivered;
    private boolean finished;
    private boolean paused;
    private boolean responseStarted;
    private int withheld;
    private long startedAt;
    private long lastActivity;
    // Request body: what is waiting for flow-control window, and whether its end has been queued.
    private final ArrayDeque<ByteBuf> outgoing = new ArrayDeque<>(2);
    private long outgoingBytes;
    private boolean outgoingEnded;
    private @Nullable H2LoopBodyPump pump;
    private final @Nullable ExchangeEvents events;
    private long bodyBytes;
    private long received;

    H2LoopStream(H2LoopConnection connection, ExchangeCall call) {
        this.connection = connection;
        this.call = call;
        this.events = call.events();
    }

    ExchangeCall call() {
        return call;
    }

    H2LoopConnection connection() {
        return connection;
    }

    /** Opens the stream and starts sending the request. On the loop. */
    void start() {
        Request request = call.request();
        boolean hasBody = Http2Messages.hasBody(request);
        Http2Headers headers;
        try {
            headers = Http2Messages.requestHeaders(request, call.userAgent(), Http2Messages.bodyLength(request));
        } catch (RuntimeException e) {
            finished = true;
            connection.streamDone(this);
            call.onFailure(e, Retry.NEVER);
            return;
        }
        boolean trailers = request.trailers() != null;
        if (events != null) events.requestHeadersStart();
        id = connection.session().openStream(this, headers, !hasBody && !trailers);
        if (id < 0) {
            finished = true;
            connection.streamDone(this);
            call.onFailure(
                    new ConnectionClosedException(
                            "the HTTP/2 connection took no more streams (GOAWAY or " + "stream limit) before " + request
                                    + " was sent",
                            connection.session().closeCause()),
                    Retry.NOT_SENT);
            return;
        }
        startedAt = System.nanoTime();
        lastActivity = startedAt;
        if (events != null) {
            events.requestHeadersEnd(connection.session().lastSentHeaderBytes());
            if (hasBody) {
                events.requestBodyStart();
            } else {
                events.requestSent();
            }
        }
        if (!hasBody && trailers) {
            sendTrailers();
        } else if (hasBody) {
            RequestBody requestBody = request.body();
            if (requestBody instanceof RequestBody.Bytes bytes) {
                enqueue(Unpooled.wrappedBuffer(bytes.array(), bytes.offset(), bytes.length()), true);
            } else {
                H2LoopBodyPump p = H2LoopBodyPump.create(this, requestBody);
                pump = p;
                p.start();
            }
        }
        connection.armTimer(nextDeadline());
    }

    // ---- request body ----

    /** Queues a request body chunk (the last one with {@code last}) and sends what the window allows. On the loop. */
    void enqueue(ByteBuf chunk, boolean last) {
        if (finished) {
            chunk.release();
            return;
        }
        outgoing.addLast(chunk);
        outgoingBytes += chunk.readableBytes();
        bodyBytes += chunk.readableBytes();
        outgoingEnded |= last;
        drainOutgoing();
    }

    /** Whether a streaming source should wait before producing more. */
    boolean backedUp() {
        return outgoingBytes > QUEUE_LIMIT;
    }

    private void drainOutgoing() {
        ByteBuf chunk;
        boolean trailers = call.request().trailers() != null;
        while ((chunk = outgoing.peekFirst()) != null) {
            boolean last = outgoingEnded && outgoing.size() == 1;
            int before = chunk.readableBytes();
            boolean all = connection.session().writeData(id, chunk, last && !trailers);
            outgoingBytes -= before - chunk.readableBytes();
            if (!all) {
                return;
            }
            outgoing.pollFirst().release();
            if (last && events != null) {
                events.requestBodyEnd(bodyBytes);
            }
            if (last && trailers) {
                sendTrailers();
            }
        }
        if (pump != null) {
            pump.onDrained();
        }
    }

    @Override
    public void onWritable() {
        drainOutgoing();
    }

    /** Ends the request with its trailers (a HEADERS frame with END_STREAM). */
    private void sendTrailers() {
        try {
            io.netty.handler.codec.http2.Http2Headers trailers = Http2Messages.requestTrailers(call.request());
            if (trailers != null) {
                connection.session().writeTrailers(id, trailers);
            }
        } catch (RuntimeException e) {
            abort(e);
        }
    }

    /** The body source failed: the exchange fails with that same exception. On the loop. */
    void requestBodyFailed(Throwable cause) {
        abort(cause);
        connection.flush();
    }

    // ---- response ----

    @Override
    public void onTrailers(Http2Headers trailers) {
        lastActivity = System.nanoTime();
        HttpHeaders fields = Http2Messages.responseHeaders(trailers);
        BodyBuffer b = body;
        if (events != null) events.responseBodyEnd(received);
        finish();
        if (b != null) b.onEnd(fields);
        call.onComplete();
    }

    @Override
    public void onResponse(Http2Headers headers, long length, boolean endStream) {
        lastActivity = System.nanoTime();
        responseStarted = true;
        HttpHeaders fields = Http2Messages.responseHeaders(headers);
        Request request = call.request();
        int status = Http2Messages.status(headers);
        boolean noBody = endStream || Http2Messages.hasNoContent(request, status);
        BodySource source;
        if (noBody) {
            source = BodySource.EMPTY;
        } else {
            BodyBuffer b = new BodyBuffer(
                    this,
                    length,
                    connection.bodyOptions().bodyHighWaterBytes(),
                    connection.bodyOptions().eagerBodyBytes());
            body = b;
            source = b;
        }
        Response response = new Response(request, status, HttpVersion.HTTP_2, fields, source, call.maxBufferedBody());
        delivered = true;
        if (events != null) {
            events.responseHeadersStart();
            events.responseHeadersEnd(response.status(), connection.session().lastReceivedHeaderBytes());
        }
        if (endStream) {
            if (events != null) events.responseBodyEnd(0);
            finish();
            call.onResponse(response);
            call.onComplete();
        } else {
            if (body != null) body.watchAbandonment(response.body());
            call.onResponse(response);
        }
    }

    @Override
    public void onData(ByteBuf in, int index, int length, boolean endStream) {
        lastActivity = System.nanoTime();
        BodyBuffer b = body;
        received += length;
        if (b != null && length > 0) {
            b.onData(in, index, length);
        }
        if (paused) {
            withheld += length;
        } else {
            connection.session().consumed(id, length);
        }
        if (endStream) {
            if (events != null) events.responseBodyEnd(received);
            finish();
            if (b != null) b.onEnd();
            call.onComplete();
        }
    }

    @Override
    public void onClosed(Throwable cause, boolean refused) {
        if (finished) {
            return;
        }
        BodyBuffer b = body;
        boolean wasDelivered = delivered;
        if (events != null) events.attemptFailed(cause);
        finish();
        if (!wasDelivered) {
            // The server refused the stream (REFUSED_STREAM, GOAWAY): send elsewhere, whatever the method.
            // A connection that died under it before any response: like a stale HTTP/1.1 connection.
            Retry retry = refused
                    ? Retry.UNPROCESSED
                    : cause instanceof ConnectionClosedException && !responseStarted
                            ? Retry.IF_IDEMPOTENT
                            : Retry.NEVER;
            call.onFailure(cause, retry);
        } else {
            if (b != null) b.onError(cause);
            call.onComplete();
        }
    }

    /** Ends the exchange from our side with {@code cause}: RST_STREAM(CANCEL), then as if closed. */
    void abort(Throwable cause) {
        if (finished) {
            return;
        }
        connection.session().reset(id, Frames.CANCEL);
        onClosed(cause, false);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (pump != null) {
            pump.cancel();
            pump = null;
        }
        ByteBuf chunk;
        while ((chunk = outgoing.pollFirst()) != null) {
            chunk.release();
        }
        connection.streamDone(this);
    }

    // ---- timeouts ----

    private long nextDeadline() {
        long next = Long.MAX_VALUE;
        if (!responseStarted && call.responseTimeoutNanos() > 0) {
            next = startedAt + call.responseTimeoutNanos();
        }
        if (call.readTimeoutNanos() > 0 && !paused) {
            next = Math.min(next, lastActivity + call.readTimeoutNanos());
        }
        if (call.totalDeadlineNanos() != 0) {
            next = Math.min(next, call.totalDeadlineNanos());
        }
        return next;
    }

    /** Fails the exchange if one of its timeouts passed; returns its next deadline. On the loop. */
    long checkDeadlines(long now) {
        if (finished) {
            return Long.MAX_VALUE;
        }
        TimedOutException.Kind kind = null;
        long nanos = 0;
        if (call.totalDeadlineNanos() != 0 && now - call.totalDeadlineNanos() >= 0) {
            kind = TimedOutException.Kind.TOTAL;
            nanos = call.totalTimeoutNanos();
        } else if (!responseStarted
                && call.responseTimeoutNanos() > 0
                && now - (startedAt + call.responseTimeoutNanos()) >= 0) {
            kind = TimedOutException.Kind.RESPONSE;
            nanos = call.responseTimeoutNanos();
        } else if (call.readTimeoutNanos() > 0 && !paused && now - (lastActivity + call.readTimeoutNanos()) >= 0) {
            kind = TimedOutException.Kind.READ;
            nanos = call.readTimeoutNanos();
        }
        if (kind == null) {
            return nextDeadline();
        }
        String phase = responseStarted ? "reading the response body" : "waiting for the response head";
        abort(new TimedOutException(kind, Duration.ofNanos(nanos), phase + " of " + call.request()));
        return Long.MAX_VALUE;
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void pauseReading() {
        // Called by the body buffer on the loop: stop giving the stream's window back.
        paused = true;
    }

    @Override
    public void resumeReading() {
        connection.onLoop(() -> {
            paused = false;
            lastActivity = System.nanoTime();
            if (withheld > 0 && !finished) {
                connection.session().consumed(id, withheld);
                withheld = 0;
                connection.flush();
            }
            connection.armTimer(nextDeadline());
        });
    }

    @Override
    public void abort(BodyBuffer b, String reason) {
        connection.onLoop(() -> {
            if (body == b && !finished) {
                abort(new io.aioduct.RequestCancelledException(reason));
                connection.flush();
            }
        });
    }

    @Override
    public boolean onLoop() {
        return connection.loop().inEventLoop();
    }
}
