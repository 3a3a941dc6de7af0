package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySource;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.body.RequestBodySource;
import io.aioduct.concurrent.Completions;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.aioduct.observe.ExchangeEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import org.jspecify.annotations.Nullable;

/**
 * One exchange on an HTTP/2 connection over a blocking socket. {@link #run()} runs on the request's own
 * (virtual) thread: it opens the stream, writes the request body as the flow-control window allows
 * (waiting when it is shut), and waits for the response head. The stream callbacks run on the reader
 * thread under the connection's lock and only record state and signal; the response body goes to a
 * {@link BodyBuffer} whose callbacks run on the runtime, never on the reader.
 */
final class H2BlockingStream implements io.aioduct.http2.StreamHandler, BodyBuffer.Control {
    private final H2BlockingConnection connection;
    private final ExchangeCall spec;
    private final Condition changed;
    private int id = -1;
    private @Nullable Response response;
    private boolean headersArrived;
    private @Nullable BodyBuffer body;
    private @Nullable Throwable failure;
    private Retry retry = Retry.NEVER;
    private boolean responseStarted;
    private boolean ended;
    private boolean writable = true;
    private boolean paused;
    private int withheld;
    private long startedAt;
    private long lastActivity;
    private final @Nullable ExchangeEvents events;
    private long bodyBytes;

    private long received;

    H2BlockingStream(H2BlockingConnection connection, ExchangeCall spec, Condition changed) {
        this.connection = connection;
        this.spec = spec;
        this.changed = changed;
        this.events = spec.events();
    }

    /** The exchange this stream carries. */
    ExchangeCall spec() {
        return spec;
    }

    /** The caller gave up on this exchange: reset just this stream. Any thread. */
    void cancel(String reason) {
        abort(new RequestCancelledException(reason));
    }

    Retry retry() {
        return retry;
    }

    /** Sends the request and waits for the response head, on the calling thread. */
    Response run() {
        Request request = spec.request();
        boolean hasBody = Http2Messages.hasBody(request);
        Http2Headers headers;
        try {
            headers = Http2Messages.requestHeaders(request, spec.userAgent(), Http2Messages.bodyLength(request));
        } catch (RuntimeException e) {
            notOpened();
            throw e;
        }
        connection.lock.lock();
        try {
            if (events != null) events.requestHeadersStart();
            id = connection.session().openStream(this, headers, !hasBody && request.trailers() == null);
            if (id < 0) {
                end(); // the lease goes back; no stream was opened
                retry = Retry.NOT_SENT;
                throw new ConnectionClosedException(
                        "the HTTP/2 connection took no more streams (GOAWAY or stream " + "limit) before " + request
                                + " was sent",
                        connection.session().closeCause());
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
            connection.added(this);
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
        if (hasBody || request.trailers() != null) {
            try {
                if (hasBody) {
                    sendBody(request.body());
                    if (events != null) events.requestBodyEnd(bodyBytes);
                }
                sendTrailers(request);
            } catch (RuntimeException e) {
                if (!responseEnded()) {
                    // The source's own failure (a BodySourceFailure: never retried, the caller gets the source's
                    // exception) or ours: either way the stream is reset, so the server never sees END_STREAM.
                    abort(e);
                    throw e;
                }
                // The server answered in full before the body was sent (RFC 9113 section 8.1): the session ended
                // the stream with RST_STREAM(NO_ERROR), the rest of the body is not wanted (what stopped it, the
                // ended stream or the source, no longer matters) and the response goes to the caller.
            }
        }
        return awaitResponse();
    }

    /** Whether the response arrived and its stream ended: the exchange no longer needs the request body. */
    private boolean responseEnded() {
        connection.lock.lock();
        try {
            return ended && headersArrived;
        } finally {
            connection.lock.unlock();
        }
    }

    private Response awaitResponse() {
        InterruptedException interrupt = null;
        connection.lock.lock();
        try {
            while (response == null && failure == null) {
                // The connection's watch thread enforces the timeouts and wakes us through onClosed.
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    interrupt = e;
                    break;
                }
            }
            Response r = response;
            if (r != null) {
                // Handed out: the stream (which the connection keeps until the body ends) must not keep the
                // response reachable, or an abandoned one could never be cleaned up.
                response = null;
                if (interrupt != null) Thread.currentThread().interrupt();
                return r;
            }
            if (interrupt == null) {
                throw Completions.propagate(failure);
            }
        } finally {
            connection.lock.unlock();
        }
        // The caller's thread was interrupted: it gave up on this exchange. Reset only this stream (outside
        // the lock: the reset is flushed); the connection and its other streams go on.
        Thread.currentThread().interrupt();
        RequestCancelledException cancelled = new RequestCancelledException(
                "interrupted while waiting for the response head of " + spec.request(), interrupt);
        abort(cancelled);
        throw cancelled;
    }

    // ---- the request body ----

    /**
     * Sends the body, ending the stream unless trailers follow: an array at once, a streamed body pulled
     * from its {@link RequestBodySource} on this thread, each chunk written as the window allows. Throws
     * a {@link BodySourceFailure} when the body's source fails; a failure of ours (the stream ended, the
     * body broke its declared length) as itself, even if the source caught it and threw something else.
     */
    private void sendBody(RequestBody requestBody) {
        boolean end = spec.request().trailers() == null;
        if (requestBody instanceof RequestBody.Bytes b) {
            writeData(Unpooled.wrappedBuffer(b.array(), b.offset(), b.length()), end);
            return;
        }
        try {
            RequestBodySource.of(requestBody).pull(chunk -> {
                writeData(Unpooled.wrappedBuffer(chunk), false);
                return true;
            });
        } catch (IOException e) {
            // Our sink throws nothing checked: the pull was interrupted while a publisher was to produce.
            throw new RequestCancelledException("interrupted while sending the request body of " + spec.request(), e);
        }
        writeData(Unpooled.EMPTY_BUFFER, end);
    }

    /** Ends the request with its trailers, if it has any (otherwise the last DATA frame ended it). */
    private void sendTrailers(Request request) {
        Http2Headers trailers = Http2Messages.requestTrailers(request);
        if (trailers == null) {
            return;
        }
        connection.lock.lock();
        try {
            if (!ended) {
                connection.session().writeTrailers(id, trailers);
            }
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
    }

    /** Writes {@code data}, waiting while the flow-control window is shut. */
    private void writeData(ByteBuf data, boolean endStream) {
        bodyBytes += data.readableBytes();
        while (true) {
            boolean all;
            connection.lock.lock();
            try {
                if (ended) {
                    throw failure != null
                            ? Completions.propagate(failure)
                            : new RequestCancelledException("the stream ended while its request body was being sent");
                }
                all = connection.session().writeData(id, data, endStream);
                if (!all) {
                    writable = false;
                }
            } finally {
                connection.lock.unlock();
            }
            // What was queued must reach the server before we wait: its WINDOW_UPDATE answers that.
            connection.flush();
            if (all) {
                return;
            }
            boolean interrupted = false;
            connection.lock.lock();
            try {
                while (!writable && !ended && !interrupted) {
                    try {
                        changed.await();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                connection.lock.unlock();
            }
            if (interrupted) {
                // The caller gave up while the window was shut: run() resets this stream only.
                Thread.currentThread().interrupt();
                throw new RequestCancelledException("interrupted while sending the request body of " + spec.request());
            }
        }
    }

    // ---- StreamHandler: on the reader thread, under the connection's lock ----

    @Override
    public void onTrailers(Http2Headers trailers) {
        lastActivity = System.nanoTime();
        BodyBuffer b = body;
        if (b != null) b.onEnd(Http2Messages.responseHeaders(trailers));
        if (events != null) events.responseBodyEnd(received);
        end();
    }

    @Override
    public void onResponse(Http2Headers headers, long length, boolean endStream) {
        lastActivity = System.nanoTime();
        responseStarted = true;
        HttpHeaders fields = Http2Messages.responseHeaders(headers);
        Request request = spec.request();
        int status = Http2Messages.status(headers);
        BodySource source;
        if (endStream || Http2Messages.hasNoContent(request, status)) {
            source = BodySource.EMPTY;
        } else {
            body = new BodyBuffer(
                    this,
                    length,
                    connection.bodyOptions().bodyHighWaterBytes(),
                    connection.bodyOptions().eagerBodyBytes(),
                    connection.callbacks());
            source = body;
        }
        Response r = new Response(request, status, HttpVersion.HTTP_2, fields, source, spec.maxBufferedBody());
        if (body != null) {
            body.watchAbandonment(r.body());
        }
        response = r;
        headersArrived = true;
        if (events != null) {
            events.responseHeadersStart();
            events.responseHeadersEnd(r.status(), connection.session().lastReceivedHeaderBytes());
        }
        if (endStream) {
            if (events != null) events.responseBodyEnd(0);
            end();
        }
        changed.signalAll();
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
            if (b != null) b.onEnd();
            if (events != null) events.responseBodyEnd(received);
            end();
        }
    }

    @Override
    public void onClosed(Throwable cause, boolean refused) {
        if (ended) {
            return;
        }
        if (events != null) events.attemptFailed(cause);
        if (!headersArrived) {
            failure = cause;
            retry = refused
                    ? Retry.UNPROCESSED
                    : cause instanceof ConnectionClosedException && !responseStarted
                            ? Retry.IF_IDEMPOTENT
                            : Retry.NEVER;
        } else if (body != null) {
            body.onError(cause);
        }
        end();
        changed.signalAll();
    }

    @Override
    public void onWritable() {
        writable = true;
        changed.signalAll();
    }

    /** The stream never opened: only its lease goes back. */
    private void notOpened() {
        connection.lock.lock();
        try {
            end();
        } finally {
            connection.lock.unlock();
        }
    }

    /** Whether the caller got the response, so the exchange's completion is this stream's to run. */
    boolean delivered() {
        return headersArrived;
    }

    /** Holds the lock. */
    private void end() {
        if (!ended) {
            ended = true;
            connection.ended(this);
        }
    }

    // ---- timeouts: checked by the connection's watch thread ----

    /** When this stream next needs attention; {@code <= now} means a timeout fired. Holds the lock. */
    long deadline(long now) {
        if (ended) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        if (spec.totalDeadlineNanos() != 0) {
            next = spec.totalDeadlineNanos();
        }
        if (!responseStarted && spec.responseTimeoutNanos() > 0) {
            next = Math.min(next, startedAt + spec.responseTimeoutNanos());
        }
        if (spec.readTimeoutNanos() > 0 && !paused) {
            next = Math.min(next, lastActivity + spec.readTimeoutNanos());
        }
        return next;
    }

    /** A timeout fired: reset the stream and fail the exchange with the kind that fired. */
    void timeout() {
        connection.lock.lock();
        try {
            if (ended) {
                return;
            }
            long now = System.nanoTime();
            TimedOutException.Kind kind;
            long nanos;
            if (spec.totalDeadlineNanos() != 0 && now - spec.totalDeadlineNanos() >= 0) {
                kind = TimedOutException.Kind.TOTAL;
                nanos = spec.totalTimeoutNanos();
            } else if (!responseStarted
                    && spec.responseTimeoutNanos() > 0
                    && now - (startedAt + spec.responseTimeoutNanos()) >= 0) {
                kind = TimedOutException.Kind.RESPONSE;
                nanos = spec.responseTimeoutNanos();
            } else {
                kind = TimedOutException.Kind.READ;
                nanos = spec.readTimeoutNanos();
            }
            String phase = responseStarted ? "reading the response body" : "waiting for the response head";
            connection.session().reset(id, Frames.CANCEL);
            onClosed(new TimedOutException(kind, Duration.ofNanos(nanos), phase + " of " + spec.request()), false);
        } finally {
            connection.lock.unlock();
        }
    }

    /** Ends the exchange from our side: RST_STREAM(CANCEL) and fail with {@code cause}. */
    private void abort(Throwable cause) {
        connection.lock.lock();
        try {
            if (!ended) {
                connection.session().reset(id, Frames.CANCEL);
                onClosed(cause, false);
            }
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
        connection.afterUnlock();
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void pauseReading() {
        // Called from onData, on the reader thread under the lock: stop giving the window back.
        paused = true;
    }

    @Override
    public void resumeReading() {
        connection.lock.lock();
        try {
            paused = false;
            lastActivity = System.nanoTime();
            if (withheld > 0 && !ended) {
                connection.session().consumed(id, withheld);
                withheld = 0;
            }
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
    }

    @Override
    public void abort(BodyBuffer b, String reason) {
        abort(new RequestCancelledException(reason));
    }

    @Override
    public boolean onLoop() {
        return false;
    }
}
