package io.aioduct.body;

import io.aioduct.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One streamed request body as a driver sends it: the bytes of an {@link InputStream}, a {@link
 * RequestBody.BodyWriter} or a publisher (or an array) cut into chunks, checked against the declared
 * length, with one rule for who failed. The driver keeps only its framing (HTTP/1.1 chunked or fixed
 * length, HTTP/2 DATA frames and windows) in a {@link Sink}; the source offers two faces:
 *
 * <ul>
 *   <li><b>pull</b> ({@link #pull}), for the blocking drivers: the calling thread reads the stream or runs
 *       the writer itself, or waits while a publisher's chunks arrive; the sink writes each one, blocking,
 *       before the next is produced. It returns once the body ended with its declared length met.
 *   <li><b>demand</b> ({@link #start}), for the loop drivers: a stream or writer runs on its own virtual
 *       thread (it may block; a loop must not), a publisher is subscribed to. The sink returns whether it
 *       can take more at once; when it cannot, the source produces nothing more (the thread waits, no
 *       publisher demand is signalled) until the driver calls {@link #resume()}. The end and the failure
 *       are told to the {@link Receiver}, never after {@link #cancel()}.
 * </ul>
 *
 * <p>Each chunk is valid only during {@link Sink#accept}: a stream's and a writer's chunks are views of
 * one array reused for the next, a publisher may reuse its buffer once it is accepted. A publisher is
 * asked for one buffer at a time, each accepted before the next is requested. Empty chunks are dropped.
 *
 * <p>Failures: a failure of ours (the sink threw, the body broke its declared length, the pull was
 * interrupted) is recorded first and wins, even if the source caught it and threw something else or
 * nothing; it fails as itself. A failure of the source (its stream, writer or publisher threw or
 * signalled an error, or its supplier did) fails {@link #pull} as a {@link BodySourceFailure} carrying
 * it, and is told to {@link Receiver#onFailed} as itself. The declared-length messages are the ones
 * docs/errors.md quotes: "request body is longer than its declared length of N bytes" and "request
 * body ended after S of its declared N bytes".
 *
 * <p>One source serves one send of the body; it is not reused.
 */
public final class RequestBodySource {
    /** Bytes per chunk read from a stream or gathered from a writer. */
    private static final int CHUNK = 16 * 1024;

    private static final VarHandle OWED;

    static {
        try {
            OWED = MethodHandles.lookup().findVarHandle(RequestBodySource.class, "owed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where the chunks go: the driver's framing. */
    public interface Sink {
        /**
         * Sends (or copies) {@code chunk}, consuming it before returning. Returns whether the source may
         * produce the next chunk at once; {@code false} holds it until {@link #resume()}. A blocking sink
         * waits instead, and returns {@code true}. Whatever it throws is a failure of ours.
         */
        boolean accept(ByteBuffer chunk) throws IOException;
    }

    /** The demand face's driver: takes chunks and is told how the body ended. */
    public interface Receiver extends Sink {
        /** The body ended with its declared length met. On the producing thread. */
        void onEnd();

        /** The body failed (see the class comment for which exception). On the producing thread. */
        void onFailed(Throwable cause);
    }

    private final RequestBody body;
    private final long declared;
    /** Body bytes produced so far (counted before they are accepted). Written by the producing thread. */
    private long sent;
    /** The first failure of ours, which wins over whatever the source makes of it. */
    private @Nullable Exception ownFailure;
    /** The demand face's driver; none on the pull face. */
    private @Nullable Receiver receiver;
    /** The thread that waits: the body's own (demand face) or the caller (pull face). */
    private volatile @Nullable Thread thread;

    private volatile Flow.@Nullable Subscription subscription;
    private volatile boolean cancelled;
    /** The driver can take more since the last chunk was offered. */
    private volatile boolean resumed;
    /** A publisher's next request waits for {@link #resume()}. Through {@link #OWED}. */
    private volatile boolean owed;
    /** A publisher signalled its end, or failed; then {@link #outcome} is set. */
    private volatile boolean ended;

    private @Nullable Throwable outcome;

    private RequestBodySource(RequestBody body) {
        this.body = body;
        this.declared = body.contentLength();
    }

    /** A source sending {@code body} once. */
    public static RequestBodySource of(RequestBody body) {
        return new RequestBodySource(Objects.requireNonNull(body, "body"));
    }

    /** Body bytes produced so far, without framing. */
    public long sent() {
        return sent;
    }

    /**
     * Whether a body of declared length has produced all of it: the chunk being accepted completes it. A
     * fixed-length framing holds (part of) that chunk back until the source has ended, so that a source
     * that then fails, or goes on past its length, never leaves a complete request on the wire.
     */
    public boolean reachedDeclaredLength() {
        return declared >= 0 && sent == declared;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean cancelled() {
        return cancelled;
    }

    // ---- the pull face ----

    /**
     * Sends the whole body through {@code sink} on the calling thread (a publisher's chunks on the
     * publisher's threads while this one waits). Returns once the body ended with its declared length met;
     * the framing's end (last chunk, END_STREAM) is the caller's to write.
     *
     * @throws BodySourceFailure carrying the source's own failure
     * @throws IOException a failure of ours: the sink's, or an interrupt while waiting for a publisher
     *     (an {@link InterruptedIOException}, the thread's interrupt status kept)
     */
    public void pull(Sink sink) throws IOException {
        thread = Thread.currentThread();
        Throwable failure;
        try {
            if (body instanceof RequestBody.Publisher p) {
                p.publisher().subscribe(new Subscriber(sink));
                awaitEnd();
                failure = outcome;
            } else {
                produce(sink);
                failure = null;
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (failure != null) throw pullFailure(failure);
    }

    /** Throws our failure as itself, or returns the source's {@code e} carried, to be thrown. */
    private BodySourceFailure pullFailure(Throwable e) throws IOException {
        Exception ours = ownFailure;
        if (ours instanceof IOException io) throw io;
        if (ours instanceof RuntimeException re) throw re;
        return e instanceof BodySourceFailure f ? f : new BodySourceFailure(e);
    }

    /** Waits for a publisher's end. On the calling thread of {@link #pull}. */
    private void awaitEnd() throws InterruptedIOException {
        while (!ended) {
            LockSupport.park(this);
            if (Thread.currentThread().isInterrupted() && !ended) {
                // The caller gave up: stop the publisher; whatever it still signals is ignored.
                cancelled = true;
                ended = true;
                Flow.Subscription s = subscription;
                if (s != null) s.cancel();
                throw ours(new InterruptedIOException("interrupted while sending the request body"));
            }
        }
    }

    // ---- the demand face ----

    /**
     * Starts producing into {@code receiver}. Call it on the driver's loop once the driver has recorded
     * this source (or its own pump): a publisher may emit, and even end, within this call.
     */
    public void start(Receiver receiver) {
        this.receiver = receiver;
        if (body instanceof RequestBody.Publisher p) {
            p.publisher().subscribe(new Subscriber(receiver));
        } else {
            Thread.ofVirtual().name("aioduct-body-pump").start(this::produceOnOwnThread);
        }
    }

    /** The driver can take more: the source goes on producing. Any thread; a call nothing waits for is kept. */
    public void resume() {
        resumed = true;
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
        if (OWED.compareAndSet(this, true, false) && !cancelled) {
            requestNext();
        }
    }

    /**
     * Stops producing: the body's thread is interrupted, the publisher's subscription cancelled, and
     * nothing more is told to the receiver. Any thread; idempotent.
     */
    public void cancel() {
        cancelled = true;
        Thread t = thread;
        if (t != null && receiver != null) t.interrupt();
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
    }

    private void produceOnOwnThread() {
        Receiver r = Objects.requireNonNull(receiver);
        thread = Thread.currentThread();
        try {
            produce(r);
            if (!cancelled) r.onEnd();
        } catch (Throwable e) {
            if (!cancelled) r.onFailed(blame(e));
        }
    }

    // ---- producing ----

    /** Runs a stream, writer or array body to its end on this thread, then checks the declared length. */
    private void produce(Sink sink) throws IOException {
        switch (body) {
            case RequestBody.Bytes b -> send(sink, ByteBuffer.wrap(b.array(), b.offset(), b.length()));
            case RequestBody.Stream s -> {
                byte[] buf = new byte[CHUNK];
                ByteBuffer view = ByteBuffer.wrap(buf);
                try (InputStream in = s.open()) {
                    int n;
                    while (!cancelled && (n = in.read(buf)) >= 0) {
                        send(sink, view.clear().limit(n));
                    }
                }
            }
            case RequestBody.Writer w -> {
                WriterStream out = new WriterStream(sink);
                w.writer().writeTo(out);
                out.flush();
                rethrowOwnFailure(); // the writer caught and swallowed it
            }
            case RequestBody.Publisher p -> throw new IllegalArgumentException("a publisher is subscribed to");
        }
        if (!cancelled) checkEnded();
    }

    /** Offers {@code chunk}; waits while the sink cannot take more. */
    private void send(Sink sink, ByteBuffer chunk) throws IOException {
        if (!offer(sink, chunk)) {
            while (!resumed && !cancelled) {
                LockSupport.park(this);
                if (Thread.currentThread().isInterrupted()) {
                    throw ours(new InterruptedIOException("interrupted while sending the request body"));
                }
            }
        }
    }

    /** Counts {@code chunk} against the declared length and hands it to the sink; its answer. */
    private boolean offer(Sink sink, ByteBuffer chunk) throws IOException {
        int n = chunk.remaining();
        if (n == 0) {
            return true; // nothing to send, and an empty chunk would end a chunked body early
        }
        sent += n;
        try {
            if (declared >= 0 && sent > declared) {
                throw new IllegalStateException(
                        "request body is longer than its declared length of " + declared + " bytes");
            }
            resumed = false; // a resume() from here on answers this chunk
            return sink.accept(chunk);
        } catch (IOException e) {
            throw ours(e);
        } catch (RuntimeException e) {
            throw ours(e);
        }
    }

    private void checkEnded() {
        if (declared >= 0 && sent != declared) {
            throw ours(new IllegalStateException(
                    "request body ended after " + sent + " of its declared " + declared + " bytes"));
        }
    }

    /** Records {@code e} as a failure of ours, unless one was recorded before. */
    private <E extends Exception> E ours(E e) {
        if (ownFailure == null) ownFailure = e;
        return e;
    }

    private void rethrowOwnFailure() throws IOException {
        Exception e = ownFailure;
        if (e instanceof IOException io) throw io;
        if (e instanceof RuntimeException re) throw re;
    }

    /** What the exchange fails with when producing ended with {@code e}: ours if we failed first. */
    private Throwable blame(Throwable e) {
        Exception ours = ownFailure;
        return ours != null ? ours : e;
    }

    private void requestNext() {
        Flow.Subscription s = subscription;
        if (s != null) s.request(1);
    }

    /** A publisher's end: tells the receiver, or wakes the caller of {@link #pull}. */
    private void publisherEnded(@Nullable Throwable failure) {
        if (ended) return;
        Receiver r = receiver;
        if (r == null) {
            outcome = failure;
            ended = true;
            Thread t = thread;
            if (t != null) LockSupport.unpark(t);
        } else {
            ended = true;
            if (cancelled) return;
            if (failure == null) {
                r.onEnd();
            } else {
                r.onFailed(blame(failure));
            }
        }
    }

    /** Takes a publisher's buffers one at a time. Its signals are serialised (Reactive Streams 1.3). */
    private final class Subscriber implements Flow.Subscriber<ByteBuffer> {
        private final Sink sink;

        Subscriber(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (ended || cancelled) return;
            try {
                if (offer(sink, item)) {
                    requestNext();
                } else {
                    OWED.setVolatile(RequestBodySource.this, true);
                    // A resume() that came before the flag was set saw nothing owed: take it here.
                    if ((resumed || cancelled) && OWED.compareAndSet(RequestBodySource.this, true, false)) {
                        if (!cancelled) requestNext();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Ours (offer recorded it) or the subscription's own.
                Flow.Subscription s = subscription;
                if (s != null) s.cancel();
                publisherEnded(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            publisherEnded(t);
        }

        @Override
        public void onComplete() {
            if (ended) return;
            try {
                checkEnded();
            } catch (IllegalStateException e) {
                publisherEnded(e);
                return;
            }
            publisherEnded(null);
        }
    }

    /**
     * What a writer body writes into: gathers bytes into chunks of {@link #CHUNK}, sent as each fills and
     * on {@code flush()}. Fails once the exchange no longer wants the body.
     */
    private final class WriterStream extends OutputStream {
        private final Sink sink;
        private final byte[] buf = new byte[CHUNK];
        private final ByteBuffer view = ByteBuffer.wrap(buf);
        private int count;

        WriterStream(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            checkWanted();
            if (count == buf.length) drain();
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] data, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, data.length);
            checkWanted();
            while (len > 0) {
                if (count == buf.length) drain();
                int n = Math.min(len, buf.length - count);
                System.arraycopy(data, off, buf, count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            checkWanted();
            if (count > 0) drain();
        }

        private void drain() throws IOException {
            ByteBuffer chunk = view.clear().limit(count);
            count = 0;
            send(sink, chunk);
        }

        private void checkWanted() throws IOException {
            if (cancelled) {
                throw new IOException("the exchange ended; the request body is no longer wanted");
            }
            rethrowOwnFailure();
        }
    }
}
