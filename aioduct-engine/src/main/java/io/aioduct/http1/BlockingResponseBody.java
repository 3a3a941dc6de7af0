package io.aioduct.http1;

import io.aioduct.BodyTooLargeException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpHeaders;
import io.aioduct.RequestCancelledException;
import io.aioduct.body.AbandonWatch;
import io.aioduct.body.BodySource;
import io.aioduct.concurrent.Completions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A response body read from a blocking socket as the consumer asks: {@link #read} reads on the
 * calling thread. Async forms run inline on a virtual thread (they only park) and otherwise on the
 * runtime's executor; a subscriber is fed by one such thread that waits for demand.
 *
 * <p>It belongs to one exchange ({@code generation}) of its connection and remembers how that ended,
 * so once the connection has been reused, nothing done with this body (a late close, the garbage
 * collector's cleanup) can touch the newer exchange. State changes are atomic; reads are for one
 * consumer thread at a time.
 */
final class BlockingResponseBody implements BodySource, AbandonWatch.Target {
    private static final int CHUNK = 16 * 1024;
    private static final int FIRST_UNKNOWN = 1024;
    private static final int OPEN = 0;
    private static final int ENDED = 1;
    private static final int FAILED = 2;
    private static final int CLOSED = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BlockingResponseBody.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Http1BlockingConnection connection;
    private final int generation;
    private final long contentLength;
    private final Executor executor;
    private volatile int state = OPEN;
    private volatile @Nullable RuntimeException failure;
    private final CompletableFuture<HttpHeaders> trailers = new CompletableFuture<>();
    private volatile @Nullable AbandonWatch watch;

    BlockingResponseBody(Http1BlockingConnection connection, int generation, long contentLength, Executor executor) {
        this.connection = connection;
        this.generation = generation;
        this.contentLength = contentLength;
        this.executor = executor;
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        switch (state) {
            case ENDED:
                return -1;
            case FAILED:
                throw failure;
            case CLOSED:
                throw new RequestCancelledException("the response body was closed before it was fully read");
            default:
                break;
        }
        int n;
        try {
            n = connection.readBody(generation, buffer, offset, length);
        } catch (RuntimeException e) {
            fail(e);
            throw e;
        }
        if (n < 0) {
            // The exchange ended: normally, or because it failed or was closed from another thread.
            if (STATE.compareAndSet(this, OPEN, ENDED)) {
                return -1;
            }
            return read(buffer, offset, length);
        }
        return n;
    }

    /** The exchange failed from elsewhere (the total timeout); the next read throws {@code cause}. */
    void fail(RuntimeException cause) {
        failure = cause;
        STATE.compareAndSet(this, OPEN, FAILED);
        disarm();
        trailers.completeExceptionally(cause);
    }

    /** The body ended on the wire with these trailers (called by the connection as it finishes). */
    void ended(HttpHeaders fields) {
        disarm();
        trailers.complete(fields);
    }

    /** Closes this body if {@code responseBody} is dropped before the end (see {@link AbandonWatch}). */
    void watchAbandonment(Object responseBody) {
        watch = AbandonWatch.watch(responseBody, this);
    }

    private void disarm() {
        AbandonWatch w = watch;
        if (w != null) {
            watch = null;
            w.disarm();
        }
    }

    @Override
    public CompletionStage<HttpHeaders> trailers() {
        return trailers;
    }

    @Override
    public byte[] readAll(long limit) {
        if (contentLength > limit) {
            close();
            throw new BodyTooLargeException(limit, "Content-Length is " + contentLength);
        }
        // Unknown length (chunked, until-close): start with what already arrived, which for a small body
        // is all of it plus its framing; a fixed 16 KiB start cost a 4 KiB echo 20 KB of garbage.
        byte[] out = new byte
                [contentLength >= 0
                        ? (int) contentLength
                        : Math.min(CHUNK, Math.max(FIRST_UNKNOWN, connection.bufferedBytes(generation)))];
        int size = 0;
        while (true) {
            if (size == out.length) {
                if (contentLength >= 0 && size == contentLength) {
                    // Exactly the announced length: one more read sees the end.
                    if (read(new byte[1], 0, 1) < 0) return out;
                    throw new IllegalStateException("body longer than its Content-Length");
                }
                if (size >= limit) {
                    close();
                    throw new BodyTooLargeException(limit, "more than " + limit + " bytes arrived");
                }
                out = Arrays.copyOf(out, (int) Math.min(Math.min(limit + 1, Integer.MAX_VALUE - 8), (long) size * 2));
            }
            int n = read(out, size, out.length - size);
            if (n < 0) {
                if (contentLength >= 0 && size < contentLength) {
                    throw new ConnectionClosedException(
                            "response body ended after " + size + " of " + contentLength + " bytes", null);
                }
                return size == out.length ? out : Arrays.copyOf(out, size);
            }
            size += n;
            if (size > limit) {
                close();
                throw new BodyTooLargeException(limit, "more than " + limit + " bytes arrived");
            }
        }
    }

    @Override
    public CompletionStage<byte[]> readAllAsync(long limit) {
        if (Thread.currentThread().isVirtual()) {
            try {
                return CompletableFuture.completedFuture(readAll(limit));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(readAll(limit));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Feeder feeder = new Feeder(subscriber);
        subscriber.onSubscribe(feeder);
        executor.execute(feeder);
    }

    @Override
    public void close() {
        if (STATE.compareAndSet(this, OPEN, CLOSED)) {
            disarm();
            trailers.completeExceptionally(new RequestCancelledException("the response body was closed"));
            connection.abortBody(generation);
        }
    }

    /** Called by the cleaner when the response body became unreachable. */
    @Override
    public void abandoned() {
        close();
    }

    /**
     * The feeders' read arrays, recycled across responses: a subscriber only borrows the bytes for the
     * length of {@code onNext}, so a finished feeder's array serves the next one. A few slots bound what is
     * kept (16 x 16 KiB); with more feeders at once than slots the extra ones allocate their own.
     */
    private static final class Scratch {
        private static final AtomicReferenceArray<byte[]> SPARE = new AtomicReferenceArray<>(16);

        static byte[] take() {
            for (int i = 0; i < SPARE.length(); i++) {
                byte[] a = SPARE.get(i) == null ? null : SPARE.getAndSet(i, null);
                if (a != null) return a;
            }
            return new byte[CHUNK];
        }

        static void give(byte[] a) {
            for (int i = 0; i < SPARE.length(); i++) {
                if (SPARE.get(i) == null && SPARE.compareAndSet(i, null, a)) return;
            }
        }
    }

    /** Reads chunks as the subscriber asks for them, on one thread, so signals never overlap. */
    private final class Feeder implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition wanted = lock.newCondition();
        private long demand;
        private boolean cancelled;
        private @Nullable Throwable badRequest;

        Feeder(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (n <= 0) {
                    badRequest = new IllegalArgumentException(
                            "Subscription.request(" + n + "): demand must be positive (rule 3.9)");
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                wanted.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                wanted.signalAll();
            } finally {
                lock.unlock();
            }
            close();
        }

        /**
         * Reads into one recycled scratch array and lends the subscriber a read-only view of what arrived,
         * valid until its {@code onNext} returns (the publisher's contract): no array per read. The scratch
         * goes back to {@link Scratch} only when this thread is done with it.
         */
        @Override
        public void run() {
            byte[] scratch = Scratch.take();
            try {
                while (true) {
                    lock.lock();
                    try {
                        while (demand == 0 && !cancelled && badRequest == null) {
                            wanted.awaitUninterruptibly();
                        }
                        if (cancelled) return;
                        if (badRequest != null) {
                            close();
                            subscriber.onError(badRequest);
                            return;
                        }
                        demand--;
                    } finally {
                        lock.unlock();
                    }
                    int n = read(scratch, 0, scratch.length);
                    if (n < 0) {
                        subscriber.onComplete();
                        return;
                    }
                    subscriber.onNext(ByteBuffer.wrap(scratch, 0, n).asReadOnlyBuffer());
                }
            } catch (Throwable e) {
                // A failed read has failed the body already; a subscriber that threw gives it up (rule 2.13).
                close();
                if (!cancelled) subscriber.onError(Completions.unwrap(e));
            } finally {
                Scratch.give(scratch);
            }
        }
    }
}
