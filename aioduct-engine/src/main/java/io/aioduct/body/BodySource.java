package io.aioduct.body;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Where a response body's bytes come from; one implementation per transport. Exactly one consuming
 * method is called once (the public {@code ResponseBody} enforces it), then possibly {@link #close()}.
 * Every implementation returns or closes its connection exactly once: when the body ends on the wire,
 * or when it is closed early (then the connection is closed, not reused).
 */
public interface BodySource {

    /** The length announced by the server, or -1 when unknown. */
    long contentLength();

    /** Blocking read; -1 at the end. Fails with an {@code AioductException}. */
    int read(byte[] buffer, int offset, int length);

    /** Reads the rest of the body, failing with {@code BodyTooLargeException} past {@code limit}. Blocking. */
    byte[] readAll(long limit);

    /** Reads the rest of the body without blocking the caller. */
    CompletionStage<byte[]> readAllAsync(long limit);

    /**
     * Delivers the body with back-pressure. Each buffer is a read-only view, valid only until the {@code
     * onNext} it was passed to returns (the contract of {@code ResponseBody.publisher()}): the source may
     * release or reuse its memory at once.
     */
    void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber);

    /** Abandons the body: releases what is buffered and closes the connection unless the body already ended. */
    void close();

    /** The trailer fields, once the body has ended (empty when there were none); fails if the body does. */
    default CompletionStage<io.aioduct.HttpHeaders> trailers() {
        return java.util.concurrent.CompletableFuture.completedFuture(io.aioduct.HttpHeaders.empty());
    }

    /** A source with no bytes, for HEAD, 204 and 304 responses. */
    BodySource EMPTY = new BodySource() {
        @Override
        public long contentLength() {
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return -1;
        }

        @Override
        public byte[] readAll(long limit) {
            return new byte[0];
        }

        @Override
        public CompletionStage<byte[]> readAllAsync(long limit) {
            return java.util.concurrent.CompletableFuture.completedFuture(new byte[0]);
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private boolean done;

                @Override
                public void request(long n) {
                    if (!done) {
                        done = true;
                        subscriber.onComplete();
                    }
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }

        @Override
        public void close() {}
    };
}
