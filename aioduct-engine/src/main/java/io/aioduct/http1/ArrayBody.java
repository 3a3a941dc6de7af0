package io.aioduct.http1;

import io.aioduct.BodyTooLargeException;
import io.aioduct.body.BodySource;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** A body that arrived whole with its head; its connection is already back in the pool. */
final class ArrayBody implements BodySource {
    private final byte[] bytes;
    private int position;

    ArrayBody(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long contentLength() {
        return bytes.length;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
        if (position >= bytes.length) return -1;
        int n = Math.min(len, bytes.length - position);
        System.arraycopy(bytes, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public byte[] readAll(long limit) {
        if (bytes.length > limit) {
            throw new BodyTooLargeException(limit, "Content-Length is " + bytes.length);
        }
        return bytes;
    }

    @Override
    public CompletionStage<byte[]> readAllAsync(long limit) {
        try {
            return CompletableFuture.completedFuture(readAll(limit));
        } catch (BodyTooLargeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        s.onSubscribe(new Flow.Subscription() {
            private boolean done;

            @Override
            public void request(long n) {
                if (done) return;
                done = true;
                if (bytes.length > 0) s.onNext(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
                s.onComplete();
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    @Override
    public void close() {}
}
