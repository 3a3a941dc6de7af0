package io.aioduct.http1;

import io.aioduct.RequestBody;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Streams a request body that is not in memory onto a channel, without buffering it whole: an {@link
 * InputStream} is read on a virtual thread (it may block; the event loop must not), a publisher is
 * asked for one buffer at a time. Both wait for the channel to drain before producing more. Results
 * are reported to the connection on its loop.
 *
 * <p>A failing source never leaves a complete request on the wire: a chunked body lacks its last chunk,
 * and the piece that completes a body of declared length is held back until the source has ended
 * ({@link #finish()}), so a source that then fails, or goes on past its length, fails the exchange
 * with nothing complete sent.
 */
abstract sealed class LoopRequestPump
        permits LoopRequestPump.StreamPump, LoopRequestPump.WriterPump, LoopRequestPump.PublisherPump {
    private static final int CHUNK = 16 * 1024;

    final Http1LoopConnection connection;
    final Channel channel;
    final boolean chunked;
    final long declared;
    final io.aioduct.Request request;
    long sent;
    volatile boolean cancelled;
    /** The framed piece that completes a body of declared length, until the source has ended. */
    private final AtomicReference<@Nullable ByteBuf> held = new AtomicReference<>();

    LoopRequestPump(Http1LoopConnection connection, long declared, boolean chunked) {
        this.connection = connection;
        this.channel = connection.channel();
        this.declared = declared;
        this.chunked = chunked;
        this.request = connection.currentRequest();
    }

    /**
     * A pump for {@code body}, not started yet. The connection records it before {@link #start()}: a
     * publisher may emit, and a write complete, within the start, and the pump's reports are only taken
     * from the pump the connection knows.
     */
    static LoopRequestPump create(Http1LoopConnection connection, RequestBody body, boolean chunked) {
        if (body instanceof RequestBody.Stream stream) {
            return new StreamPump(connection, stream, chunked);
        }
        if (body instanceof RequestBody.Writer writer) {
            return new WriterPump(connection, writer, chunked);
        }
        return new PublisherPump(connection, (RequestBody.Publisher) body, chunked);
    }

    /** Starts producing the body. On the loop, once the connection has recorded this pump. */
    abstract void start();

    /** Stops producing; the connection is being closed. On the loop (or the pump's own thread). */
    final void cancel() {
        cancelled = true;
        releaseHeld();
        stopSource();
    }

    /** Stops the source: interrupts its thread, cancels its subscription. */
    abstract void stopSource();

    /** Releases the held-back last piece, if any. Any thread; the piece is released once. */
    private void releaseHeld() {
        ByteBuf h = held.getAndSet(null);
        if (h != null) h.release();
    }

    /** Frames {@code length} bytes as one chunk (or raw), checking the declared length. */
    ByteBuf frame(byte[] data, int offset, int length) {
        sent += length;
        if (!chunked && sent > declared) {
            releaseHeld();
            throw new IllegalStateException(
                    "request body is longer than its declared length of " + declared + " bytes");
        }
        ByteBuf out = channel.alloc().buffer(length + 16);
        if (chunked) RequestWriter.writeChunkHeader(out, length);
        out.writeBytes(data, offset, length);
        if (chunked) RequestWriter.writeCrlf(out);
        return out;
    }

    /** Frames a publisher's buffer, copying it (the publisher may reuse it once onNext returns). */
    ByteBuf frame(ByteBuffer data) {
        int length = data.remaining();
        sent += length;
        if (!chunked && sent > declared) {
            releaseHeld();
            throw new IllegalStateException(
                    "request body is longer than its declared length of " + declared + " bytes");
        }
        ByteBuf out = channel.alloc().buffer(length + 16);
        if (chunked) RequestWriter.writeChunkHeader(out, length);
        out.writeBytes(data);
        if (chunked) RequestWriter.writeCrlf(out);
        return out;
    }

    /**
     * Writes one framed piece of the body. The piece that completes a body of known length is held back
     * until {@link #finish()}: only once the source has ended is the request complete.
     */
    ChannelFuture writePiece(ByteBuf framed) {
        if (!chunked && sent == declared) {
            held.set(framed);
            if (cancelled) releaseHeld(); // cancelled meanwhile: cancel() may have looked before the set
            return channel.newSucceededFuture();
        }
        return channel.writeAndFlush(framed);
    }

    /**
     * Ends the body: writes the last chunk, or the held-back piece that completes a fixed length once
     * that length was met, with {@link #bodySentPromise()}, so the body counts as sent the moment its
     * last byte is on the wire.
     */
    ChannelFuture finish() {
        if (!chunked) {
            if (sent != declared) {
                releaseHeld();
                throw new IllegalStateException(
                        "request body ended after " + sent + " of its declared " + declared + " bytes");
            }
            ByteBuf last = held.getAndSet(null);
            // None: cancelled meanwhile, and cancel() released it.
            return last == null ? channel.newSucceededFuture() : channel.writeAndFlush(last, bodySentPromise());
        }
        ByteBuf end = channel.alloc().buffer(64);
        RequestWriter.writeLastChunk(end, request);
        return channel.writeAndFlush(end, bodySentPromise());
    }

    /**
     * A promise for the body's final write whose listener, attached before the write is queued, runs on
     * the loop as that write completes: before any response to the whole request can be read there, so
     * the response is never taken for an early one (which would keep the connection out of the pool).
     * Reporting from the pump's own thread afterwards raced the response.
     */
    private ChannelPromise bodySentPromise() {
        ChannelPromise promise = channel.newPromise();
        promise.addListener(f -> {
            if (f.isSuccess()) {
                connection.requestBodySent(this);
            } else if (!cancelled) {
                connection.requestBodyFailed(this, f.cause());
            }
        });
        return promise;
    }

    void reportFailed(Throwable cause) {
        releaseHeld();
        channel.eventLoop().execute(() -> connection.requestBodyFailed(this, cause));
    }

    /** Reads an InputStream on its own virtual thread. */
    static final class StreamPump extends LoopRequestPump {
        private final RequestBody.Stream body;
        private volatile Thread thread;

        StreamPump(Http1LoopConnection connection, RequestBody.Stream body, boolean chunked) {
            super(connection, body.contentLength(), chunked);
            this.body = body;
        }

        @Override
        void start() {
            Thread.ofVirtual().name("aioduct-body-pump").start(this::run);
        }

        private void run() {
            thread = Thread.currentThread();
            try (InputStream in = body.open()) {
                byte[] buf = new byte[CHUNK];
                ChannelFuture last = null;
                while (!cancelled) {
                    int n = in.read(buf);
                    if (n < 0) break;
                    if (n == 0) continue;
                    if (last != null && !channel.isWritable()) {
                        last.await();
                    }
                    last = writePiece(frame(buf, 0, n));
                }
                if (!cancelled) {
                    finish();
                }
            } catch (Throwable e) {
                if (!cancelled) reportFailed(e);
            }
        }

        @Override
        void stopSource() {
            Thread t = thread;
            if (t != null) t.interrupt();
        }
    }

    /** Runs the caller's writer on its own virtual thread, writing through to the channel. */
    static final class WriterPump extends LoopRequestPump {
        private final RequestBody.Writer body;
        private volatile Thread thread;

        WriterPump(Http1LoopConnection connection, RequestBody.Writer body, boolean chunked) {
            super(connection, body.contentLength(), chunked);
            this.body = body;
        }

        @Override
        void start() {
            Thread.ofVirtual().name("aioduct-body-pump").start(this::run);
        }

        private void run() {
            thread = Thread.currentThread();
            ChannelFuture[] last = new ChannelFuture[1];
            java.io.OutputStream out = new java.io.BufferedOutputStream(
                    new java.io.OutputStream() {
                        @Override
                        public void write(int b) throws java.io.IOException {
                            write(new byte[] {(byte) b}, 0, 1);
                        }

                        @Override
                        public void write(byte[] data, int off, int len) throws java.io.IOException {
                            if (cancelled) {
                                throw new java.io.IOException(
                                        "the exchange ended; the request body is no longer wanted");
                            }
                            if (len == 0) return;
                            try {
                                if (last[0] != null && !channel.isWritable()) {
                                    last[0].await();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new java.io.InterruptedIOException("interrupted while sending the request body");
                            }
                            last[0] = writePiece(frame(data, off, len));
                        }
                    },
                    CHUNK);
            try {
                body.writer().writeTo(out);
                out.flush();
                if (!cancelled) {
                    finish();
                }
            } catch (Throwable e) {
                if (!cancelled) reportFailed(e);
            }
        }

        @Override
        void stopSource() {
            Thread t = thread;
            if (t != null) t.interrupt();
        }
    }

    /** Pulls from a publisher one buffer at a time. Signals arrive serialised (Reactive Streams 1.3). */
    static final class PublisherPump extends LoopRequestPump implements Flow.Subscriber<ByteBuffer> {
        private final RequestBody.Publisher body;
        private volatile Flow.Subscription subscription;

        PublisherPump(Http1LoopConnection connection, RequestBody.Publisher body, boolean chunked) {
            super(connection, body.contentLength(), chunked);
            this.body = body;
        }

        @Override
        void start() {
            body.publisher().subscribe(this);
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
            if (cancelled) return;
            try {
                writePiece(frame(item)).addListener(f -> {
                    if (!f.isSuccess()) {
                        cancel();
                    } else if (!cancelled) {
                        subscription.request(1);
                    }
                });
            } catch (RuntimeException e) {
                cancel();
                reportFailed(e);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (!cancelled) {
                cancelled = true;
                reportFailed(throwable);
            }
        }

        @Override
        public void onComplete() {
            if (cancelled) return;
            try {
                finish();
            } catch (RuntimeException e) {
                reportFailed(e);
            }
        }

        @Override
        void stopSource() {
            Flow.Subscription s = subscription;
            if (s != null) s.cancel();
        }
    }
}
