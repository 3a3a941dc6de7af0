package io.aioduct;

import io.aioduct.body.BodySource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body, streamed from the connection. Consume it once, in one of these ways: {@link
 * #bytes()}/{@link #string()} (or their async forms), {@link #inputStream()}, or {@link #publisher()}.
 * Reading it to the end returns the connection to the pool; {@link #close()} before the end closes
 * the connection instead. A body never consumed nor closed holds its connection until a timeout or the
 * garbage collector releases it: close what you do not read.
 *
 * <p>Whole-body reads are capped by the client's {@code maxBufferedBodyBytes}; past it they fail with
 * {@link BodyTooLargeException}. Thread-safe for one consumer.
 */
public final class ResponseBody implements AutoCloseable {
    private final BodySource source;
    private final HttpHeaders headers;
    private final long bufferLimit;
    /** 1 once read or closed. A field behind a VarHandle, not an AtomicBoolean: one object less per response. */
    private volatile int consumed;

    private static final VarHandle CONSUMED;

    static {
        try {
            CONSUMED = MethodHandles.lookup().findVarHandle(ResponseBody.class, "consumed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ResponseBody(BodySource source, HttpHeaders headers, long bufferLimit) {
        this.source = source;
        this.headers = headers;
        this.bufferLimit = bufferLimit;
    }

    /** The Content-Length the server announced, or -1 when it did not (chunked or until close). */
    public long contentLength() {
        return source.contentLength();
    }

    /** The whole body. Blocks until it has arrived; on an event-loop thread use {@link #bytesAsync()}. */
    public byte[] bytes() {
        claim();
        try {
            return source.readAll(bufferLimit);
        } finally {
            // Unreachable, this body would let the cleaner abandon the read it is blocked in.
            Reference.reachabilityFence(this);
        }
    }

    /** The whole body decoded with the Content-Type charset (UTF-8 when none is given). */
    public String string() {
        return new String(bytes(), charset());
    }

    public CompletionStage<byte[]> bytesAsync() {
        claim();
        // The dependent stage keeps this body reachable (and so not abandoned) until the read ends.
        return source.readAllAsync(bufferLimit).whenComplete((b, e) -> Reference.reachabilityFence(this));
    }

    public CompletionStage<String> stringAsync() {
        Charset cs = charset();
        return bytesAsync().thenApply(b -> new String(b, cs));
    }

    /** The body as a blocking stream; closing it before the end closes the connection. */
    public InputStream inputStream() {
        claim();
        return new BodyInputStream(this);
    }

    /**
     * The body as a publisher of buffers, with back-pressure: no more is read from the connection than
     * the subscriber requested. Single subscriber; cancelling closes the connection unless the body
     * already ended.
     *
     * <p><b>Each buffer is lent, not given.</b> A buffer passed to {@code onNext} is a read-only view of
     * the connection's (pooled) memory, valid only until that {@code onNext} call returns: then the
     * engine releases the memory, and it holds other bytes (of this body or another response) soon
     * after. Read it inside {@code onNext}; a subscriber that keeps bytes past the call must copy them
     * (for instance {@code byte[] copy = new byte[item.remaining()]; item.get(copy);}). This is what
     * spares a streamed body any per-chunk copy, and what Reactor Netty, Jetty and the JDK client's
     * streaming subscribers do too. Buffers are not required to be backed by an array ({@code
     * hasArray()} is false).
     *
     * <p>Failure: after the last valid {@code onNext}, a body that breaks (a timeout, the connection
     * closed early, bad framing) signals {@code onError} once; every buffer still held by the engine is
     * released on completion, error and cancellation alike. A subscriber that throws from {@code onNext}
     * has its subscription cancelled.
     */
    public Flow.Publisher<ByteBuffer> publisher() {
        claim();
        return subscriber -> source.subscribe(new OwnedSubscriber(subscriber, this));
    }

    /** Discards the body. Closes the connection unless the body had already fully arrived. Idempotent. */
    @Override
    public void close() {
        consumed = 1;
        source.close();
    }

    /** The charset named by Content-Type, or UTF-8. */
    public Charset charset() {
        String contentType = headers.first("Content-Type");
        if (contentType != null) {
            int i = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
            if (i >= 0) {
                String name = contentType.substring(i + 8).trim();
                int end = name.indexOf(';');
                if (end >= 0) name = name.substring(0, end).trim();
                if (name.length() > 1 && name.startsWith("\"") && name.endsWith("\"")) {
                    name = name.substring(1, name.length() - 1);
                }
                try {
                    return Charset.forName(name);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private void claim() {
        if (!CONSUMED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("the response body was already consumed or closed; read it only once");
        }
    }

    /** Adapts the source's blocking read to InputStream; close before the end closes the connection. */
    private static final class BodyInputStream extends InputStream {
        // The stream holds its body: while the stream is in use the cleaner must not abandon the body.
        private final ResponseBody owner;
        private final BodySource source;
        private boolean eof;
        private boolean closed;

        BodyInputStream(ResponseBody owner) {
            this.owner = owner;
            this.source = owner.source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (eof) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            try {
                int n = source.read(b, off, len);
                if (n < 0) {
                    eof = true;
                }
                return n;
            } catch (RequestCancelledException e) {
                if (Thread.currentThread().isInterrupted()) {
                    // The reader's thread was interrupted: the I/O idiom for that, the exchange as the cause.
                    InterruptedIOException interrupted = new InterruptedIOException(e.getMessage());
                    interrupted.initCause(e);
                    throw interrupted;
                }
                throw new IOException(e.getMessage(), e);
            } catch (AioductException e) {
                throw new IOException(e.getMessage(), e);
            } finally {
                Reference.reachabilityFence(owner);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                source.close();
            }
        }
    }

    /** A subscriber that keeps its body reachable while the source still holds the subscriber. */
    private record OwnedSubscriber(Flow.Subscriber<? super ByteBuffer> delegate, ResponseBody owner)
            implements Flow.Subscriber<ByteBuffer> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            delegate.onSubscribe(subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
            delegate.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            delegate.onError(throwable);
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }
    }
}
