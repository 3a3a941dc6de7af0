package io.aioduct.http1;

import io.aioduct.AioductException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodySource;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.ExpectContinue;
import io.aioduct.exchange.Retry;
import io.aioduct.exchange.Timeouts;
import io.aioduct.protocol.Http1Options;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection over a blocking socket. The thread that runs an exchange (on the virtual
 * runtime, the request's own virtual thread) writes the request and reads the response itself; the
 * body is read from the socket as the consumer asks for it. Parses, frames and decides reuse with the
 * same {@link ResponseCodec} as the event-loop connection; {@link BlockingSocketReader} does the reading.
 *
 * <p>Timeouts: the response, read and total limits give each read its deadline: on a virtual thread
 * {@link ReadDeadlines} closes the socket of a read still waiting at it (a socket timeout there would cost
 * a timer task per read), on a platform thread it is the socket's read timeout; writes are bounded by the
 * total timeout, whose watchdog closes the socket ({@link #expire()}).
 *
 * <p>Threading: one exchange at a time, driven by one thread; {@link #expire()} and {@link
 * #close(String)} may be called from any thread to abort it.
 */
public final class Http1BlockingConnection implements BlockingConnection {
    private final BlockingTransport transport;
    private final Http1Options options;
    private final ResponseCodec codec;
    private final BlockingSocketReader socket;
    /** The read buffer ({@link BlockingSocketReader#buffer()}): head and body bytes not yet parsed. */
    private final ByteBuf readBuf;

    private final BlockingRequestWriter writer;
    /** The engine\'s clock: every time this connection measures comes from it. */
    private final Ticker ticker;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConnectionTag tag;

    private volatile boolean reusable = true;
    private volatile boolean totalExpired;
    private volatile @Nullable String abortReason;
    private final String peer;
    private boolean reused;
    private boolean responseStarted;
    // The running exchange; null once it finished, so an idle pooled connection does not keep its last
    // request (and that request's body) reachable. Cleared before the release (after which a new exchange
    // may start) and only by the reading thread, the one that reads it: a connection closed from another
    // thread (abort, total timeout) leaves the pool anyway.
    private volatile @Nullable ExchangeCall spec;
    private long startedAt;
    private boolean awaitingHead;
    private final AtomicBoolean exchangeOpen = new AtomicBoolean();
    private volatile int generation;
    private volatile @Nullable BlockingResponseBody currentBody;

    public Http1BlockingConnection(
            BlockingTransport transport, Http1Options options, Ticker ticker, ConnectionTag tag) {
        this(transport, options, ticker, tag, Http1Route.ORIGIN);
    }

    /** A connection whose requests go to {@code route}: the origin, or a forwarding proxy. */
    public Http1BlockingConnection(
            BlockingTransport transport, Http1Options options, Ticker ticker, ConnectionTag tag, Http1Route route) {
        this.transport = transport;
        this.tag = tag;
        this.options = options;
        this.codec = new ResponseCodec(options.maxHeadBytes());
        this.socket = new BlockingSocketReader(transport, ticker);
        this.readBuf = socket.buffer();
        this.writer = new BlockingRequestWriter(transport.output(), route);
        this.ticker = ticker;
        this.peer = String.valueOf(transport.remoteAddress());
    }

    @Override
    public ConnectionTag tag() {
        return tag;
    }

    // ---- PooledConnection ----

    @Override
    public boolean isReusable() {
        return reusable && !closed.get() && transport.isOpen();
    }

    /** One non-blocking read: an idle connection the peer closed is never handed out. */
    @Override
    public boolean validate() {
        return isReusable() && !transport.probeUnusable();
    }

    @Override
    public void close(String reason) {
        if (exchangeOpen.get() && abortReason == null) {
            abortReason = reason;
        }
        reusable = false;
        if (closed.compareAndSet(false, true)) {
            transport.close();
            socket.unwatch();
            tag.closed(reason);
        }
    }

    /**
     * The total timeout fired: close the socket so a blocked thread wakes with an error. If the
     * response was already handed out, its body fails now and the connection's slot is freed at once,
     * whether or not anyone is reading the body. Any thread.
     */
    @Override
    public void expire() {
        totalExpired = true;
        reusable = false;
        transport.close();
        socket.unwatch();
        tag.closed("the total timeout expired");
        BlockingResponseBody body = currentBody;
        ExchangeCall s = spec;
        if (body != null && s != null && !awaitingHead && exchangeOpen.get()) {
            // Fail the body before ending the exchange, so a reader never mistakes the end for a clean one.
            body.fail(Timeouts.timedOut(s, TimedOutException.Kind.TOTAL, s.totalTimeoutNanos(), false));
            if (exchangeOpen.compareAndSet(true, false)) {
                s.release(this, false);
                s.onComplete();
            }
        }
    }

    // ---- the exchange ----

    /**
     * Sends the request and reads the response head on the calling thread. The response's body reads
     * from this connection; the exchange gives the connection back (and completes) once the body ends or
     * is closed.
     *
     * @param blockingExecutor where async body reads run when the caller is not a virtual thread
     */
    @Override
    public Response exchange(ExchangeCall exchange, Executor blockingExecutor) {
        this.spec = exchange;
        this.startedAt = ticker.nanoTime();
        this.responseStarted = false;
        this.awaitingHead = true;
        this.currentBody = null;
        this.generation++;
        exchangeOpen.set(true);
        Request request = exchange.request();
        try {
            long hold = ExpectContinue.waitNanos(exchange);
            writer.write(request, exchange, hold > 0);
            readHead(request, hold);
            awaitingHead = false;
            return buildResponse(request, blockingExecutor);
        } catch (IOException e) {
            AioductException failure = ioFailure(e, "sending the request or reading the response head");
            // Only a connection that broke may have been stale: a timeout or an interrupt is no sign of it.
            throw failed(failure, staleRetry(failure instanceof ConnectionClosedException));
        } catch (ConnectionClosedException e) {
            // Thrown by readHead when the peer closed; after the total timeout closed it, that is no sign.
            throw failed(e, staleRetry(!totalExpired));
        } catch (HttpProtocolException | TimedOutException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            // The body's source failed (a BodySourceFailure, carrying its exception out unchanged) or the
            // body broke its declared length: not the connection's fault, so never retried. The request is
            // cut short on the wire (BlockingRequestBody never completes it) and the connection closed.
            throw failed(e);
        }
    }

    /**
     * Reads heads until the final one. A body held back by {@code Expect: 100-continue} ({@code hold}
     * nanos at most) is written when its 100 arrives or the wait runs out; a final response first means it
     * is never sent, and the connection ends with the exchange (the server may still expect it).
     */
    private void readHead(Request request, long hold) throws IOException {
        codec.reset();
        codec.awaitingContinue = hold > 0;
        long continueAt = hold > 0 ? ticker.nanoTime() + hold : Long.MAX_VALUE;
        while (true) {
            if (readBuf.isReadable()) {
                responseStarted = true;
                ExchangeEvents ev = spec.events();
                ev.responseHeadersStart();
            }
            if (codec.readHead(readBuf)) {
                if (continueAt != Long.MAX_VALUE) reusable = false; // answered before the body was sent
                return;
            }
            boolean release = codec.takeContinue();
            if (!release) {
                int n = fill(continueAt);
                if (n < 0) {
                    throw ResponseCodec.closedDuringHead(peer, responseStarted, null);
                }
                release = n == 0; // no 100 (Continue) in time: the body goes anyway
            }
            if (release && continueAt != Long.MAX_VALUE) {
                continueAt = Long.MAX_VALUE;
                writer.writeHeldBody(request, spec);
            }
        }
    }

    private Response buildResponse(Request request, Executor blockingExecutor) throws IOException {
        ExchangeCall exchange = spec;
        BodyDecoder.Framing framing = codec.startBody(request);
        if (!codec.keepsConnection(request, framing)) {
            reusable = false;
        }
        ResponseParser parser = codec.parser;
        ExchangeEvents ev = exchange.events();
        ev.responseHeadersEnd(parser.status, parser.headBytes);
        // Each response is built before its exchange can finish: finishing releases the connection, which
        // may start the next exchange on another thread at once, parsing its own head into the parser.
        if (codec.decoder.complete()) {
            Response response = codec.response(exchange, request, BodySource.EMPTY);
            finish();
            return response;
        }
        long length = parser.contentLength;
        if (framing == BodyDecoder.Framing.LENGTH
                && length <= options.eagerBodyBytes()
                && readBuf.readableBytes() >= length) {
            // The whole (small) body arrived with the head: take it and free the connection at once.
            byte[] bytes = new byte[(int) length];
            Response response = codec.response(exchange, request, new ArrayBody(bytes));
            readBody(generation, bytes, 0, bytes.length);
            return response;
        }
        BlockingResponseBody body = new BlockingResponseBody(
                this, generation, framing == BodyDecoder.Framing.LENGTH ? length : -1, blockingExecutor);
        currentBody = body;
        Response response = codec.response(exchange, request, body);
        body.watchAbandonment(response.body());
        return response;
    }

    /**
     * Reads up to {@code len} body bytes of the exchange {@code gen} on the calling thread; -1 at the
     * end, when the connection has been released. Fails (closing the connection) on a timeout, a peer
     * close or bad framing. A body of an earlier exchange (the connection was reused since) reads
     * nothing: its {@link BlockingResponseBody} already knows how it ended.
     */
    int readBody(int gen, byte[] b, int off, int len) {
        if (gen != generation || !exchangeOpen.get()) {
            return -1;
        }
        try {
            while (true) {
                boolean done = socket.decode(codec.decoder, b, off, len);
                int copied = socket.copied();
                if (copied > 0 || done) {
                    if (done) {
                        finish();
                    }
                    return copied > 0 ? copied : -1;
                }
                if (fill(Long.MAX_VALUE) < 0) {
                    String missing = codec.decoder.endOfInput();
                    if (missing != null) {
                        throw ResponseCodec.closedDuringBody(missing, peer, null);
                    }
                    finish();
                    return -1;
                }
            }
        } catch (IOException e) {
            throw failed(ioFailure(e, "reading the response body"));
        } catch (AioductException e) {
            throw failed(e);
        }
    }

    /** Bytes already read from the socket for exchange {@code gen} and not yet decoded (a sizing hint). */
    int bufferedBytes(int gen) {
        return gen == generation && exchangeOpen.get() ? readBuf.readableBytes() : 0;
    }

    /** The body of exchange {@code gen} was abandoned before its end: close rather than drain. */
    void abortBody(int gen) {
        if (gen == generation && exchangeOpen.compareAndSet(true, false)) {
            ExchangeCall done = spec;
            reusable = false;
            close("response body closed before it was fully read");
            done.release(this, false);
            done.onComplete();
        }
    }

    private void finish() {
        if (exchangeOpen.compareAndSet(true, false)) {
            // Take the exchange first: once released, the connection may start another exchange at once.
            ExchangeCall done = spec;
            BlockingResponseBody body = currentBody;
            if (body != null) {
                body.ended(codec.decoder.trailers());
            }
            reused = true;
            if (readBuf.isReadable()) {
                // Bytes beyond the response: the connection is out of step.
                reusable = false;
            }
            readBuf.discardReadBytes();
            ExchangeEvents ev = done.events();
            ev.responseBodyEnd(codec.decoder.received());
            boolean keep = isReusable();
            spec = null;
            done.release(this, keep);
            done.onComplete();
        }
    }

    /** Whether a failure before any response byte on a reused connection may be sent again. */
    private Retry staleRetry(boolean brokeConnection) {
        return brokeConnection ? ResponseCodec.staleRetry(reused, responseStarted) : Retry.NEVER;
    }

    private RuntimeException failed(RuntimeException e) {
        return failed(e, Retry.NEVER);
    }

    /**
     * Ends the exchange with {@code e} and closes the connection. Before the response was handed out the
     * failure goes to the exchange ({@link ExchangeCall#onFailure} with {@code retry}), which may send it
     * again on another connection and ends itself; after, the exchange completes.
     */
    private RuntimeException failed(RuntimeException e, Retry retry) {
        reusable = false;
        close("exchange failed: " + e.getMessage());
        if (exchangeOpen.compareAndSet(true, false)) {
            ExchangeCall done = spec;
            ExchangeEvents ev = done.events();
            ev.attemptFailed(e);
            spec = null;
            done.release(this, false);
            if (awaitingHead) {
                done.onFailure(e, retry);
            } else {
                done.onComplete();
            }
        }
        return e;
    }

    private AioductException ioFailure(IOException e, String phase) {
        String aborted = abortReason;
        if (aborted != null) {
            return new RequestCancelledException(aborted + " (while " + phase + " of " + spec.request() + ")", e);
        }
        if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
            // The caller's thread was interrupted: the channel closed under it. The caller gave up.
            return new RequestCancelledException("interrupted while " + phase + " of " + spec.request(), e);
        }
        if (totalExpired) {
            return new TimedOutException(
                    TimedOutException.Kind.TOTAL,
                    Duration.ofNanos(spec.totalTimeoutNanos()),
                    phase + " of " + spec.request());
        }
        if (e instanceof SocketTimeoutException || socket.readDeadlinePassed()) {
            TimedOutException fired = socket.timedOut(spec, startedAt, awaitingHead);
            return new TimedOutException(fired.kind(), fired.timeout(), phase + " of " + spec.request());
        }
        return new ConnectionClosedException("I/O error " + phase + " on " + peer + ": " + e, e);
    }

    /** Reads more bytes from the socket into the buffer, honouring the timeouts; -1 at end of stream. */
    private int fill(long wakeAt) throws IOException {
        int n = socket.fill(spec, startedAt, awaitingHead, wakeAt);
        if (n > 0 && awaitingHead) {
            responseStarted = true;
        }
        return n;
    }

    @Override
    public String toString() {
        return "Http1BlockingConnection[" + transport + "]";
    }
}
