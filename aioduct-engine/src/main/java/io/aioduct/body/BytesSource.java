package io.aioduct.body;

import io.aioduct.BodyTooLargeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A body already in memory: a response an interceptor makes up ({@code Response.builder}), or one a policy
 * has finished reading. Holds no connection, so closing it releases nothing but the array. Like every
 * source it is consumed once (the public body enforces that); reads are not thread-safe.
 */
public final class BytesSource implements BodySource {
    private final byte[] bytes;
    private int position;

    /** Takes {@code bytes} as they are (no copy): the caller hands them over. */
    public BytesSource(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long contentLength() {
        return bytes.length;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        int left = bytes.length - position;
        if (left == 0) return length == 0 ? 0 : -1;
        int n = Math.min(left, length);
        System.arraycopy(bytes, position, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    public byte[] readAll(long limit) {
        int left = bytes.length - position;
        if (left > limit) {
            throw new BodyTooLargeException(limit, "the body has " + left + " bytes");
        }
        byte[] rest = position == 0 ? bytes : Arrays.copyOfRange(bytes, position, bytes.length);
        position = bytes.length;
        return rest;
    }

    @Override
    public CompletionStage<byte[]> readAllAsync(long limit) {
        try {
            return CompletableFuture.completedFuture(readAll(limit));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Flow.Subscription() {
            private boolean done;

            @Override
            public void request(long n) {
                if (done) return;
                if (n <= 0) {
                    done = true;
                    subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                    return;
                }
                done = true;
                if (position < bytes.length) {
                    // A read-only view: the subscriber cannot change these bytes (the source may be read again).
                    ByteBuffer rest = ByteBuffer.wrap(bytes, position, bytes.length - position)
                            .slice()
                            .asReadOnlyBuffer();
                    position = bytes.length;
                    subscriber.onNext(rest);
                }
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    @Override
    public void close() {
        position = bytes.length;
    }
}
