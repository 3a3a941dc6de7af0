package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.concurrent.Completions;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
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
    private static final int CHUNK = 16 * 1024;

    private final H2BlockingConnection connection;
    private final Condition changed;
    private @Nullable Response response;
    private @Nullable Throwable failure;
    private Retry retry = Retry.NEVER;
    private boolean writable = true;
    private long bodyBytes;
    /** What failed on our side while sending the body (the first), told apart from its source's failures. */
    private @Nullable RuntimeException sendFailure;

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
        Http2Headers headers;
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
     * Sends the body, ending the stream unless trailers follow. Throws a {@link BodySourceFailure} when
     * the body's source fails; a failure of ours (the stream ended, the body broke its declared length)
     * as itself, even if the source caught it and threw something else.
     */
    private void sendBody(RequestBody requestBody) {
        long declared = requestBody.contentLength();
        boolean end = spec.request().trailers() == null;
        try {
            switch (requestBody) {
                case RequestBody.Bytes b -> write(Unpooled.wrappedBuffer(b.array(), b.offset(), b.length()), end);
                case RequestBody.Stream s -> {
                    long sent = 0;
                    try (InputStream in = s.open()) {
                        byte[] buf = new byte[CHUNK];
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            sent = checkLength(sent + n, declared, false);
                            if (n > 0) write(Unpooled.wrappedBuffer(buf, 0, n), false);
                        }
                    }
                    checkLength(sent, declared, true);
                    write(Unpooled.EMPTY_BUFFER, end);
                }
                case RequestBody.Writer w -> {
                    long[] sent = {0};
                    OutputStream out = new java.io.BufferedOutputStream(
                            new OutputStream() {
                                @Override
                                public void write(int b) {
                                    write(new byte[] {(byte) b}, 0, 1);
                                }

                                @Override
                                public void write(byte[] data, int off, int len) {
                                    sent[0] = checkLength(sent[0] + len, declared, false);
                                    if (len > 0) {
                                        H2BlockingStream.this.write(Unpooled.wrappedBuffer(data, off, len), false);
                                    }
                                }
                            },
                            CHUNK);
                    w.writer().writeTo(out);
                    out.flush();
                    checkLength(sent[0], declared, true);
                    write(Unpooled.EMPTY_BUFFER, end);
                }
                case RequestBody.Publisher p -> sendPublisher(p, declared, end);
            }
        } catch (IOException | RuntimeException e) {
            RuntimeException ours = sendFailure;
            if (ours != null) throw ours;
            throw e instanceof BodySourceFailure f ? f : new BodySourceFailure(e);
        }
        RuntimeException ours = sendFailure;
        if (ours != null) throw ours; // a writer caught and swallowed it
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

    private long checkLength(long sent, long declared, boolean atEnd) {
        if (declared >= 0 && (sent > declared || (atEnd && sent != declared))) {
            throw ours(new IllegalStateException(
                    sent > declared
                            ? "request body is longer than its declared length of " + declared + " bytes"
                            : "request body ended after " + sent + " of its declared " + declared + " bytes"));
        }
        return sent;
    }

    private void sendPublisher(RequestBody.Publisher p, long declared, boolean end) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] sent = {0};
        p.publisher().subscribe(new Flow.Subscriber<ByteBuffer>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                if (done.isDone()) return;
                try {
                    sent[0] = checkLength(sent[0] + item.remaining(), declared, false);
                    write(Unpooled.wrappedBuffer(item), false);
                    subscription.request(1);
                } catch (RuntimeException e) {
                    subscription.cancel();
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(new BodySourceFailure(t));
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.join();
        } catch (java.util.concurrent.CompletionException e) {
            // Ours (recorded in sendFailure), the source's (carried), or the subscription's: sendBody sorts them.
            throw e.getCause() instanceof RuntimeException re ? re : new BodySourceFailure(e.getCause());
        }
        checkLength(sent[0], declared, true);
        write(Unpooled.EMPTY_BUFFER, end);
    }

    /** Records a failure of ours while sending the body, so it is never taken for the source's. */
    private RuntimeException ours(RuntimeException e) {
        if (sendFailure == null) sendFailure = e;
        return e;
    }

    /** Writes {@code data}, waiting while the flow-control window is shut. */
    private void write(ByteBuf data, boolean endStream) {
        try {
            writeData(data, endStream);
        } catch (RuntimeException e) {
            throw ours(e);
        }
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
            end();
        }
        changed.signalAll();
    }

    @Override
    void bodyEnded(HttpHeaders trailers) {
        BodyBuffer b = body;
        if (b != null) b.onEnd(trailers);
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
        BodyBuffer b = body;
        if (b != null) b.onError(cause);
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
