package io.aioduct.http1;

import io.aioduct.BodyTooLargeException;
import io.aioduct.internal.BodySource;
import io.aioduct.internal.Completions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A response body read from a blocking socket as the consumer asks: {@link #read} reads on the
 * calling thread. Async forms run inline on a virtual thread (they only park) and otherwise on the
 * runtime's executor; a subscriber is fed by one such thread that waits for demand.
 */
final class SocketBody implements BodySource {
    private static final int CHUNK = 16 * 1024;

    private final SocketConnection connection;
    private final long contentLength;
    private final Executor executor;

    SocketBody(SocketConnection connection, long contentLength, Executor executor) {
        this.connection = connection;
        this.contentLength = contentLength;
        this.executor = executor;
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        return connection.readBody(buffer, offset, length);
    }

    @Override
    public byte[] readAll(long limit) {
        if (contentLength > limit) {
            connection.abortBody();
            throw new BodyTooLargeException(limit, "Content-Length is " + contentLength);
        }
        byte[] out = new byte[contentLength >= 0 ? (int) contentLength : CHUNK];
        int size = 0;
        while (true) {
            if (size == out.length) {
                if (contentLength >= 0 && size == contentLength) {
                    // Exactly the announced length: one more read sees the end and frees the connection.
                    if (connection.readBody(new byte[1], 0, 1) < 0) return out;
                    throw new IllegalStateException("body longer than its Content-Length");
                }
                if (size >= limit) {
                    connection.abortBody();
                    throw new BodyTooLargeException(limit, "more than " + limit + " bytes arrived");
                }
                out = Arrays.copyOf(out, (int) Math.min(Math.min(limit + 1, Integer.MAX_VALUE - 8), (long) size * 2));
            }
            int n = connection.readBody(out, size, out.length - size);
            if (n < 0) {
                return size == out.length ? out : Arrays.copyOf(out, size);
            }
            size += n;
            if (size > limit) {
                connection.abortBody();
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
        connection.abortBody();
    }

    /** Called by the cleaner when the response body became unreachable. */
    void abandoned() {
        if (connection.bodyOpen()) {
            connection.abortBody();
        }
    }

    /** Reads chunks as the subscriber asks for them, on one thread, so signals never overlap. */
    private final class Feeder implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition wanted = lock.newCondition();
        private long demand;
        private boolean cancelled;
        private Throwable badRequest;

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
            connection.abortBody();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    lock.lock();
                    try {
                        while (demand == 0 && !cancelled && badRequest == null) {
                            wanted.awaitUninterruptibly();
                        }
                        if (cancelled) return;
                        if (badRequest != null) {
                            connection.abortBody();
                            subscriber.onError(badRequest);
                            return;
                        }
                        demand--;
                    } finally {
                        lock.unlock();
                    }
                    byte[] chunk = new byte[CHUNK];
                    int n = connection.readBody(chunk, 0, chunk.length);
                    if (n < 0) {
                        subscriber.onComplete();
                        return;
                    }
                    subscriber.onNext(ByteBuffer.wrap(chunk, 0, n));
                }
            } catch (Throwable e) {
                if (!cancelled) subscriber.onError(Completions.unwrap(e));
            }
        }
    }
}
