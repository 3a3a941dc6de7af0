package io.aioduct.http1;

import io.aioduct.AioductException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodySource;
import io.aioduct.body.ByteSink;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeSpec;
import io.aioduct.exchange.Retry;
import io.aioduct.observe.ExchangeEvents;
import io.aioduct.protocol.Http1Options;
import io.aioduct.syntax.ReasonPhrase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP/1.1 connection over a blocking socket. The thread that runs an exchange (on the virtual
 * runtime, the request's own virtual thread) writes the request and reads the response itself; the
 * body is read from the socket as the consumer asks for it. Uses the same parser and decoder as the
 * event-loop connection.
 *
 * <p>Timeouts: the response, read and total limits become the socket's read timeout before each read;
 * writes are bounded by the total timeout, whose watchdog closes the socket ({@link #expire()}).
 *
 * <p>Threading: one exchange at a time, driven by one thread; {@link #expire()} and {@link
 * #close(String)} may be called from any thread to abort it.
 */
public final class Http1BlockingConnection implements BlockingConnection {
    /** First read size, and the read buffer's first capacity: what small responses need. */
    private static final int READ_MIN = 4 * 1024;
    /** Largest read: reached by doubling while reads fill the buffer (bulk bodies). */
    private static final int READ_MAX = 16 * 1024;

    private final BlockingTransport transport;
    private final InputStream in;
    private final OutputStream out;
    private final Http1Options options;
    private final ResponseParser parser;
    private final BodyDecoder decoder;
    private final ByteBuf readBuf;
    private final ByteBuf writeBuf;
    /** The engine\'s clock: every time this connection measures comes from it. */
    private final Ticker ticker;

    private final long createdNanos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConnectionTag tag;

    private volatile long idleSince;
    private volatile boolean reusable = true;
    private volatile boolean totalExpired;
    private volatile @org.jspecify.annotations.Nullable String abortReason;
    private final String peer;
    private boolean reused;
    private boolean responseStarted;
    // The running exchange; null once it finished, so an idle pooled connection does not keep its last
    // request (and that request's body) reachable.
    private volatile @org.jspecify.annotations.Nullable ExchangeCall spec;
    private long startedAt;
    private boolean awaitingHead;
    private TimedOutException.Kind pendingKind = TimedOutException.Kind.READ;
    private long pendingNanos;
    private final AtomicBoolean exchangeOpen = new AtomicBoolean();
    private final CopySink sink = new CopySink();
    private int readChunk = READ_MIN;
    private volatile int generation;
    private volatile @org.jspecify.annotations.Nullable BlockingResponseBody currentBody;

    public Http1BlockingConnection(
            BlockingTransport transport, Http1Options options, Ticker ticker, ConnectionTag tag) {
        this.transport = transport;
        this.tag = tag;
        this.in = transport.input();
        this.out = transport.output();
        this.options = options;
        this.parser = new ResponseParser(options.maxHeadBytes());
        this.decoder = new BodyDecoder(options.maxHeadBytes());
        // Plain heap buffers, not leak-tracked: another thread may close the connection while its owner
        // is still reading, so they are left to the garbage collector rather than released.
        this.readBuf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, READ_MIN, Integer.MAX_VALUE);
        this.writeBuf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 1024, Integer.MAX_VALUE);
        this.ticker = ticker;
        this.createdNanos = ticker.nanoTime();
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
        if (exchangeOpen.get() && abortReason == null) {
            abortReason = reason;
        }
        reusable = false;
        if (closed.compareAndSet(false, true)) {
            transport.close();
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
        tag.closed("the total timeout expired");
        BlockingResponseBody body = currentBody;
        ExchangeCall s = spec;
        if (body != null && s != null && !awaitingHead && exchangeOpen.get()) {
            // Fail the body before ending the exchange, so a reader never mistakes the end for a clean one.
            body.fail(new TimedOutException(
                    TimedOutException.Kind.TOTAL,
                    Duration.ofNanos(s.totalTimeoutNanos()),
                    "reading the response body of " + s.request()));
            if (exchangeOpen.compareAndSet(true, false)) {
                s.release(false);
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
        this.startedAt = System.nanoTime();
        this.responseStarted = false;
        this.awaitingHead = true;
        this.currentBody = null;
        this.generation++;
        exchangeOpen.set(true);
        Request request = exchange.request();
        try {
            writeRequest(request, exchange);
            readHead();
            awaitingHead = false;
            return buildResponse(request, blockingExecutor);
        } catch (IOException e) {
            AioductException failure = ioFailure(e, "sending the request or reading the response head");
            // Only a connection that broke may have been stale: a timeout or an interrupt is no sign of it.
            throw failed(failure, staleRetry(failure instanceof ConnectionClosedException));
        } catch (ConnectionClosedException e) {
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

    private void writeRequest(Request request, ExchangeSpec exchange) throws IOException {
        long framing = RequestWriter.framing(request);
        writeBuf.clear();
        ExchangeEvents ev = exchange.events();
        if (ev != null) ev.requestHeadersStart();
        RequestWriter.writeHead(request, framing, exchange.userAgent(), writeBuf);
        RequestBody body = request.body();
        if (ev != null) {
            ev.requestHeadersEnd(writeBuf.readableBytes());
            if (body != null) ev.requestBodyStart();
        }
        long bodyBytes = body instanceof RequestBody.Bytes b ? b.length() : 0;
        boolean chunked = framing == RequestWriter.CHUNKED_BODY;
        if ((body == null || body instanceof RequestBody.Bytes) && chunked) {
            // Trailers asked for: the bytes go as one chunk, then the last chunk carries them.
            RequestBody.Bytes bytes = (RequestBody.Bytes) body;
            if (bytes != null && bytes.length() > 0) {
                RequestWriter.writeChunkHeader(writeBuf, bytes.length());
                writeBuf.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                RequestWriter.writeCrlf(writeBuf);
            }
            RequestWriter.writeLastChunk(writeBuf, request);
            writeBuffered();
        } else if (body instanceof RequestBody.Bytes bytes && bytes.length() <= 8192) {
            writeBuf.writeBytes(bytes.array(), bytes.offset(), bytes.length());
            writeBuffered();
        } else {
            writeBuffered();
            if (body instanceof RequestBody.Bytes bytes) {
                out.write(bytes.array(), bytes.offset(), bytes.length());
            } else if (body != null && framing != 0) {
                BlockingRequestBody writer = new BlockingRequestBody(out, chunked, request);
                writer.write();
                bodyBytes = writer.sent();
            }
        }
        out.flush();
        if (ev != null) {
            if (body != null) {
                ev.requestBodyEnd(bodyBytes);
            } else {
                ev.requestSent();
            }
        }
    }

    private void writeBuffered() throws IOException {
        out.write(writeBuf.array(), writeBuf.arrayOffset() + writeBuf.readerIndex(), writeBuf.readableBytes());
    }

    private void readHead() throws IOException {
        parser.reset();
        while (true) {
            if (readBuf.isReadable()) {
                responseStarted = true;
                ExchangeEvents ev = spec.events();
                if (ev != null) ev.responseHeadersStart();
            }
            if (parser.parse(readBuf)) {
                int status = parser.status;
                if (status == 101) {
                    throw new HttpProtocolException("unexpected 101 Switching Protocols: no upgrade was requested");
                }
                if (status >= 200) {
                    return;
                }
                continue;
            }
            if (fill() < 0) {
                throw new ConnectionClosedException(
                        "connection to " + peer + " closed by the server "
                                + (responseStarted ? "in the middle of the response head" : "before any response"),
                        null);
            }
        }
    }

    private Response buildResponse(Request request, Executor blockingExecutor) throws IOException {
        int status = parser.status;
        boolean noBody = request.method().equals("HEAD") || status == 204 || status == 304;
        BodyDecoder.Framing framing = noBody
                ? BodyDecoder.Framing.NONE
                : parser.chunked
                        ? BodyDecoder.Framing.CHUNKED
                        : parser.contentLength >= 0 ? BodyDecoder.Framing.LENGTH : BodyDecoder.Framing.UNTIL_CLOSE;
        boolean keepAlive =
                parser.version == io.aioduct.HttpVersion.HTTP_1_1 ? !parser.connectionClose : parser.keepAlive;
        String connection = request.headers().first("Connection");
        if (!keepAlive
                || framing == BodyDecoder.Framing.UNTIL_CLOSE
                || (connection != null
                        && connection.toLowerCase(java.util.Locale.ROOT).contains("close"))) {
            reusable = false;
        }
        decoder.start(framing, parser.contentLength);
        // Read now: finishing below releases the connection, which forgets this exchange's spec (and may
        // start the next exchange on another thread at once, which parses its own head into the parser).
        long maxBuffered = spec.maxBufferedBody();
        HttpVersion version = parser.version;
        ReasonPhrase reason = parser.reason();
        RawHeaders headers = parser.headers;
        ExchangeEvents ev = spec.events();
        if (ev != null) ev.responseHeadersEnd(status, parser.headBytes);
        if (decoder.complete()) {
            finish();
            return new Response(request, status, reason, version, headers, BodySource.EMPTY, maxBuffered);
        }
        long length = parser.contentLength;
        if (framing == BodyDecoder.Framing.LENGTH
                && length <= options.eagerBodyBytes()
                && readBuf.readableBytes() >= length) {
            // The whole (small) body arrived with the head: take it and free the connection at once.
            byte[] bytes = new byte[(int) length];
            readBody(generation, bytes, 0, bytes.length);
            return new Response(request, status, reason, version, headers, new ArrayBody(bytes), maxBuffered);
        }
        BlockingResponseBody body = new BlockingResponseBody(
                this, generation, framing == BodyDecoder.Framing.LENGTH ? length : -1, blockingExecutor);
        currentBody = body;
        Response response = new Response(request, status, reason, version, headers, body, maxBuffered);
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
                CopySink sink = this.sink;
                sink.reset(b, off);
                boolean done;
                try {
                    done = decoder.decode(readBuf, sink, len);
                } finally {
                    // The caller's array is not ours to keep: a pooled connection holding the last one
                    // pinned a whole body (or publisher chunk) until its next exchange.
                    sink.forget();
                }
                if (sink.copied > 0 || done) {
                    if (done) {
                        finish();
                    }
                    return sink.copied > 0 ? sink.copied : -1;
                }
                if (fill() < 0) {
                    String missing = decoder.endOfInput();
                    if (missing != null) {
                        throw new ConnectionClosedException(missing + " (" + peer + ")", null);
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
            done.release(false);
            done.onComplete();
        }
    }

    private void finish() {
        if (exchangeOpen.compareAndSet(true, false)) {
            // Take the exchange first: once released, the connection may start another exchange at once.
            ExchangeCall done = spec;
            BlockingResponseBody body = currentBody;
            if (body != null) {
                body.ended(decoder.trailers());
            }
            reused = true;
            if (readBuf.isReadable()) {
                // Bytes beyond the response: the connection is out of step.
                reusable = false;
            }
            readBuf.discardReadBytes();
            ExchangeEvents ev = done.events();
            if (ev != null) ev.responseBodyEnd(decoder.received());
            boolean keep = isReusable();
            forgetExchange();
            done.release(keep);
            done.onComplete();
        }
    }

    /**
     * The exchange ended on its reading thread: drop what it referenced, before the release (after which
     * a new exchange may start). Only the reading thread clears these: it is the one that reads them.
     * A connection closed from another thread (abort, total timeout) leaves the pool anyway.
     */
    private void forgetExchange() {
        spec = null;
    }

    /** Whether a failure before any response byte on a reused connection may be sent again. */
    private Retry staleRetry(boolean brokeConnection) {
        return reused && !responseStarted && brokeConnection ? Retry.IF_IDEMPOTENT : Retry.NEVER;
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
            if (ev != null) ev.attemptFailed(e);
            forgetExchange();
            done.release(false);
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
        if (e instanceof SocketTimeoutException) {
            return new TimedOutException(pendingKind, Duration.ofNanos(pendingNanos), phase + " of " + spec.request());
        }
        return new ConnectionClosedException("I/O error " + phase + " on " + peer + ": " + e, e);
    }

    /** Reads more bytes from the socket into the buffer, honouring the timeouts; -1 at end of stream. */
    private int fill() throws IOException {
        if (readBuf.readerIndex() > 0 && readBuf.writableBytes() < readChunk) {
            readBuf.discardReadBytes();
        }
        readBuf.ensureWritable(readChunk);
        transport.readTimeoutMillis(readTimeoutMillis());
        int room = readBuf.writableBytes();
        int n = readBuf.writeBytes(in, room);
        if (n == room && readChunk < READ_MAX) {
            // The socket had more than we asked for: a bulk body. Read more at a time from now on.
            readChunk = Math.min(READ_MAX, readChunk << 1);
        }
        if (n > 0 && awaitingHead) {
            responseStarted = true;
        }
        return n;
    }

    /** The socket read timeout for the next read: the nearest of the response, read and total limits. */
    private int readTimeoutMillis() {
        long now = System.nanoTime();
        long limit = Long.MAX_VALUE;
        if (awaitingHead && spec.responseTimeoutNanos() > 0) {
            limit = startedAt + spec.responseTimeoutNanos() - now;
            pendingKind = TimedOutException.Kind.RESPONSE;
            pendingNanos = spec.responseTimeoutNanos();
        }
        if (spec.readTimeoutNanos() > 0 && spec.readTimeoutNanos() < limit) {
            limit = spec.readTimeoutNanos();
            pendingKind = TimedOutException.Kind.READ;
            pendingNanos = spec.readTimeoutNanos();
        }
        if (spec.totalDeadlineNanos() != 0 && spec.totalDeadlineNanos() - now < limit) {
            limit = spec.totalDeadlineNanos() - now;
            pendingKind = TimedOutException.Kind.TOTAL;
            pendingNanos = spec.totalTimeoutNanos();
        }
        if (limit == Long.MAX_VALUE) {
            return 0;
        }
        if (limit <= 0) {
            throw new TimedOutException(
                    pendingKind,
                    Duration.ofNanos(pendingNanos),
                    (awaitingHead ? "waiting for the response head" : "reading the response body") + " of "
                            + spec.request());
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (limit + 999_999) / 1_000_000));
    }

    @Override
    public String toString() {
        return "Http1BlockingConnection[" + transport + "]";
    }

    /** Copies decoded payload into the caller's array. */
    private static final class CopySink implements ByteSink {
        private static final byte[] NOTHING = new byte[0];
        private byte[] target = NOTHING;
        private int offset;
        int copied;

        void reset(byte[] into, int at) {
            this.target = into;
            this.offset = at;
            this.copied = 0;
        }

        void forget() {
            this.target = NOTHING;
        }

        @Override
        public void onData(ByteBuf in, int index, int length) {
            in.getBytes(index, target, offset + copied, length);
            copied += length;
        }
    }
}
