package io.aioduct.body;

import io.aioduct.BodyTooLargeException;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * A compressed response body decoded while it streams: wraps the transport's {@link BodySource} (the raw
 * bytes) and a {@link ContentDecoder}. Every face of the body decodes: {@link #read} pulls raw bytes as
 * the caller reads, {@link #subscribe} decodes each raw buffer as it is delivered (demand passes through:
 * a raw buffer that decodes to nothing asks for one more), and the whole-body reads are built on those
 * two. The length is unknown (-1).
 *
 * <p>Guards: more than {@code maxDecoded} decoded bytes, or more than {@code maxRatio} times the raw bytes
 * read once past {@link io.aioduct.policy.Decompression#RATIO_FLOOR}, fail the read with a {@link
 * DecompressionBombException}; bytes the coding cannot decode, or a raw body that ends inside the coded
 * stream, with an {@link HttpProtocolException} naming the coding. On either the raw source is closed
 * (so its connection is closed, not reused); at the raw end it has released its connection itself. The
 * decoder's native memory is freed on every way out: end, failure, close.
 *
 * <p>Threading: one consumer, as for every source; {@link #close()} may come from any thread, so decoding
 * and freeing the decoder are serialised on this object (uncontended in the normal case).
 */
public final class DecodingSource implements BodySource {
    private static final int CHUNK = 8192;

    private final BodySource raw;
    private final ContentDecoder decoder;
    private final long maxDecoded;
    private final int maxRatio;
    private final long ratioFloor;
    private @Nullable ByteBuffer input;
    private long compressed;
    private long decoded;
    private boolean done;
    private boolean ended;

    public DecodingSource(BodySource raw, ContentDecoder decoder, long maxDecoded, int maxRatio, long ratioFloor) {
        this.raw = raw;
        this.decoder = decoder;
        this.maxDecoded = maxDecoded;
        this.maxRatio = maxRatio;
        this.ratioFloor = ratioFloor;
    }

    @Override
    public long contentLength() {
        return -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) return 0;
        if (done) return -1;
        ByteBuffer in = input;
        if (in == null) {
            in = ByteBuffer.allocate(CHUNK).limit(0);
            input = in;
        }
        while (true) {
            int n;
            try {
                n = decode(in, buffer, offset, length);
            } catch (RuntimeException e) {
                done = true;
                raw.close();
                throw e;
            }
            if (n > 0) return n;
            int r;
            try {
                r = raw.read(in.array(), 0, in.capacity());
            } catch (RuntimeException e) {
                endDecoder();
                done = true;
                throw e;
            }
            if (r < 0) {
                rawEnded();
                return -1;
            }
            compressed += r;
            in.clear().limit(r);
        }
    }

    @Override
    public byte[] readAll(long limit) {
        // One byte past the limit is enough to know the body passes it.
        long cap = Math.min(limit, Integer.MAX_VALUE - 9) + 1;
        byte[] buf = new byte[(int) Math.min(cap, 16 * 1024)];
        int size = 0;
        while (true) {
            if (size == buf.length) {
                if (size == cap) {
                    close();
                    throw new BodyTooLargeException(limit, "the decoded " + decoder.coding() + " body is larger");
                }
                buf = Arrays.copyOf(buf, (int) Math.min(cap, 2L * size));
            }
            int n = read(buf, size, buf.length - size);
            if (n < 0) break;
            size += n;
            if (size > limit) {
                close();
                throw new BodyTooLargeException(
                        limit, "the " + decoder.coding() + " body decodes to more than " + limit + " bytes");
            }
        }
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    @Override
    public CompletionStage<byte[]> readAllAsync(long limit) {
        Gather gather = new Gather(limit);
        subscribe(gather);
        return gather.result;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        raw.subscribe(new Decoding(subscriber));
    }

    @Override
    public CompletionStage<HttpHeaders> trailers() {
        return raw.trailers();
    }

    @Override
    public void close() {
        endDecoder();
        raw.close();
    }

    /**
     * Decodes what {@code in} holds; on a bad stream or a guard frees the decoder and throws, and the caller
     * gives the raw body up (closes it, or cancels its subscription).
     */
    private int decode(ByteBuffer in, byte[] out, int offset, int length) {
        int n;
        try {
            synchronized (this) {
                if (ended) throw ContentDecoder.corrupt(decoder.coding(), "the body was closed", null);
                n = decoder.decode(in, out, offset, length);
            }
            if (n > 0) {
                decoded += n;
                RuntimeException bomb = guard();
                if (bomb != null) throw bomb;
            }
        } catch (RuntimeException e) {
            endDecoder();
            throw e;
        }
        return n;
    }

    private @Nullable RuntimeException guard() {
        if (decoded > maxDecoded) {
            return new DecompressionBombException(
                    "the " + decoder.coding() + " response body decodes to more than " + maxDecoded
                            + " bytes (Decompression.maxDecodedBytes); the connection was closed",
                    maxDecoded);
        }
        if (maxRatio > 0 && decoded > ratioFloor && decoded > maxRatio * Math.max(1, compressed)) {
            return new DecompressionBombException(
                    "the " + decoder.coding() + " response body decodes to " + decoded + " bytes from " + compressed
                            + ", more than " + maxRatio + " times its compressed size (Decompression.maxRatio);"
                            + " the connection was closed",
                    maxRatio * compressed);
        }
        return null;
    }

    /** The raw body ended: the coded stream must have ended too (or never started: an empty body). */
    private void rawEnded() {
        done = true;
        boolean truncated;
        synchronized (this) {
            truncated = !ended && !decoder.complete() && !decoder.untouched();
        }
        endDecoder();
        if (truncated) {
            throw new HttpProtocolException("truncated " + decoder.coding()
                    + " response body: the body ended before the compressed stream did");
        }
    }

    private synchronized void endDecoder() {
        if (!ended) {
            ended = true;
            decoder.end();
        }
    }

    /**
     * Decodes each raw buffer for the subscriber; one decoded buffer (or one more request) per raw one. The
     * raw buffer is read whole inside its {@code onNext} (the decoders copy what they keep), and the decoded
     * bytes go down as a read-only view of one output array reused for every buffer: downstream borrows it
     * only for its own {@code onNext} (the publisher's contract), and our sources never re-enter {@code
     * onNext}, so the array is free again when the call returns.
     */
    private final class Decoding implements Flow.Subscriber<ByteBuffer> {
        private final Flow.Subscriber<? super ByteBuffer> downstream;
        private Flow.@Nullable Subscription upstream;
        private boolean terminated;
        private byte[] out = new byte[0];

        Decoding(Flow.Subscriber<? super ByteBuffer> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    subscription.cancel();
                    endDecoder();
                }
            });
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (terminated) return;
            compressed += item.remaining();
            byte[] out = this.out;
            int wanted = Math.max(CHUNK, Math.min(4 * item.remaining(), 256 * 1024));
            if (out.length < wanted) this.out = out = new byte[wanted];
            int size = 0;
            try {
                while (true) {
                    if (size == out.length) this.out = out = Arrays.copyOf(out, 2 * size);
                    int n = decode(item, out, size, out.length - size);
                    if (n == 0) break;
                    size += n;
                }
            } catch (RuntimeException e) {
                // Cancelling gives the raw body up: its connection is closed unless the body already ended.
                terminated = true;
                Flow.Subscription s = upstream;
                if (s != null) s.cancel();
                downstream.onError(e);
                return;
            }
            if (size > 0) {
                try {
                    downstream.onNext(ByteBuffer.wrap(out, 0, size).asReadOnlyBuffer());
                } catch (RuntimeException | Error e) {
                    // The subscriber broke rule 2.13; the raw source cancels on the way out, the decoder ends here.
                    terminated = true;
                    endDecoder();
                    throw e;
                }
            } else {
                // Nothing came out of this buffer (a header, a small piece): the demand still stands.
                Flow.Subscription s = upstream;
                if (s != null) s.request(1);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (terminated) return;
            terminated = true;
            endDecoder();
            downstream.onError(throwable);
        }

        @Override
        public void onComplete() {
            if (terminated) return;
            terminated = true;
            try {
                rawEnded();
            } catch (RuntimeException e) {
                downstream.onError(e);
                return;
            }
            downstream.onComplete();
        }
    }

    /** {@link #readAllAsync}: takes the decoded buffers as fast as they come, up to {@code limit}. */
    private final class Gather implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long limit;
        private byte[] bytes = new byte[0];
        private int size;
        private Flow.@Nullable Subscription subscription;

        Gather(long limit) {
            this.limit = limit;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer item) {
            int n = item.remaining();
            if (size + (long) n > limit) {
                Flow.Subscription s = subscription;
                if (s != null) s.cancel();
                result.completeExceptionally(new BodyTooLargeException(
                        limit, "the " + decoder.coding() + " body decodes to more than " + limit + " bytes"));
                return;
            }
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(size + n, 2L * size)));
            }
            item.get(bytes, size, n);
            size += n;
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
        }
    }
}
