package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.body.RequestBodySource;
import io.aioduct.concurrent.Completions;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.concurrent.locks.Condition;
import org.jspecify.annotations.Nullable;

/**
 * One exchange on an HTTP/2 connection over a blocking socket. {@link #run()} runs on the request's own
 * (virtual) thread: it opens the stream, writes the request body as the flow-control window allows
 * (waiting when it is shut), and waits for the response head. The stream callbacks run on the reader
 * thread under the connection's lock and only record state and signal; the response body goes to a
 * {@link BodyBuffer} whose callbacks run on the runtime, never on the reader. The response, window and
 * timeout rules it shares with the event-loop driver live in {@link H2Stream}.
 */
final class H2BlockingStream extends H2Stream {
    private final H2BlockingConnection connection;
    private final Condition changed;
    private @Nullable Response response;
    private @Nullable Throwable failure;
    private Retry retry = Retry.NEVER;
    private boolean writable = true;
    private long bodyBytes;
    /**
     * Whether the stream's lease went back to the pool (set after {@link #end}, outside the lock, by whoever
     * ran {@link H2BlockingConnection#afterUnlock}). No outcome of an ended stream reaches the caller before
     * it: a caller that got its response (or its body's end, or a failure) and sends the next request must
     * find this stream's slot free, not open a second connection because the slot is still counted.
     */
    private boolean released;
    /** The trailers the body ended with, delivered to the body once the lease is back. */
    private @Nullable HttpHeaders endTrailers;
    /** Why the delivered body failed, delivered to the body once the lease is back. */
    private @Nullable Throwable bodyFailure;

    H2BlockingStream(H2BlockingConnection connection, ExchangeCall spec, Condition changed) {
        super(spec);
        this.connection = connection;
        this.changed = changed;
    }

    @Override
    H2BlockingConnection connection() {
        return connection;
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
        HeaderList headers;
        try {
            headers = requestHead();
        } catch (RuntimeException e) {
            notOpened();
            throw e;
        }
        connection.lock.lock();
        try {
            if (!open(headers, hasBody, !hasBody && request.trailers() == null)) {
                end(); // the lease goes back; no stream was opened
                retry = Retry.NOT_SENT;
                throw noMoreStreams();
            }
            connection.added(this);
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
        if (hasBody && bodyHeld() && !awaitContinue()) {
            return awaitResponse(); // answered (or failed) before the body was sent: it never is
        }
        if (hasBody || request.trailers() != null) {
            try {
                if (hasBody) {
                    sendBody(request.body());
                    events.requestBodyEnd(bodyBytes);
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
            return ended && delivered;
        } finally {
            connection.lock.unlock();
        }
    }

    private Response awaitResponse() {
        InterruptedException interrupt = null;
        connection.lock.lock();
        try {
            while ((response == null && failure == null) || (ended && !released)) {
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
     * Waits while the body is held back by {@code Expect: 100-continue}: until the 100 arrives or the wait
     * runs out (true: send it), or a final response or failure comes first (false: never send it).
     */
    private boolean awaitContinue() {
        InterruptedException interrupt;
        connection.lock.lock();
        try {
            try {
                while (bodyHeld() && !ended && !continueWaitOver(connection.ticker.nanoTime())) {
                    changed.awaitNanos(bodyHeldUntil() - connection.ticker.nanoTime());
                }
                return !bodySkipped && !ended;
            } catch (InterruptedException e) {
                interrupt = e;
            }
        } finally {
            connection.lock.unlock();
        }
        Thread.currentThread().interrupt();
        RequestCancelledException cancelled = new RequestCancelledException(
                "interrupted while waiting for 100 (Continue) for " + spec.request(), interrupt);
        abort(cancelled);
        throw cancelled;
    }

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
        HeaderList trailers = Http2Messages.requestTrailers(request);
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

    // ---- the outcome: recorded under the lock, the caller's thread woken ----

    @Override
    void headReceived(Response r, boolean endStream) {
        response = r;
        if (endStream) {
            end(); // the caller wakes once the lease is back (leaseReturned)
        } else {
            changed.signalAll();
        }
    }

    @Override
    void bodyEnded(HttpHeaders trailers) {
        endTrailers = trailers;
        end();
    }

    @Override
    void failed(Throwable cause, Retry retry) {
        failure = cause;
        this.retry = retry;
        end();
        changed.signalAll();
    }

    @Override
    void bodyFailed(Throwable cause) {
        bodyFailure = cause;
        end();
        changed.signalAll();
    }

    /**
     * The connection gave this ended stream's lease back (outside the lock): now the caller may hear of the
     * outcome, and the body of its end or failure (outside the connection's lock, as its callbacks need).
     */
    void leaseReturned() {
        connection.lock.lock();
        try {
            released = true;
            changed.signalAll();
        } finally {
            connection.lock.unlock();
        }
        BodyBuffer b = body;
        if (b == null) {
            return;
        }
        if (endTrailers != null) {
            b.onEnd(endTrailers);
        } else if (bodyFailure != null) {
            b.onError(bodyFailure);
        }
    }

    /** Waits until this ended stream's lease is back, so a failure reaches the exchange after it. */
    void awaitLeaseReturned() {
        connection.lock.lock();
        try {
            while (ended && !released) {
                changed.awaitUninterruptibly(); // brief: the thread that took the lease is giving it back
            }
        } finally {
            connection.lock.unlock();
        }
    }

    @Override
    void continueReceived() {
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

    /** Holds the lock. */
    private void end() {
        if (!ended) {
            ended = true;
            connection.ended(this);
        }
    }

    /** A timeout may have fired (the watch thread saw its deadline pass): if so, reset the stream and fail. */
    void timeout() {
        connection.lock.lock();
        try {
            expire(connection.ticker.nanoTime());
        } finally {
            connection.lock.unlock();
        }
    }

    /** Ends the exchange from our side: RST_STREAM(CANCEL) and fail with {@code cause}. */
    private void abort(Throwable cause) {
        connection.lock.lock();
        try {
            reset(cause);
        } finally {
            connection.lock.unlock();
        }
        connection.flush();
        connection.afterUnlock();
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void resumeReading() {
        connection.lock.lock();
        try {
            readingResumed();
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
